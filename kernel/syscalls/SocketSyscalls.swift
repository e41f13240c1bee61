import LichenCore

/// The socket calls, until there is a socket layer: no address family is supported yet, so socket
/// and socketpair fail with EAFNOSUPPORT (logged once), and a call on a descriptor gives EBADF or,
/// since no descriptor can be a socket, ENOTSOCK, as Linux does for a file that is not a socket.
/// Programs probe these (ENOSYS made some treat it as fatal).
enum SocketSyscalls {
    private static let reported = ReportOnce(count: 1)

    // MARK: Making sockets

    /// socket(domain, type, protocol).
    static func socket(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let domain = a[0]
        throw unsupportedFamily(domain)
    }

    /// socketpair(domain, type, protocol, sv).
    static func socketpair(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let domain = a[0]
        throw unsupportedFamily(domain)
    }

    // MARK: Calls on a socket descriptor

    static func bind(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func listen(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func accept(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func accept4(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func connect(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func getsockname(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func getpeername(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func sendto(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func recvfrom(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func setsockopt(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func getsockopt(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func shutdown(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func sendmsg(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func recvmsg(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func sendmmsg(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }
    static func recvmmsg(_ a: SyscallArguments) throws(Errno) -> UInt64 { try notASocket(a, a.fd(0)) }

    // MARK: Shared

    private static func unsupportedFamily(_ domain: UInt64) -> Errno {
        if reported.first(0) {
            KernelLog.warning("socket: no address family is implemented yet (family " + Format.decimal(domain & 0xffff)
                              + "): EAFNOSUPPORT")
        }
        return .EAFNOSUPPORT
    }

    /// EBADF if `fd` is not open, else ENOTSOCK: no descriptor is a socket yet.
    private static func notASocket(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> UInt64 {
        _ = try a.process.file(fd)
        throw .ENOTSOCK
    }
}
