import LichenCore
import _Concurrency

/// The master's ioctls (Linux's pty_unix98_ioctl, then tty_ioctl with the slave as the "real tty"
/// for window size and job control).
extension PtyMaster {
    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        let pair = try pair(file)
        let core = pair.core
        switch request {
        case LinuxIoctl.TIOCGPTN:
            try caller.store(UInt32(pair.index), to: argument)
        case LinuxIoctl.TIOCSPTLCK:
            let lock = try caller.load(Int32.self, from: argument) != 0
            core.update { $0.locked = lock }
        case LinuxIoctl.TIOCGPTLCK:
            try caller.store(Int32(core.value.locked ? 1 : 0), to: argument)
        case LinuxIoctl.TIOCPKT:
            let on = try caller.load(Int32.self, from: argument) != 0
            core.update { $0.setPacketMode(on) }
        case LinuxIoctl.TIOCGPKT:
            try caller.store(Int32(core.value.packetMode ? 1 : 0), to: argument)
        case LinuxIoctl.TIOCGPTPEER:
            return Int64(try await openPeer(pair, flags: UInt32(truncatingIfNeeded: argument), caller: caller))
        case LinuxIoctl.FIONREAD:
            try caller.store(Int32(core.value.outputCount), to: argument)
        case LinuxIoctl.TIOCOUTQ:
            try caller.store(Int32(0), to: argument)
        case LinuxIoctl.TCFLSH:                                    // the master's input is the slave's output
            guard argument <= LinuxIoctl.TCIOFLUSH else { throw .EINVAL }
            if argument != LinuxIoctl.TCOFLUSH { core.update { $0.flushOutputQueue() } }
        case LinuxIoctl.TCSBRK, LinuxIoctl.TCSBRKP:
            break
        case LinuxIoctl.TCXONC:                                    // the master's own flow
            switch argument {
            case LinuxIoctl.TCOOFF, LinuxIoctl.TCOON:
                core.update { $0.masterUserFlow(stop: argument == LinuxIoctl.TCOOFF) }
            case LinuxIoctl.TCIOFF, LinuxIoctl.TCION:
                let c = argument == LinuxIoctl.TCIOFF ? TerminalCore.masterStop : TerminalCore.masterStart
                if let signal = core.update({ $0.masterSendCharacter(c) }) { pair.slave.raiseInForeground(signal) }
            default: throw .EINVAL
            }
        case LinuxIoctl.TIOCSTI:                                   // never the caller's terminal: CAP_SYS_ADMIN
            guard caller.has(.CAP_SYS_ADMIN) else { throw .EPERM }
            let byte = try caller.load(UInt8.self, from: argument)
            core.update { $0.queueEcho([byte]) }
        case LinuxIoctl.TCGETS, LinuxIoctl.TCSETS, LinuxIoctl.TCSETSW, LinuxIoctl.TCSETSF,  // the slave's termios (tty_mode_ioctl)
             LinuxIoctl.TIOCGWINSZ, LinuxIoctl.TIOCSWINSZ, LinuxIoctl.TIOCGPGRP, LinuxIoctl.TIOCSPGRP, LinuxIoctl.TIOCGSID,
             LinuxIoctl.TIOCSCTTY, LinuxIoctl.TIOCNOTTY:
            return try await pair.slave.terminalIoctl(file, request: request, argument: argument, caller: caller, viaMaster: true)
        default: throw .ENOTTY
        }
        return 0
    }

    /// TIOCGPTPEER: the slave opened through devpts with `flags` (O_NOCTTY, O_CLOEXEC...), as a new
    /// descriptor of the caller.
    private func openPeer(_ pair: PtyPair, flags raw: UInt32, caller: IoctlCaller) async throws(Errno) -> Int32 {
        let flags = LinuxArch.openFlags(fromUser: raw)
        guard let mount = Devpts.shared.mount, let process = Processes.process(caller.processID) else { throw .EIO }
        let file = OpenFile(location: Location(mount: mount, inode: pair.node), flags: flags, operations: pair.slave)
        try await pair.slave.open(file)
        pair.slave.openedBy(caller.processID, flags: flags)
        return try process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags.contains(.O_CLOEXEC))
        }
    }
}
