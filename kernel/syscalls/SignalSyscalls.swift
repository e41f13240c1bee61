import LichenCore
import _Concurrency

/// Signal syscalls: sending (kill, tkill, tgkill), dispositions and masks, waiting, rt_sigreturn.
enum SignalSyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> SyscallOutcome? {
        switch number {
        case 129: return .value(try kill(a))
        case 130: return .value(try threadKill(a, group: nil, tid: a.int32(0), signal: a.int32(1)))     // tkill
        case 131: return .value(try threadKill(a, group: a.int32(0), tid: a.int32(1), signal: a.int32(2)))  // tgkill
        case 138: return .value(try queueInfo(a, group: a.int32(0), tid: nil, signal: a.int32(1), info: a.address(2)))   // rt_sigqueueinfo
        case 240: return .value(try queueInfo(a, group: a.int32(0), tid: a.int32(1), signal: a.int32(2), info: a.address(3)))  // rt_tgsigqueueinfo
        case 132: return .value(try sigaltstack(a))
        case 133: return .value(try await sigsuspend(a))
        case 134: return .value(try sigaction(a))
        case 136:                                                   // rt_sigpending
            guard a[1] == 8 else { throw .EINVAL }
            let set = a.process.signals.withLock { $0.process.sigpending($0.threads[a.thread.index]) }
            try a.user.store(set.bits, to: a.address(0))
            return .value(0)
        case 137: return .value(try await sigtimedwait(a))
        case 139:                                                   // rt_sigreturn
            await a.thread.signalReturn()
            return .noReturnValue
        default: return nil
        }
    }

    static func kill(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let targets = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> [Int32] in
            try t.killTargets(pid: a.int32(0), caller: a.process.pid)
        }
        let signo = a.int32(1)
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        let allowed = targets.filter { pid in
            if let target = Processes.process(pid) { return mayKill(a.process, target, signo) }
            return mayKillZombie(a.process, pid)
        }
        guard allowed.count > 0 || targets.isEmpty else { throw .EPERM }
        guard signo != 0 else { return 0 }                          // existence and permission check only
        ProcessSignals.send(LinuxSigInfo.kill(signo: signo, pid: a.process.pid, uid: a.process.credentials.uid), toPids: allowed)
        return 0
    }

    /// Linux's kill_ok_by_cred, plus SIGCONT within the sender's session.
    static func mayKill(_ sender: Process, _ target: Process, _ signo: Int32) -> Bool {
        if sender.credentials.maySignal(target.credentials) { return true }
        guard signo == Signal.SIGCONT.number else { return false }
        return Processes.withTable { t in t.record(sender.pid)?.sid == t.record(target.pid)?.sid }
    }

    /// A zombie (exited, not reaped: no Process object left) may be signalled, as on Linux: the
    /// permission check passes and the signal is dropped (nothing will ever run to take it).
    static func mayKillZombie(_ sender: Process, _ pid: Int32) -> Bool {
        guard let r = Processes.withTable({ $0.record(pid) }), r.isZombie else { return false }
        return sender.credentials.maySignal(zombieUID: r.uid)
    }

    /// tkill/tgkill: one thread, by tid (tgkill also checks its process).
    static func threadKill(_ a: SyscallArguments, group: Int32?, tid: Int32, signal signo: Int32) throws(Errno) -> UInt64 {
        guard tid > 0, group.map({ $0 > 0 }) ?? true else { throw .EINVAL }
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        guard let thread = Processes.thread(tid), !thread.finished, group == nil || group == thread.process.pid else { throw .ESRCH }
        let target = thread.process
        guard mayKill(a.process, target, signo) else { throw .EPERM }
        guard signo != 0 else { return 0 }
        ProcessSignals.send(LinuxSigInfo.kill(signo: signo, code: LinuxSigInfo.SI_TKILL, pid: a.process.pid, uid: a.process.credentials.uid),
                            to: target, thread: thread.index)
        return 0
    }

    /// rt_sigqueueinfo/rt_tgsigqueueinfo (sigqueue, pthread_sigqueue): a signal with the caller's own
    /// siginfo, to a process or to one of its threads. Only a process signalling itself may claim a
    /// kernel or kill() origin (si_code >= 0, SI_TKILL): others get EPERM, as in Linux.
    static func queueInfo(_ a: SyscallArguments, group: Int32, tid: Int32?, signal signo: Int32, info address: UserAddr) throws(Errno) -> UInt64 {
        var info = try a.user.load(LinuxSigInfo.self, from: address)
        if let tid { guard tid > 0 && group > 0 else { throw .EINVAL } }
        let claimsKernel = info.si_code >= 0 || info.si_code == LinuxSigInfo.SI_TKILL
        if claimsKernel && (tid ?? group) != (tid == nil ? a.process.pid : a.thread.tid) { throw .EPERM }
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        info.si_signo = signo
        let thread: Thread?
        let target: Process
        if let tid {
            guard let t = Processes.thread(tid), !t.finished, t.process.pid == group else { throw .ESRCH }
            thread = t
            target = t.process
        } else {
            guard group > 0, let p = Processes.process(group) else { throw .ESRCH }
            thread = nil
            target = p
        }
        guard mayKill(a.process, target, signo) else { throw .EPERM }
        guard signo != 0 else { return 0 }
        ProcessSignals.send(info, to: target, thread: thread?.index)
        return 0
    }

    static func sigaction(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard let signal = Signal(a.int32(0)), a[3] == 8 else { throw .EINVAL }
        var new: SignalAction? = nil
        if a[1] != 0 { new = SignalAction(linux: try a.user.load(LinuxSigaction.self, from: a.address(1))) }
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> SignalAction in
            try st.process.setAction(signal, new, threads: &st.threads)
        }
        if a[2] != 0 { try a.user.store(old.linux, to: a.address(2)) }
        return 0
    }

    static func rt_sigprocmask(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard a[3] == 8 else { throw .EINVAL }
        let set: SignalSet? = a[1] != 0 ? SignalSet(bits: try a.user.load(UInt64.self, from: a.address(1))) : nil
        let i = a.thread.index
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> SignalSet in
            let old = st.threads[i].blocked
            if let set { st.threads[i].blocked = try old.applying(how: a.int32(0), set) }
            return old
        }
        if a[2] != 0 { try a.user.store(old.bits, to: a.address(2)) }
        return 0
    }

    static func sigaltstack(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let new: LinuxStack? = a[0] != 0 ? try a.user.load(LinuxStack.self, from: a.address(0)) : nil
        let sp = a.thread.context.sp
        let i = a.thread.index
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> LinuxStack in
            let old = st.threads[i].altStack.linux(currentSP: sp)
            if let new { try st.threads[i].altStack.set(new, currentSP: sp, minimumSize: LinuxArch.minimumSignalStackSize) }
            return old
        }
        if a[1] != 0 { try a.user.store(old, to: a.address(1)) }
        return 0
    }

    /// rt_sigsuspend: the temporary mask until a handler runs; always EINTR (the handler's frame
    /// saves the original mask, which rt_sigreturn restores).
    static func sigsuspend(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        guard a[1] == 8 else { throw .EINVAL }
        let mask = SignalSet(bits: try a.user.load(UInt64.self, from: a.address(0)))
        a.thread.installTemporarySignalMask(mask)                  // wakes at once if one is pending under it
        while await Kernel.sleep(for: 1 << 62) != .cancelled {}
        throw .EINTR
    }

    /// rt_sigtimedwait: takes a pending signal of the set, sleeping (up to the timeout) until one
    /// comes; EAGAIN on timeout, EINTR if another signal's handler is due.
    static func sigtimedwait(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        guard a[3] == 8 else { throw .EINVAL }
        let set = SignalSet(bits: try a.user.load(UInt64.self, from: a.address(0))).blockable
        var timeout: UInt64 = 1 << 62
        if a[2] != 0 {
            let t = try a.user.load(LinuxTimespec.self, from: a.address(2))
            guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
            timeout = UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
        }
        let i = a.thread.index
        let thread = a.thread
        thread.wake.withLock { $0.waitingFor = set }
        thread.wakeForSignal()
        var slept = false
        while true {
            let info = a.process.signals.withLock { st in st.process.take(from: set, thread: &st.threads[i]) }
            if var info {
                a.process.time.timerSignalDelivered(&info, process: a.process, thread: thread)
                if a[1] != 0 { try a.user.store(info, to: a.address(1)) }
                return result(info.si_signo)
            }
            if slept { throw .EINTR }
            if timeout == 0 { throw .EAGAIN }
            if await Kernel.sleep(for: timeout) == .elapsed { throw .EAGAIN }
            slept = true                                            // woken: take again, else a handler is due
        }
    }
}
