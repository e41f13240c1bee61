import LichenCore

/// The console terminal's ioctls: termios, window size, job control. The process-group and session
/// ones work only on the caller's controlling terminal (ENOTTY otherwise, as Linux).
extension ConsoleTTY {
    /// TIOCSCTTY's argument: take the terminal even from another session (root only on Linux).
    static let stealTerminal: UInt64 = 1

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        let pid = caller.processID
        let ids = Processes.withTable { t in (t.record(pid)?.sid ?? 0, t.record(pid)?.pgid ?? 0) }
        let isControlling = ids.0 != 0 && session == ids.0
        switch request {
        case LinuxIoctl.TCGETS:
            try caller.store(termios, to: argument)
        case LinuxIoctl.TCSETS, LinuxIoctl.TCSETSW, LinuxIoctl.TCSETSF:
            setTermios(try caller.load(LinuxTermios.self, from: argument), flushInput: request == LinuxIoctl.TCSETSF)
        case LinuxIoctl.TIOCGWINSZ:
            try caller.store(windowSize, to: argument)
        case LinuxIoctl.TIOCSWINSZ:
            setWindowSize(try caller.load(LinuxWinsize.self, from: argument))
        case LinuxIoctl.TIOCGPGRP:
            guard isControlling else { throw .ENOTTY }
            try caller.store(foregroundGroup, to: argument)
        case LinuxIoctl.TIOCSPGRP:
            guard isControlling else { throw .ENOTTY }
            let group = try caller.load(Int32.self, from: argument)
            guard group > 0 else { throw .EINVAL }
            guard Processes.withTable({ t in t.members(ofGroup: group).contains { m in t.record(m)?.sid == ids.0 } }) else { throw .EPERM }
            foregroundGroup = group
        case LinuxIoctl.TIOCGSID:
            guard isControlling else { throw .ENOTTY }
            try caller.store(session, to: argument)
        case LinuxIoctl.TIOCSCTTY:                                 // a session leader takes the terminal
            guard ids.0 == pid else { throw .EPERM }
            guard acquire(session: ids.0, group: ids.1, steal: argument == ConsoleTTY.stealTerminal && caller.has(.CAP_SYS_ADMIN)) else { throw .EPERM }
        case LinuxIoctl.TIOCNOTTY:
            guard isControlling else { throw .ENOTTY }
            if ids.0 == pid { release(session: ids.0) }
        case LinuxIoctl.FIONREAD:
            try caller.store(Int32(bytesAvailable), to: argument)
        case LinuxIoctl.TCFLSH:                                    // output is never queued: only input is dropped
            guard argument <= LinuxIoctl.TCIOFLUSH else { throw .EINVAL }
            if argument != LinuxIoctl.TCOFLUSH { flushInput() }
        case ConsoleTTY.TIOCSTI:                                   // the caller's own terminal, or CAP_SYS_ADMIN
            guard isControlling || caller.has(.CAP_SYS_ADMIN) else { throw .EPERM }
            inject(try caller.load(UInt8.self, from: argument))
        case ConsoleTTY.TIOCCONS:
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EPERM }
            // The console is the only terminal: console output already goes to it.
        default: throw .ENOTTY
        }
        return 0
    }

    static let TIOCSTI: UInt32 = 0x5412, TIOCCONS: UInt32 = 0x541d

    /// TIOCSTI: a byte taken as if typed (echo and signals included).
    private func inject(_ byte: UInt8) {
        let effects = discipline.update { $0.receive(byte) }
        if !effects.echo.isEmpty, let console = KernelLog.console { for b in effects.echo { console.write(b) } }
        if let signal = effects.signal { ConsoleTTY.signalForeground(foregroundGroup, signal) }
    }
}
