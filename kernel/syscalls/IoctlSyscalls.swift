import LichenCore
import _Concurrency

/// ioctl: the requests every descriptor answers (Linux's do_vfs_ioctl), then the file's own
/// operations, which decode their device's requests (the terminal's in TerminalIoctls.swift, the
/// RTC's in RTCDevice.swift, FIONREAD in Pipe).
enum IoctlSyscalls {
    static func ioctl(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), request = a[1], argument = a[2]
        let file = try a.process.file(fd)
        if file.isPathOnly { throw .EBADF }
        if let done = try descriptorIoctl(a, file, fd: fd, request: request, pointer: a.address(2)) { return done }
        // The device sees Linux's `unsigned int` request.
        let caller = IoctlCaller(processID: a.process.pid, capabilities: a.credentials.effective,
                                 memory: ThreadUserMemory(a.user))
        return result(try await file.ioctl(request: UInt32(truncatingIfNeeded: request), argument: argument, caller: caller))
    }

    /// The requests every file answers, before its own (Linux's do_vfs_ioctl); nil for the others.
    static func descriptorIoctl(_ a: SyscallArguments, _ file: OpenFile, fd: Int32, request: UInt64, pointer: UserAddr) throws(Errno) -> UInt64? {
        switch request {
        case UInt64(LinuxIoctl.FIONBIO):
            file.setNonBlocking(try a.user.load(Int32.self, from: pointer) != 0)
        case UInt64(LinuxIoctl.FIOCLEX), UInt64(LinuxIoctl.FIONCLEX):
            let set = request == UInt64(LinuxIoctl.FIOCLEX)
            try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) in try t.setCloseOnExec(fd, set) }
        default:
            return nil
        }
        return 0
    }
}

/// The calling process's memory, for the device answering its ioctl.
final class ThreadUserMemory: CallerMemory {
    private let user: UserMemory

    init(_ user: UserMemory) { self.user = user }

    func copyIn(_ destination: UnsafeMutableRawBufferPointer, from address: UserAddr) throws(Errno) {
        try user.read(destination, from: address)
    }

    func copyOut(_ source: UnsafeRawBufferPointer, to address: UserAddr) throws(Errno) {
        try user.write(source, to: address)
    }
}
