import LichenCore
import Synchronization
import _Concurrency

/// Signal syscalls: sending (kill, tkill, tgkill), dispositions and masks, waiting, rt_sigreturn.
enum SignalSyscalls {
    /// The size of the kernel's sigset_t, which every rt_sig* call is given (EINVAL otherwise).
    static let sigsetSize = UInt64(LinuxSigaction.sigsetSize)

    static func kill(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), signo = a.int32(1), caller = a.process.pid
        if pid == caller {
            // The caller itself (raise, the common case): alive, so a target, and always allowed (its own
            // credentials): no table walk, no target arrays.
            guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
            guard signo != 0 else { return 0 }
            ProcessSignals.send(LinuxSigInfo.kill(signo: signo, pid: caller, uid: a.credentials.uid), to: a.process)
            return 0
        }
        let targets = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> [Int32] in
            try t.killTargets(pid: pid, caller: caller)
        }
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        let allowed = targets.filter { pid in
            if let target = Processes.process(pid) { return mayKill(a.thread, target, signo) }
            return mayKillZombie(a.thread, pid)
        }
        guard allowed.count > 0 || targets.isEmpty else { throw .EPERM }
        guard signo != 0 else { return 0 }                          // existence and permission check only
        ProcessSignals.send(LinuxSigInfo.kill(signo: signo, pid: a.process.pid, uid: a.credentials.uid), toPids: allowed)
        return 0
    }

    /// Linux's kill_ok_by_cred, plus SIGCONT within the sender's session: the sending thread's
    /// credentials against the target task's (the leader's for a process; tgkill passes the thread's).
    /// A thread may always signal its own process (glibc's SIGSETXID reaches threads whose ids differ).
    static func mayKill(_ sender: Thread, _ target: Process, _ signo: Int32, targetCredentials: Credentials? = nil) -> Bool {
        if sender.process === target { return true }                // its own thread group, whatever the credentials
        if sender.credentials.maySignal(targetCredentials ?? target.credentials) { return true }
        guard signo == Signal.SIGCONT.number else { return false }
        return Processes.withTable { t in t.record(sender.process.pid)?.sid == t.record(target.pid)?.sid }
    }

    /// A zombie (exited, not reaped: no Process object left) may be signalled, as on Linux: the
    /// permission check passes and the signal is dropped (nothing will ever run to take it).
    static func mayKillZombie(_ sender: Thread, _ pid: Int32) -> Bool {
        guard let r = Processes.withTable({ $0.record(pid) }), r.isZombie else { return false }
        return sender.credentials.maySignal(zombieUID: r.uid)
    }

    static func tkill(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let tid = a.int32(0), signo = a.int32(1)
        return try threadKill(a, group: nil, tid: tid, signal: signo)
    }

    static func tgkill(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let tgid = a.int32(0), tid = a.int32(1), signo = a.int32(2)
        return try threadKill(a, group: tgid, tid: tid, signal: signo)
    }

    /// tkill/tgkill: one thread, by tid (tgkill also checks its process).
    static func threadKill(_ a: SyscallArguments, group: Int32?, tid: Int32, signal signo: Int32) throws(Errno) -> UInt64 {
        guard tid > 0, group.map({ $0 > 0 }) ?? true else { throw .EINVAL }
        guard signo == 0 || Signal(signo) != nil else { throw .EINVAL }
        guard let thread = Processes.thread(tid), !thread.finished, group == nil || group == thread.process.pid else { throw .ESRCH }
        let target = thread.process
        guard mayKill(a.thread, target, signo, targetCredentials: thread.sharedCredentials) else { throw .EPERM }
        guard signo != 0 else { return 0 }
        ProcessSignals.send(LinuxSigInfo.kill(signo: signo, code: LinuxSigInfo.SI_TKILL, pid: a.process.pid, uid: a.credentials.uid),
                            to: target, thread: thread.index)
        return 0
    }

    static func rt_sigqueueinfo(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), signo = a.int32(1), info = a.address(2)
        return try queueInfo(a, group: pid, tid: nil, signal: signo, info: info)
    }

    static func rt_tgsigqueueinfo(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let tgid = a.int32(0), tid = a.int32(1), signo = a.int32(2), info = a.address(3)
        return try queueInfo(a, group: tgid, tid: tid, signal: signo, info: info)
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
        guard mayKill(a.thread, target, signo, targetCredentials: thread?.sharedCredentials) else { throw .EPERM }
        guard signo != 0 else { return 0 }
        ProcessSignals.send(info, to: target, thread: thread?.index)
        return 0
    }

    static func rt_sigaction(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let signo = a.int32(0), newAction = a.address(1), oldAction = a.address(2), setSize = a[3]
        guard let signal = Signal(signo), setSize == sigsetSize else { throw .EINVAL }
        var new: SignalAction? = nil
        if newAction.value != 0 { new = SignalAction(linux: try a.user.load(LinuxSigaction.self, from: newAction)) }
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> SignalAction in
            try st.process.setAction(signal, new, threads: &st.threads)
        }
        if oldAction.value != 0 { try a.user.store(old.linux, to: oldAction) }
        return 0
    }

    static func rt_sigprocmask(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let how = a.int32(0), newSet = a.address(1), oldSet = a.address(2), setSize = a[3]
        guard setSize == sigsetSize else { throw .EINVAL }
        let set: SignalSet? = newSet.value != 0 ? SignalSet(bits: try a.user.load(UInt64.self, from: newSet)) : nil
        let i = a.thread.index
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> SignalSet in
            let old = st.threads[i].blocked
            if let set { st.threads[i].blocked = try old.applying(how: how, set) }
            return old
        }
        if oldSet.value != 0 { try a.user.store(old.bits, to: oldSet) }
        return 0
    }

    static func rt_sigpending(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pendingSet = a.address(0), setSize = a[1]
        guard setSize == sigsetSize else { throw .EINVAL }
        let i = a.thread.index
        let set = a.process.signals.withLock { $0.process.sigpending($0.threads[i]) }
        try a.user.store(set.bits, to: pendingSet)
        return 0
    }

    static func sigaltstack(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let newStack = a.address(0), oldStack = a.address(1)
        let new: LinuxStack? = newStack.value != 0 ? try a.user.load(LinuxStack.self, from: newStack) : nil
        let sp = a.thread.context.sp
        let i = a.thread.index
        let old = try a.process.signals.withLock { (st: inout SignalStates) throws(Errno) -> LinuxStack in
            let old = st.threads[i].altStack.linux(currentSP: sp)
            if let new { try st.threads[i].altStack.set(new, currentSP: sp, minimumSize: LinuxArch.minimumSignalStackSize) }
            return old
        }
        if oldStack.value != 0 { try a.user.store(old, to: oldStack) }
        return 0
    }

    /// rt_sigsuspend: the temporary mask until a handler runs; always EINTR (the handler's frame
    /// saves the original mask, which rt_sigreturn restores).
    static func rt_sigsuspend(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let maskPointer = a.address(0), setSize = a[1]
        guard setSize == sigsetSize else { throw .EINVAL }
        let mask = SignalSet(bits: try a.user.load(UInt64.self, from: maskPointer))
        a.thread.installTemporarySignalMask(mask)                  // wakes at once if one is pending under it
        while await Kernel.sleep(for: 1 << 62) != .cancelled {}
        throw .EINTR
    }

    /// rt_sigtimedwait: takes a pending signal of the set, sleeping (up to the timeout) until one
    /// comes; EAGAIN on timeout, EINTR if another signal's handler is due.
    static func rt_sigtimedwait(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let setPointer = a.address(0), infoPointer = a.address(1), timeoutPointer = a.address(2), setSize = a[3]
        guard setSize == sigsetSize else { throw .EINVAL }
        let set = SignalSet(bits: try a.user.load(UInt64.self, from: setPointer)).blockable
        var timeout: UInt64 = 1 << 62
        if timeoutPointer.value != 0 {
            let t = try a.user.load(LinuxTimespec.self, from: timeoutPointer)
            guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
            timeout = UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
        }
        let i = a.thread.index
        let thread = a.thread
        // Counted before the set is visible: a sender that sees no waiter queued its signal before, so the take below finds it.
        a.process.signalWaiters.wrappingAdd(1, ordering: .sequentiallyConsistent)
        defer { a.process.signalWaiters.wrappingSubtract(1, ordering: .sequentiallyConsistent) }
        thread.wake.withLock { $0.waitingFor = set }
        thread.wakeForSignal()
        var slept = false
        while true {
            let info = a.process.signals.withLock { st in st.process.take(from: set, thread: &st.threads[i]) }
            if var info {
                a.process.time.timerSignalDelivered(&info, process: a.process, thread: thread)
                if infoPointer.value != 0 { try a.user.store(info, to: infoPointer) }
                return result(info.si_signo)
            }
            if slept { throw .EINTR }
            if timeout == 0 { throw .EAGAIN }
            if await Kernel.sleep(for: timeout) == .elapsed { throw .EAGAIN }
            slept = true                                            // woken: take again, else a handler is due
        }
    }

    /// Restores the context the signal frame saved: the registers are the interrupted ones, so no
    /// return value.
    static func rt_sigreturn(_ a: SyscallArguments) -> UInt64 {
        a.thread.signalReturn()
        return a.thread.context.syscallReturnValue   // x0 as the frame restored it: written back unchanged
    }
}
