import LichenCore
import Synchronization
import _Concurrency

/// The root namespace: a tmpfs root filled from the initramfs (like Linux's rootfs), devtmpfs on /dev.
enum RootFilesystem {
    nonisolated(unsafe) private(set) static var vfs: VFS? = nil
    private static let nextDevice = Atomic<UInt32>(1)     // filesystems are made on any CPU

    static let clock: VFSClock = {
        let ns = RealtimeClock.now
        return Timespec(seconds: Int64(ns / 1_000_000_000), nanoseconds: Int64(ns % 1_000_000_000))
    }

    /// An anonymous device number for a new in-memory filesystem (major 0, like Linux).
    static func anonymousDevice() -> DeviceNumber {
        DeviceNumber(major: 0, minor: nextDevice.wrappingAdd(1, ordering: .relaxed).oldValue)
    }

    /// Linux's default tmpfs size, the rootfs included: half of RAM (df shows it; writes past it get
    /// ENOSPC rather than exhausting the kernel).
    static var tmpfsDefaultSize: Int64 { Int64(PhysicalMemory.totalBytes / 2) }

    static func mount(initramfs: UnsafeRawBufferPointer?) async throws(Errno) -> VFS {
        PageCacheGlue.install()
        FileLocks.install()
        IOSignals.install()
        OpenFile.releaseFcntlLocks = { owner in
            RecordLocks.descriptionClosed(owner)
            Leases.descriptionClosed(owner)
        }
        let root = Tmpfs(device: anonymousDevice(), clock: clock, rootMode: 0o755, sizeLimit: tmpfsDefaultSize,
                         typeName: Array("rootfs".utf8))
        let vfs = VFS(root: root)
        self.vfs = vfs
        PipeFileSystem.clock = clock
        try Devfs.registerMemoryDevices(in: vfs.devices, random: { lichenFillRandom($0.baseAddress!, $0.count) })
        try ConsoleTTY.register(in: vfs.devices)
        try PtyMaster.register(in: vfs.devices)
        if RealtimeClock.available { try vfs.devices.register(.character, .rtc0, RTCDevice.shared) }
        let context = vfs.context()
        if let initramfs { try await unpack(initramfs, into: vfs, context: context) }
        do { _ = try await vfs.mkdir(Array("/dev".utf8), mode: 0o755, context: context) } catch where error == .EEXIST {}
        BlockDevices.nodes = await BlockDevices.start(in: vfs.devices)
        let devfs = try await Devfs.make(device: anonymousDevice(), clock: clock, driverNodes: ConsoleTTY.devfsNodes + BlockDevices.nodes)
        _ = try await vfs.mount(devfs, on: Array("/dev".utf8), context: context)
        // /dev/shm is user space's to mount (initramfs/init does, as Debian's init), as on Linux.
        return vfs
    }

    /// Unpacks the cpio archive(s) into the root, as Linux's populate_rootfs does: LichenCore's
    /// InitramfsWalk (the code the host tests and fuzz/ run) over plain archives and gzip members,
    /// each member decompressed in place into a VirtualBuffer. An error stops the unpacking.
    private static func unpack(_ image: UnsafeRawBufferPointer, into vfs: VFS, context: FSContext) async throws(Errno) {
        var walk = InitramfsWalk(image, output: InitramfsVirtualOutput(imageSize: image.count))
        var files = 0, bytes = 0
        while true {
            let next: (entry: CpioEntry, bytes: UnsafeRawBufferPointer)?
            do { next = try walk.next() } catch {
                KernelLog.error("initramfs: " + describe(error))
                break
            }
            guard let entry = next?.entry, let buffer = next?.bytes else { break }
            var name = Array(UnsafeRawBufferPointer(rebasing: buffer[entry.name]))
            while name.last == 0 { name.removeLast() }
            while name.first == UInt8(ascii: "/") { name.removeFirst() }
            guard !name.isEmpty, !(name.count == 1 && name[0] == UInt8(ascii: ".")) else { continue }
            let data = UnsafeRawBufferPointer(rebasing: buffer[entry.data])
            do throws(Errno) {
                try await create(entry, path: [UInt8(ascii: "/")] + name, data: data, vfs: vfs, context: context)
                if entry.fileType == .regular { files += 1; bytes += data.count }
            } catch {
                KernelLog.warning("initramfs: cannot create /" + String(decoding: name, as: UTF8.self) + " (errno "
                                  + Format.decimal(UInt64(error.rawValue)) + ")")
            }
        }
        KernelLog.info("initramfs: unpacked " + Format.decimal(UInt64(files)) + " files, " + Format.bytes(UInt64(bytes)))
    }

    private static func describe(_ error: InitramfsError) -> String {
        switch error {
        case .cpio(_, let offset), .junkInCompressedArchive(let offset):
            return "malformed archive at offset " + Format.decimal(UInt64(offset))
        case .unknownFormat(let offset):
            return "unknown data at offset " + Format.decimal(UInt64(offset)) + " (only cpio and gzip are supported)"
        case .compressed(.outputTooLarge, _):
            return "out of memory while decompressing"
        case .compressed:
            return "corrupt gzip data"
        }
    }

    private static func create(_ entry: CpioEntry, path: [UInt8], data: UnsafeRawBufferPointer, vfs: VFS,
                               context: FSContext) async throws(Errno) {
        let mode = entry.mode & 0o7777
        switch entry.fileType {
        case .directory?:
            do { _ = try await vfs.mkdir(path, mode: mode, context: context) } catch where error == .EEXIST {}
        case .regular?:
            let file = try await vfs.open(path, flags: [.O_WRONLY, .O_CREAT, .O_TRUNC], mode: mode, context: context)
            var done = 0
            while done < data.count {
                let n = try await file.write(from: UnsafeRawBufferPointer(rebasing: data[done...]))
                if n == 0 { throw .ENOSPC }
                done += n
            }
        case .symbolicLink?:
            _ = try await vfs.symlink(Array(data), at: path, context: context)
        case .characterDevice?, .blockDevice?, .fifo?, .socket?:
            _ = try await vfs.mknod(path, mode: (entry.mode & FileMode.S_IFMT) | mode,
                                    device: DeviceNumber(major: entry.rdevMajor, minor: entry.rdevMinor), context: context)
        case nil:
            throw .EINVAL
        }
    }
}

/// A gzip member's output for InitramfsWalk: mapped page by page into one reserved VirtualBuffer
/// (grown in place, no copy), a fresh one per member; the last one goes with the walk.
struct InitramfsVirtualOutput: InitramfsOutput {
    /// The output of one member is at most a few times the input; reserve generously (address space only).
    let capacity: Int
    private var buffer: VirtualBuffer?

    init(imageSize: Int) { capacity = max(64 << 20, imageSize * 16) }

    mutating func start(atLeast bytes: Int) -> UnsafeMutableRawBufferPointer? {
        buffer = nil                                    // the previous member's pages go first
        let fresh = VirtualBuffer(capacity: capacity)
        buffer = fresh
        return fresh.writable(atLeast: bytes)
    }

    mutating func grow(keeping written: Int, atLeast bytes: Int) -> UnsafeMutableRawBufferPointer? {
        buffer?.writable(atLeast: bytes)
    }
}
