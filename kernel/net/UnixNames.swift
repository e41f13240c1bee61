import LichenCore

/// Where AF_UNIX names lead: bound path sockets by their inode, abstract names by their bytes
/// (Linux's unix_socket_table). A socket leaves on its release; the path's inode stays in the
/// filesystem (as on Linux: unlink it to reuse the name).
enum UnixNames {
    private struct Table {
        var paths: [(inode: any Inode, socket: UnixSocket)] = []
        var abstract: [(name: [UInt8], socket: UnixSocket)] = []      // unique per socket type, as Linux hashes the type in
        var nextAutobind: UInt32 = 0
    }
    private static let table = SpinLock(Table())

    static func bind(inode: any Inode, _ socket: UnixSocket) {
        table.withLock { $0.paths.append((inode, socket)) }
    }

    /// EADDRINUSE if the name is taken.
    static func bind(abstract name: [UInt8], _ socket: UnixSocket) throws(Errno) {
        try table.withLock { (t: inout Table) throws(Errno) -> Void in
            guard !t.abstract.contains(where: { $0.name == name && $0.socket.type == socket.type }) else { throw .EADDRINUSE }
            t.abstract.append((name, socket))
        }
    }

    /// autobind: the next free five-hex-digit abstract name (Linux starts at a random one).
    static func autobind(_ socket: UnixSocket) throws(Errno) -> UnixAddress {
        try table.withLock { (t: inout Table) throws(Errno) -> UnixAddress in
            for _ in 0..<0x100000 {
                let candidate = UnixAddress.autobindName(t.nextAutobind)
                t.nextAutobind = (t.nextAutobind + 1) & 0xfffff
                guard case .abstract(let name) = candidate else { continue }
                if t.abstract.contains(where: { $0.name == name && $0.socket.type == socket.type }) { continue }
                t.abstract.append((name, socket))
                return candidate
            }
            throw .ENOSPC
        }
    }

    static func find(inode: any Inode) -> UnixSocket? {
        table.withLock { t in t.paths.first(where: { $0.inode === inode })?.socket }
    }

    static func find(abstract name: [UInt8], type: Int32) -> UnixSocket? {
        table.withLock { t in t.abstract.first(where: { $0.name == name && $0.socket.type == type })?.socket }
    }

    static func remove(_ socket: UnixSocket) {
        table.withLock { t in
            t.paths.removeAll { $0.socket === socket }
            t.abstract.removeAll { $0.socket === socket }
        }
    }
}
