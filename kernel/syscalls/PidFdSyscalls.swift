import LichenCore

/// A process file descriptor (pidfd_open): names a process by pid and start time (a reused pid is
/// another process) without keeping it alive; readable once every thread of it has exited.
final class PidFD: FileOperations, @unchecked Sendable {
    let pid: Int32
    let startTime: UInt64
    private let queue: WaitQueue

    init(_ process: Process) {
        pid = process.pid
        startTime = process.startTime
        queue = process.threadsChanged.waitQueue
    }

    /// A zombie's: exited already (no Process object is left to match).
    init(zombie pid: Int32) {
        self.pid = pid
        startTime = .max
        queue = WaitQueue()
    }

    /// The process, while it runs (nil once it exited, zombie or reaped).
    var live: Process? {
        guard let p = Processes.process(pid), p.startTime == startTime else { return nil }
        return p.signals.withLock { $0.group.count } > 0 ? p : nil
    }

    /// Linux's pid_has_task: the process exists, running or a zombie not yet reaped (fdinfo's Pid).
    var hasTask: Bool {
        if live != nil { return true }
        guard let record = Processes.withTable({ $0.record(pid) }), case .zombie = record.state else { return false }
        return startTime == .max || Processes.process(pid)?.startTime ?? startTime == startTime
    }

    func poll(_ file: OpenFile) -> PollEvents { live == nil ? .readable : [] }
    func pollQueue(_ file: OpenFile) -> WaitQueue? { queue }
}

/// pidfd_open, pidfd_send_signal, pidfd_getfd.
enum PidFdSyscalls {
    static let PIDFD_NONBLOCK: UInt64 = 0o4000

    static func pidfd_open(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), flags = a.uint32(1)
        guard UInt64(flags) & ~PIDFD_NONBLOCK == 0, pid > 0 else { throw .EINVAL }
        let operations: PidFD
        if let process = Processes.process(pid) {
            operations = PidFD(process)
        } else if Processes.withTable({ $0.record(pid) })?.isZombie == true {
            operations = PidFD(zombie: pid)                          // a zombie still has its pid, as Linux
        } else {
            if Processes.thread(pid) != nil { throw .EINVAL }        // a thread that leads no process
            throw .ESRCH
        }
        return try EventFdSyscalls.install(a, operations, nonBlocking: UInt64(flags) & PIDFD_NONBLOCK != 0, closeOnExec: true)
    }

    static func pidfd(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> PidFD {
        guard let p = try a.process.file(fd).operations as? PidFD else { throw .EBADF }
        return p
    }

    /// pidfd_send_signal(pidfd, sig, info, flags): kill's permission rules; with a siginfo, only a
    /// process signalling itself may claim a kernel or kill() origin.
    static func pidfd_send_signal(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), signo = a.int32(1), infoAddress = a.address(2), flags = a.uint32(3)
        guard flags == 0 else { throw .EINVAL }
        let target = try pidfd(a, fd)
        var info = LinuxSigInfo.kill(signo: signo, pid: a.process.pid, uid: a.credentials.uid)
        if infoAddress.value != 0 {
            info = try a.user.load(LinuxSigInfo.self, from: infoAddress)
            guard info.si_signo == signo else { throw .EINVAL }
            if target.pid != a.process.pid && (info.si_code >= 0 || info.si_code == LinuxSigInfo.SI_TKILL) { throw .EPERM }
        }
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        guard let process = target.live else {
            // Exited, not reaped: the permission check passes and the signal is dropped, as kill.
            if let p = Processes.process(target.pid), p.startTime == target.startTime { return 0 }
            if SignalSyscalls.mayKillZombie(a.thread, target.pid) { return 0 }
            throw .ESRCH
        }
        guard SignalSyscalls.mayKill(a.thread, process, signo) else { throw .EPERM }
        if signo != 0 { ProcessSignals.send(info, to: process) }
        return 0
    }

    /// pidfd_getfd(pidfd, targetfd, flags): a duplicate of the other process's descriptor, close-on-exec,
    /// for a caller that could ptrace it (CAP_SYS_PTRACE, or the same real user and groups on both sides and a dumpable target).
    static func pidfd_getfd(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), targetFD = a.fd(1), flags = a.uint32(2)
        guard flags == 0 else { throw .EINVAL }
        let target = try pidfd(a, fd)
        guard let process = Processes.process(target.pid), process.startTime == target.startTime else { throw .ESRCH }
        let me = a.credentials, them = process.credentials
        let sameUser = me.uid == them.uid && me.uid == them.euid && me.uid == them.suid
            && me.gid == them.gid && me.gid == them.egid && me.gid == them.sgid
        let dumpable = process.control.withLock { $0.dumpable } == 1
        guard me.has(.CAP_SYS_PTRACE) || (sameUser && dumpable) else { throw .EPERM }
        let file = try process.file(targetFD)
        return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: true)
        })
    }
}
