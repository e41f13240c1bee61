import _Concurrency

/// /dev: a tmpfs (as Linux's devtmpfs is) holding the standard device nodes, and the drivers of
/// the memory devices registered in the VFS's device registry. tty, console and the nodes of the
/// drivers the kernel bound (the console's line) get their nodes here; their drivers register
/// themselves later (opening them is ENXIO until then).
public enum Devfs {
    /// A standard device node: name, number, permissions (devtmpfs's, all owned by root).
    public struct Node: Sendable {
        public let name: [UInt8]
        public let number: DeviceNumber
        public let mode: UInt32
        public let kind: DeviceRegistry.Kind

        public init(name: [UInt8], number: DeviceNumber, mode: UInt32, kind: DeviceRegistry.Kind = .character) {
            self.name = name
            self.number = number
            self.mode = mode
            self.kind = kind
        }
    }

    public static let standardNodes: [Node] = [
        Node(name: Array("null".utf8), number: .null, mode: 0o666),
        Node(name: Array("zero".utf8), number: .zero, mode: 0o666),
        Node(name: Array("full".utf8), number: .full, mode: 0o666),
        Node(name: Array("random".utf8), number: .random, mode: 0o666),
        Node(name: Array("urandom".utf8), number: .urandom, mode: 0o666),
        Node(name: Array("tty".utf8), number: .tty, mode: 0o666),
        Node(name: Array("console".utf8), number: .console, mode: 0o600),
        Node(name: Array("rtc0".utf8), number: .rtc0, mode: 0o600),
        Node(name: Array("ptmx".utf8), number: .ptmx, mode: 0o666),
    ]

    /// Registers the memory devices' drivers in `registry` (EBUSY if already registered).
    public static func registerMemoryDevices(in registry: DeviceRegistry, random: @escaping RandomDevice.Fill) throws(Errno) {
        try registry.register(.character, .null, NullDevice())
        try registry.register(.character, .zero, ZeroDevice())
        try registry.register(.character, .full, ZeroDevice(full: true))
        let randomDevice = RandomDevice(fill: random)
        try registry.register(.character, .random, randomDevice)
        try registry.register(.character, .urandom, randomDevice)
    }

    /// A new devtmpfs (root 0755) with the standard character device nodes in it, and `driverNodes`.
    public static func make(device: DeviceNumber, clock: @escaping VFSClock, driverNodes: [Node] = []) async throws(Errno) -> Tmpfs {
        let fs = Tmpfs(device: device, clock: clock, rootMode: 0o755, typeName: Array("devtmpfs".utf8))
        for node in standardNodes + driverNodes {
            _ = try await fs.root.mknod(node.name, mode: (node.kind == .block ? FileMode.S_IFBLK : FileMode.S_IFCHR) | node.mode, device: node.number, owner: .root)
        }
        return fs
    }
}
