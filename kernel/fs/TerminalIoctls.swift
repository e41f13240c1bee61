import LichenCore
import _Concurrency

/// The terminal ioctls the console and pty slaves share (Linux's tty_ioctl and n_tty_ioctl): termios,
/// window size, job control, queues. The process-group and session ones work only on the caller's
/// controlling terminal (ENOTTY otherwise, as Linux), except through a pty's master (`viaMaster`),
/// which reads its slave's foreground group and session without being the caller's terminal.
extension Terminal {
    /// TIOCSCTTY's argument: take the terminal even from another session (root only on Linux).
    static let stealTerminal: UInt64 = 1

    func terminalIoctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller,
                       viaMaster: Bool = false) async throws(Errno) -> Int64 {
        let pid = caller.processID
        let ids = Processes.withTable { t in (t.record(pid)?.sid ?? 0, t.record(pid)?.pgid ?? 0) }
        let isControlling = ids.0 != 0 && session == ids.0
        switch request {
        case LinuxIoctl.TCGETS:
            try caller.store(termios, to: argument)
        case LinuxIoctl.TCSETS, LinuxIoctl.TCSETSW, LinuxIoctl.TCSETSF:
            try checkBackground(.SIGTTOU)
            setTermios(try caller.load(LinuxTermios.self, from: argument), flushInput: request == LinuxIoctl.TCSETSF)
        case LinuxIoctl.TIOCGWINSZ:
            try caller.store(windowSize, to: argument)
        case LinuxIoctl.TIOCSWINSZ:
            setWindowSize(try caller.load(LinuxWinsize.self, from: argument))
        case LinuxIoctl.TIOCGPGRP:
            guard isControlling || viaMaster else { throw .ENOTTY }
            try caller.store(foregroundGroup, to: argument)
        case LinuxIoctl.TIOCSPGRP:                                 // Linux's tiocspgrp, in its order
            do throws(Errno) { try checkBackground(.SIGTTOU) } catch { throw error == .EIO ? .ENOTTY : error }
            let group = try caller.load(Int32.self, from: argument)
            guard group >= 0 else { throw .EINVAL }
            guard isControlling else { throw .ENOTTY }
            // Linux's session_of_pgrp: the group's session, else that of the process with the number.
            let sid = Processes.withTable { t in t.members(ofGroup: group).first.flatMap { t.record($0)?.sid } ?? t.record(group)?.sid }
            guard let sid else { throw .ESRCH }
            guard sid == ids.0 else { throw .EPERM }
            foregroundGroup = group
        case LinuxIoctl.TIOCGSID:
            guard isControlling || viaMaster else { throw .ENOTTY }
            let sid = session
            guard sid != 0 else { throw .ENOTTY }
            try caller.store(sid, to: argument)
        case LinuxIoctl.TIOCSCTTY:                                 // a session leader takes the terminal
            if ids.0 == pid && isControlling { return 0 }
            guard ids.0 == pid, Terminals.controlling(session: ids.0) == nil else { throw .EPERM }
            let steal = argument == Terminal.stealTerminal && caller.has(.CAP_SYS_ADMIN)
            guard acquire(session: ids.0, group: ids.1, steal: steal) else { throw .EPERM }
        case LinuxIoctl.TIOCNOTTY:
            guard isControlling && !viaMaster else { throw .ENOTTY }
            if ids.0 == pid {                                      // the leader: SIGHUP and SIGCONT to the foreground
                let group = foregroundGroup
                release(session: ids.0)
                if group > 0 { Task { ProcessSignals.send(.SIGHUP, toGroup: group); ProcessSignals.send(.SIGCONT, toGroup: group) } }
            }
        case LinuxIoctl.FIONREAD:
            try caller.store(Int32(bytesAvailable), to: argument)
        case LinuxIoctl.TIOCOUTQ:                                  // output is never held back on this side
            try caller.store(Int32(0), to: argument)
        case LinuxIoctl.TCFLSH:
            try checkBackground(.SIGTTOU)
            guard argument <= LinuxIoctl.TCIOFLUSH else { throw .EINVAL }
            let pty = isPtySlave
            core.update { $0.flush(input: argument != LinuxIoctl.TCOFLUSH, output: argument != LinuxIoctl.TCIFLUSH, pty: pty) }
        case LinuxIoctl.TCXONC:
            try checkBackground(.SIGTTOU)
            try flowControl(argument)
        case LinuxIoctl.TCSBRK, LinuxIoctl.TCSBRKP:                // tcdrain / tcsendbreak: output is already out
            try checkBackground(.SIGTTOU)
        case LinuxIoctl.TIOCSTI:                                   // fake input: own terminal, or CAP_SYS_ADMIN
            guard isControlling || caller.has(.CAP_SYS_ADMIN) else { throw .EPERM }
            let byte = try caller.load(UInt8.self, from: argument)
            try await simulateInput(byte)
        case Terminal.TIOCCONS:                                    // console output redirection
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EPERM }
            // The console's output already goes to the console; redirecting it to a pty is not supported.
            if isPtySlave { throw .EINVAL }
        default: throw .ENOTTY
        }
        return 0
    }

    static let TIOCCONS: UInt32 = 0x541d

    /// TIOCSTI: one byte through the line discipline as if typed.
    func simulateInput(_ byte: UInt8) async throws(Errno) {
        let effects = core.update { (c: inout TerminalCore) -> LineDiscipline.Effects in
            let e = c.discipline.receive(byte)
            if let change = e.flow { c.noteFlow(change) }
            return e
        }
        if let c = effects.transmit { transmitCharacter(c) }
        if !effects.echo.isEmpty { echo(effects.echo) }
        if let signal = effects.signal { raiseInForeground(signal) }
    }
}
