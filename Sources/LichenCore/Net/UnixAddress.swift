/// An AF_UNIX socket's name, with Linux's rules for reading a `sockaddr_un` of a given length
/// (unix_validate_addr, unix_mkname_bsd) and the length getsockname/getpeername/recvfrom report.
public enum UnixAddress: Equatable, Sendable {
    /// No name (a socketpair end, an unbound socket): reported as the family alone, 2 bytes.
    case unnamed
    /// A filesystem path (without its NUL).
    case path([UInt8])
    /// An abstract name: the bytes after the leading NUL, as many as the address length said.
    case abstract([UInt8])

    /// What bind/connect/sendto asked for, from the `length` bytes the caller passed.
    public enum Request: Equatable, Sendable {
        case name(UnixAddress)
        /// bind with the family alone: autobind (a fresh abstract name).
        case autobind
    }

    /// Parses `bytes` (the caller's address, `bytes.count` its length, at most 128 as Linux copies
    /// at most a sockaddr_storage). EINVAL for a wrong family or length.
    public static func parse(_ bytes: [UInt8]) throws(Errno) -> Request {
        let offset = LinuxSockaddrUn.pathOffset
        guard bytes.count >= offset else { throw .EINVAL }
        let family = UInt16(bytes[0]) | UInt16(bytes[1]) << 8
        guard family == LinuxSocket.AF_UNIX else { throw .EINVAL }
        if bytes.count == offset { return .autobind }
        guard bytes.count <= MemoryLayout<LinuxSockaddrUn>.size else { throw .EINVAL }
        let path = bytes[offset...]
        if path.first == 0 { return .name(.abstract(Array(path.dropFirst()))) }
        // A path ends at its first NUL, or at the end of the address (Linux adds the NUL).
        let end = path.firstIndex(of: 0) ?? path.endIndex
        return .name(.path(Array(path[path.startIndex..<end])))
    }

    /// The sockaddr_un bytes Linux reports for this name (their count is the reported length):
    /// family, then the path with its NUL, or a NUL and the abstract name.
    public var encoded: [UInt8] {
        var out: [UInt8] = [UInt8(truncatingIfNeeded: LinuxSocket.AF_UNIX), 0]
        switch self {
        case .unnamed: break
        case .path(let p): out += p; out.append(0)
        case .abstract(let a): out.append(0); out += a
        }
        return out
    }

    /// The name autobind gives: an abstract name of five hex digits, as Linux's unix_autobind.
    public static func autobindName(_ n: UInt32) -> UnixAddress {
        let digits: [UInt8] = Array("0123456789abcdef".utf8)
        var name: [UInt8] = []
        for shift in stride(from: 16, through: 0, by: -4) { name.append(digits[Int((n >> UInt32(shift)) & 0xf)]) }
        return .abstract(name)
    }

    public var isNamed: Bool { self != .unnamed }
}
