import LichenCore
import _Concurrency

/// ioctl: the requests every descriptor answers, then the device's own. The terminal's requests
/// are decoded here because they copy structures to and from user space; other drivers get the raw
/// request (FileOperations.ioctl) or decode their own (RTCDevice).
enum IoctlSyscalls {
    // Requests (asm-generic/ioctls.h); compared with the whole register, as before.
    static let TCGETS: UInt64 = 0x5401, TCSETS: UInt64 = 0x5402, TCSETSW: UInt64 = 0x5403, TCSETSF: UInt64 = 0x5404
    static let TCFLSH: UInt64 = 0x540b
    static let TIOCSCTTY: UInt64 = 0x540e, TIOCGPGRP: UInt64 = 0x540f, TIOCSPGRP: UInt64 = 0x5410
    static let TIOCGWINSZ: UInt64 = 0x5413, TIOCSWINSZ: UInt64 = 0x5414
    static let FIONREAD: UInt64 = 0x541b, FIONBIO: UInt64 = 0x5421, TIOCNOTTY: UInt64 = 0x5422, TIOCGSID: UInt64 = 0x5429
    static let FIONCLEX: UInt64 = 0x5450, FIOCLEX: UInt64 = 0x5451
    /// TCFLSH's argument.
    static let TCIFLUSH: UInt64 = 0, TCOFLUSH: UInt64 = 1, TCIOFLUSH: UInt64 = 2
    /// TIOCSCTTY's argument: take the terminal even from another session (root only on Linux).
    static let stealTerminal: UInt64 = 1

    static func ioctl(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), request = a[1], argument = a[2], pointer = a.address(2)
        let file = try a.process.file(fd)
        if file.isPathOnly { throw .EBADF }
        if let done = try descriptorIoctl(a, file, fd: fd, request: request, pointer: pointer) { return done }
        if file.operations === RTCDevice.shared { return try RTCDevice.ioctl(a) }
        guard file.operations === ConsoleTTY.shared else {
            if request == FIONREAD {                               // pipes: the count comes back as the value
                try a.user.store(Int32(truncatingIfNeeded: try await file.ioctl(request: UInt32(FIONREAD), argument: 0)), to: pointer)
                return 0
            }
            return result(try await file.ioctl(request: UInt32(truncatingIfNeeded: request), argument: argument))
        }
        try terminalIoctl(a, request: request, argument: argument, pointer: pointer)
        return 0
    }

    /// The requests every file answers, before its own (Linux's do_vfs_ioctl); nil for the others.
    static func descriptorIoctl(_ a: SyscallArguments, _ file: OpenFile, fd: Int32, request: UInt64, pointer: UserAddr) throws(Errno) -> UInt64? {
        switch request {
        case FIONBIO:
            file.setNonBlocking(try a.user.load(Int32.self, from: pointer) != 0)
        case FIOCLEX, FIONCLEX:
            try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) in try t.setCloseOnExec(fd, request == FIOCLEX) }
        default:
            return nil
        }
        return 0
    }

    /// The console terminal's requests. The process-group and session ones work only on the
    /// caller's controlling terminal (ENOTTY otherwise, as Linux).
    private static func terminalIoctl(_ a: SyscallArguments, request: UInt64, argument: UInt64, pointer: UserAddr) throws(Errno) {
        let tty = ConsoleTTY.shared
        let ids = Processes.withTable { t in (t.record(a.process.pid)?.sid ?? 0, t.record(a.process.pid)?.pgid ?? 0) }
        let isControlling = ids.0 != 0 && tty.session == ids.0
        switch request {
        case TCGETS:
            try a.user.store(tty.termios, to: pointer)
        case TCSETS, TCSETSW, TCSETSF:
            tty.setTermios(try a.user.load(LinuxTermios.self, from: pointer), flushInput: request == TCSETSF)
        case TIOCGWINSZ:
            try a.user.store(tty.windowSize, to: pointer)
        case TIOCSWINSZ:
            tty.setWindowSize(try a.user.load(LinuxWinsize.self, from: pointer))
        case TIOCGPGRP:
            guard isControlling else { throw .ENOTTY }
            try a.user.store(tty.foregroundGroup, to: pointer)
        case TIOCSPGRP:
            guard isControlling else { throw .ENOTTY }
            let group = try a.user.load(Int32.self, from: pointer)
            guard group > 0 else { throw .EINVAL }
            guard Processes.withTable({ t in t.members(ofGroup: group).contains { m in t.record(m)?.sid == ids.0 } }) else { throw .EPERM }
            tty.foregroundGroup = group
        case TIOCGSID:
            guard isControlling else { throw .ENOTTY }
            try a.user.store(tty.session, to: pointer)
        case TIOCSCTTY:                                            // a session leader takes the terminal
            guard ids.0 == a.process.pid else { throw .EPERM }
            guard tty.acquire(session: ids.0, group: ids.1, steal: argument == stealTerminal) else { throw .EPERM }
        case TIOCNOTTY:
            guard isControlling else { throw .ENOTTY }
            if ids.0 == a.process.pid { tty.release(session: ids.0) }
        case FIONREAD:
            try a.user.store(Int32(tty.bytesAvailable), to: pointer)
        case TCFLSH:                                               // output is never queued: only input is dropped
            guard argument <= TCIOFLUSH else { throw .EINVAL }
            if argument != TCOFLUSH { tty.flushInput() }
        default: throw .ENOTTY
        }
    }
}
