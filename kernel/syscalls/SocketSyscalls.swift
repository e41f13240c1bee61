import LichenCore

/// The socket calls, until there is a socket layer: no address family is supported yet, so socket
/// and socketpair fail with EAFNOSUPPORT (logged once), and a call on a descriptor gives EBADF or,
/// since no descriptor can be a socket, ENOTSOCK, as Linux does for a file that is not a socket.
/// Programs probe these (ENOSYS made some treat it as fatal).
enum SocketSyscalls {
    private static let reported = ReportOnce(count: 1)

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 198, 199:                                           // socket, socketpair
            if reported.first(0) {
                KernelLog.warning("socket: no address family is implemented yet (family " + Format.decimal(a[0] & 0xffff)
                                  + "): EAFNOSUPPORT")
            }
            throw .EAFNOSUPPORT
        case 200, 201, 202, 203, 204, 205, 206, 207, 208, 209, 210, 211, 212, 242, 243, 269:
            // bind listen accept connect getsockname getpeername sendto recvfrom setsockopt getsockopt
            // shutdown sendmsg recvmsg accept4 recvmmsg sendmmsg
            _ = try a.process.file(a.fd(0))
            throw .ENOTSOCK
        default: return nil
        }
    }
}
