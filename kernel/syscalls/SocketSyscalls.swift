import LichenCore
import _Concurrency

/// The socket calls that make, name and connect sockets (the family's `Socket` does the work;
/// data transfer is in SocketMessageSyscalls, options in SocketOptionSyscalls). AF_UNIX and
/// AF_NETLINK (NETLINK_ROUTE) are the families: others give EAFNOSUPPORT (logged once per family);
/// a descriptor that is not a socket ENOTSOCK.
enum SocketSyscalls {
    private static let reported = ReportOnce(count: Int(LinuxSocket.AF_MAX))
    private static let reportedNetlink = ReportOnce(count: Int(LinuxNetlink.MAX_LINKS))
    /// The largest address any call copies in (sizeof(struct sockaddr_storage)).
    static let addressCapacity = 128
    static let SOCK_MAX: Int32 = 11

    // MARK: Making sockets

    /// The checks socket and socketpair share (Linux's __sys_socket, __sock_create, unix_create):
    /// the type and its flags, then family, then type and protocol for the family.
    private static func newSocketType(_ a: SyscallArguments) throws(Errno) -> (type: Int32, flags: Int32, family: UInt16) {
        let domain = a.int32(0), rawType = a.int32(1), proto = a.int32(2)
        let flags = rawType & ~LinuxSocket.SOCK_TYPE_MASK
        guard flags & ~(LinuxSocket.SOCK_NONBLOCK | LinuxSocket.SOCK_CLOEXEC) == 0 else { throw .EINVAL }
        var type = rawType & LinuxSocket.SOCK_TYPE_MASK
        guard domain >= 0 && UInt32(domain) < LinuxSocket.AF_MAX else { throw .EAFNOSUPPORT }
        guard type < SOCK_MAX else { throw .EINVAL }
        if UInt16(domain) == LinuxNetlink.AF_NETLINK {
            // netlink_create: the type, then the protocol; NETLINK_ROUTE is the only one Lichen has.
            guard type == LinuxSocket.SOCK_RAW || type == LinuxSocket.SOCK_DGRAM else { throw .ESOCKTNOSUPPORT }
            guard proto == LinuxNetlink.NETLINK_ROUTE else {
                if proto >= 0 && proto < LinuxNetlink.MAX_LINKS && reportedNetlink.first(Int(proto)) {
                    KernelLog.warning("socket: netlink protocol " + Format.decimal(UInt64(proto)) + " is not implemented: EPROTONOSUPPORT")
                }
                throw .EPROTONOSUPPORT
            }
            return (type, flags, LinuxNetlink.AF_NETLINK)
        }
        guard UInt16(domain) == LinuxSocket.AF_UNIX else { throw unsupportedFamily(domain) }
        guard proto == 0 || proto == Int32(LinuxSocket.AF_UNIX) else { throw .EPROTONOSUPPORT }
        if type == LinuxSocket.SOCK_RAW { type = LinuxSocket.SOCK_DGRAM }   // as unix_create
        guard type == LinuxSocket.SOCK_STREAM || type == LinuxSocket.SOCK_DGRAM || type == LinuxSocket.SOCK_SEQPACKET else {
            throw .ESOCKTNOSUPPORT
        }
        return (type, flags, LinuxSocket.AF_UNIX)
    }

    /// socket(domain, type, protocol).
    static func socket(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let (type, flags, family) = try newSocketType(a)
        let caller = SocketSyscalls.caller(a)
        let socket: any Socket = family == LinuxNetlink.AF_NETLINK ? NetlinkSocket(type: type) : UnixSocket(type: type, owner: caller.ucred)
        let file = SocketFile.open(socket, nonBlocking: flags & LinuxSocket.SOCK_NONBLOCK != 0, caller: caller)
        return result(try install(a, file, closeOnExec: flags & LinuxSocket.SOCK_CLOEXEC != 0))
    }

    /// socketpair(domain, type, protocol, sv).
    static func socketpair(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let vector = a.address(3)
        let (type, flags, family) = try newSocketType(a)
        guard family == LinuxSocket.AF_UNIX else { throw .EOPNOTSUPP }   // netlink has no pairs
        let caller = SocketSyscalls.caller(a)
        let (x, y) = UnixSocket.pair(type: type, owner: caller.ucred)
        let nonBlocking = flags & LinuxSocket.SOCK_NONBLOCK != 0, cloexec = flags & LinuxSocket.SOCK_CLOEXEC != 0
        let first = try install(a, SocketFile.open(x, nonBlocking: nonBlocking, caller: caller), closeOnExec: cloexec)
        let second: Int32
        do throws(Errno) {
            second = try install(a, SocketFile.open(y, nonBlocking: nonBlocking, caller: caller), closeOnExec: cloexec)
        } catch {
            close(a, [first])
            throw error
        }
        do throws(Errno) {
            try a.user.store((first, second), to: vector)
        } catch {
            close(a, [first, second])                         // as Linux: nothing left behind
            throw error
        }
        return 0
    }

    // MARK: Names and connections

    static func bind(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), address = a.address(1), length = a.int32(2)
        let socket = try SocketSyscalls.socket(a, fd)
        let bytes = try readAddress(a, address, length)
        try await socket.bind(bytes, caller: caller(a))
        return 0
    }

    static func listen(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), backlog = a.int32(1)
        try socket(a, fd).listen(backlog: backlog, caller: caller(a))
        return 0
    }

    static func accept(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await accept(a, flags: 0)
    }

    static func accept4(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await accept(a, flags: a.int32(3))
    }

    private static func accept(_ a: SyscallArguments, flags: Int32) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), address = a.address(1), lengthPointer = a.address(2)
        guard flags & ~(LinuxSocket.SOCK_NONBLOCK | LinuxSocket.SOCK_CLOEXEC) == 0 else { throw .EINVAL }
        let file = try a.process.file(fd)
        guard let listener = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        let connection = try await listener.accept(nonBlocking: file.isNonBlocking)
        let caller = SocketSyscalls.caller(a)
        let newFile = SocketFile.open(connection, nonBlocking: flags & LinuxSocket.SOCK_NONBLOCK != 0, caller: caller)
        if address.value != 0 {
            // A bad address loses the connection, as on Linux (the new file is dropped).
            try writeAddress(a, connection.peerAddressOrUnnamed(), to: address, length: lengthPointer)
        }
        return result(try install(a, newFile, closeOnExec: flags & LinuxSocket.SOCK_CLOEXEC != 0))
    }

    static func connect(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), address = a.address(1), length = a.int32(2)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        let bytes = try readAddress(a, address, length)
        try await socket.connect(bytes, nonBlocking: file.isNonBlocking, caller: caller(a))
        return 0
    }

    static func getsockname(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), address = a.address(1), lengthPointer = a.address(2)
        let socket = try socket(a, fd)
        try writeAddress(a, socket.localAddress(), to: address, length: lengthPointer)
        return 0
    }

    static func getpeername(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), address = a.address(1), lengthPointer = a.address(2)
        let socket = try socket(a, fd)
        try writeAddress(a, try socket.peerAddress(), to: address, length: lengthPointer)
        return 0
    }

    static func shutdown(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), how = a.int32(1)
        try socket(a, fd).shutdown(how)
        return 0
    }

    // MARK: Shared

    static func caller(_ a: SyscallArguments) -> SocketCaller {
        let fs = a.fs
        return SocketCaller(pid: a.process.pid, credentials: fs.credentials, fs: fs, process: a.process)
    }

    /// The socket behind `fd`: EBADF if it is not open, ENOTSOCK if it is no socket.
    static func socket(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> any Socket {
        guard let socket = (try a.process.file(fd).operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        return socket
    }

    /// An address argument (Linux's move_addr_to_kernel): EINVAL beyond sockaddr_storage, EFAULT.
    static func readAddress(_ a: SyscallArguments, _ address: UserAddr, _ length: Int32) throws(Errno) -> [UInt8] {
        guard length >= 0 && Int(length) <= addressCapacity else { throw .EINVAL }
        if length == 0 { return [] }
        return try a.user.bytes(at: address, count: Int(length))
    }

    /// An address result (move_addr_to_user): the caller's length says how much fits; the full
    /// length is written back. EINVAL for a negative length.
    static func writeAddress(_ a: SyscallArguments, _ bytes: [UInt8], to address: UserAddr, length lengthPointer: UserAddr) throws(Errno) {
        let room = try a.user.load(Int32.self, from: lengthPointer)
        guard room >= 0 else { throw .EINVAL }
        let n = min(Int(room), bytes.count)
        if n > 0 { try a.user.store(bytes: Array(bytes[0..<n]), to: address) }
        try a.user.store(Int32(bytes.count), to: lengthPointer)
    }

    static func install(_ a: SyscallArguments, _ file: OpenFile, closeOnExec: Bool) throws(Errno) -> Int32 {
        try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: closeOnExec)
        }
    }

    /// Closes descriptors this call installed; the files are dropped outside the table's lock
    /// (a socket's release takes other locks).
    static func close(_ a: SyscallArguments, _ fds: [Int32]) {
        let files = a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) -> [OpenFile] in
            var closed: [OpenFile] = []
            for fd in fds { if let f = try? t.close(fd) { closed.append(f) } }
            return closed
        }
        _ = files
    }

    private static func unsupportedFamily(_ domain: Int32) -> Errno {
        if reported.first(Int(domain)) {
            KernelLog.warning("socket: only AF_UNIX and AF_NETLINK are implemented (family " + Format.decimal(UInt64(domain)) + "): EAFNOSUPPORT")
        }
        return .EAFNOSUPPORT
    }
}

extension Socket {
    /// accept's peer address: the connecting socket's name, or the family alone.
    func peerAddressOrUnnamed() -> [UInt8] {
        (try? peerAddress()) ?? UnixAddress.unnamed.encoded
    }
}
