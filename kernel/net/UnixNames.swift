import LichenCore

/// Where AF_UNIX names lead: bound path sockets by their inode, abstract names by their bytes
/// (Linux's unix_socket_table; hashed lookups in UnixNameTable). A socket leaves on its release;
/// the path's inode stays in the filesystem (as on Linux: unlink it to reuse the name).
enum UnixNames {
    private static let table = SpinLock(UnixNameTable<UnixSocket>())

    static func bind(inode: any Inode, _ socket: UnixSocket) {
        table.withLock { $0.bind(inode: inode, socket) }
    }

    /// EADDRINUSE if the name is taken.
    static func bind(abstract name: [UInt8], _ socket: UnixSocket) throws(Errno) {
        guard table.withLock({ $0.bind(abstract: name, type: socket.type, socket) }) else { throw .EADDRINUSE }
    }

    /// autobind: the next free five-hex-digit abstract name (Linux starts at a random one).
    static func autobind(_ socket: UnixSocket) throws(Errno) -> UnixAddress {
        try table.withLock { (t: inout UnixNameTable<UnixSocket>) throws(Errno) -> UnixAddress in
            for _ in 0..<0x100000 {
                let candidate = UnixAddress.autobindName(t.nextAutobind)
                t.nextAutobind = (t.nextAutobind + 1) & 0xfffff
                guard case .abstract(let name) = candidate else { continue }
                if t.bind(abstract: name, type: socket.type, socket) { return candidate }
            }
            throw .ENOSPC
        }
    }

    static func find(inode: any Inode) -> UnixSocket? {
        table.withLock { t in t.find(inode: inode) }
    }

    static func find(abstract name: [UInt8], type: Int32) -> UnixSocket? {
        table.withLock { t in t.find(abstract: name, type: type) }
    }

    static func remove(_ socket: UnixSocket) {
        table.withLock { t in t.remove(socket) }
    }
}
