/// Where AF_UNIX names lead (Linux's unix_socket_table): bound path sockets by their inode's
/// identity, abstract names by their bytes and socket type (unique per type, as Linux hashes the
/// type in), each in a hash (HashedBuckets), and each socket's own name by the socket, so bind,
/// connect, sendto and a socket's release look at a few entries however many sockets are bound (a
/// walk of every bound socket before; issue 13). Pure data: the kernel's UnixNames locks it.
public struct UnixNameTable<Socket: AnyObject> {
    struct AbstractKey: BucketKey {
        let name: [UInt8], type: Int32
        var bucketHash: UInt64 {
            var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(UInt32(bitPattern: type))       // FNV-1a
            for b in name { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            return h
        }
    }
    enum Name { case path(UInt), abstract(AbstractKey) }

    private var paths = HashedBuckets<UInt, (inode: any Inode, socket: Socket)>()
    private var abstract = HashedBuckets<AbstractKey, Socket>()
    private var names = HashedBuckets<UInt, Name>()
    /// The next autobind name to try.
    public var nextAutobind: UInt32 = 0

    public init() {}

    /// Entries looked at by lookups so far (tests).
    public var probes: Int { paths.probes + abstract.probes + names.probes }
    public var count: Int { names.count }

    private static func identity(_ object: AnyObject) -> UInt { UInt(bitPattern: ObjectIdentifier(object)) }

    public mutating func bind(inode: any Inode, _ socket: Socket) {
        paths.append(Self.identity(inode), (inode, socket))
        names.append(Self.identity(socket), .path(Self.identity(inode)))
    }

    /// False if the name is taken for this socket type.
    public mutating func bind(abstract name: [UInt8], type: Int32, _ socket: Socket) -> Bool {
        let key = AbstractKey(name: name, type: type)
        guard abstract.first(key) == nil else { return false }
        abstract.append(key, socket)
        names.append(Self.identity(socket), .abstract(key))
        return true
    }

    public func find(inode: any Inode) -> Socket? {
        paths.first(Self.identity(inode))?.socket
    }

    public func find(abstract name: [UInt8], type: Int32) -> Socket? {
        abstract.first(AbstractKey(name: name, type: type))
    }

    /// The socket's release: its name leads nowhere now.
    public mutating func remove(_ socket: Socket) {
        for name in names.removeAll(Self.identity(socket), { _ in true }) {
            switch name {
            case .path(let inode): paths.remove(inode) { $0.socket === socket }
            case .abstract(let key): abstract.remove(key) { $0 === socket }
            }
        }
    }
}
