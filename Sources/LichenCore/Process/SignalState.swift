// Signal state of a process and its threads, sending (Linux's prepare_signal/__send_signal) and the
// delivery decision on the way back to user space (get_signal, handle_signal).

/// Per-thread signal state.
public struct ThreadSignalState: Sendable {
    /// The blocked mask (rt_sigprocmask); never holds SIGKILL/SIGSTOP.
    public var blocked: SignalSet = .empty
    /// Signals sent to this thread (tkill/tgkill, faults).
    public var pending = PendingSignals()
    public var altStack = SignalAltStack()
    /// The mask to restore after the handler that interrupts rt_sigsuspend/ppoll/pselect6 (which
    /// swap in a temporary mask), instead of `blocked`.
    public var savedBlocked: SignalSet? = nil
    public init() {}

    /// rt_sigsuspend etc.: installs a temporary mask, to be restored after the next handler runs.
    public mutating func suspend(with mask: SignalSet) {
        savedBlocked = blocked
        blocked = mask.blockable
    }

    /// The call that installed a temporary mask ends without being interrupted: the original mask
    /// comes back at once (Linux's restore_saved_sigmask_unless(false)). After EINTR it stays until
    /// delivery: a handler's frame saves the original, or delivery restores it if no handler runs.
    public mutating func restoreSavedMask() {
        guard let saved = savedBlocked else { return }
        blocked = saved
        savedBlocked = nil
    }
}

/// What sending did.
public enum SignalSendOutcome: Hashable, Sendable {
    /// Now pending (a new instance).
    case queued
    /// Already pending (a standard signal): nothing changed.
    case coalesced
    /// Discarded: ignored and not blocked, or uncatchable signals to init.
    case ignored
    /// A real-time signal with a full queue: EAGAIN for sigqueue.
    case queueFull
}

/// A handler invocation: everything needed to build the rt_sigframe.
public struct SignalHandlerFrame: Sendable {
    public var signal: Signal
    public var info: LinuxSigInfo
    public var handler: UInt64
    public var restorer: UInt64
    public var flags: SignalActionFlags
    /// The stack pointer to build the frame below: the top of the alternate stack (SA_ONSTACK, not
    /// already on it) or the interrupted sp.
    public var stackTop: UInt64
    public var onAlternateStack: Bool
    /// The mask saved in uc_sigmask, restored by rt_sigreturn.
    public var savedMask: SignalSet
}

/// The outcome of looking for a signal to deliver.
public enum SignalDelivery: Sendable {
    /// Nothing deliverable.
    case none
    /// The process dies of this signal (with the core bit for core-dumping signals).
    case terminate(Signal, core: Bool, info: LinuxSigInfo)
    /// The process stops (job control); report it to the parent.
    case stop(Signal, info: LinuxSigInfo)
    /// Run a handler.
    case handler(SignalHandlerFrame)
}

/// Per-process signal state shared by its threads.
public struct ProcessSignalState: Sendable {
    public var actions = SignalActionTable()
    /// Signals sent to the process (kill): any thread not blocking them may take them.
    public var shared = PendingSignals()
    /// The queue limit (RLIMIT_SIGPENDING, per process here).
    public var queueLimit = 1024
    public init() {}

    /// Queued siginfo count over the shared queue and the threads'.
    func queued(_ threads: [ThreadSignalState]) -> Int {
        var n = shared.queuedCount
        for t in threads { n += t.pending.queuedCount }
        return n
    }

    /// Sends `info` to thread `thread` (tkill/tgkill/faults), or to the process if nil (kill). The
    /// ignore test looks at the target thread's mask (the first thread, the leader, for a process):
    /// a blocked signal is kept even if ignored, since the disposition may change before it is
    /// unblocked. Side effects as Linux: a stop signal discards pending SIGCONT; SIGCONT discards
    /// pending stop signals (the caller also resumes a stopped process and notifies its parent).
    /// `isInit`: the target is pid 1, which ignores every signal it has no handler for (including
    /// SIGKILL and SIGSTOP from user space).
    public mutating func send(_ info: LinuxSigInfo, to thread: Int?, threads: inout [ThreadSignalState],
                              isInit: Bool = false) -> SignalSendOutcome {
        guard let s = Signal(info.si_signo) else { return .ignored }
        // prepare_signal: stop and continue signals cancel each other.
        if s.isStop {
            shared.discard(SignalSet([.SIGCONT]))
            for i in threads.indices { threads[i].pending.discard(SignalSet([.SIGCONT])) }
        } else if s == .SIGCONT {
            shared.discard(.stopSignals)
            for i in threads.indices { threads[i].pending.discard(.stopSignals) }
        }
        let target = thread ?? 0
        let blocked = target < threads.count ? threads[target].blocked.contains(s) : false
        if !blocked {
            if isInit && actions[s].handler == .default { return .ignored }
            if actions.isIgnored(s) { return .ignored }
        }
        let full = queued(threads) >= queueLimit
        let wasPending: Bool
        let added: Bool
        if let thread, thread < threads.count {
            wasPending = threads[thread].pending.contains(s)
            added = threads[thread].pending.add(info, queueFull: full)
        } else {
            wasPending = shared.contains(s)
            added = shared.add(info, queueFull: full)
        }
        if added { return .queued }
        return (!s.isRealtime && wasPending) ? .coalesced : .queueFull
    }

    /// A signal from a fault in `thread` (force_sig_info): if the thread blocks it or the process
    /// ignores it, the disposition is reset to SIG_DFL and the signal unblocked, so a faulting program
    /// that cannot handle the fault dies of it instead of faulting forever.
    public mutating func sendFault(_ info: LinuxSigInfo, to thread: Int, threads: inout [ThreadSignalState]) {
        guard let s = Signal(info.si_signo), thread < threads.count else { return }
        if threads[thread].blocked.contains(s) || actions[s].handler == .ignore {
            actions[s] = .default
            threads[thread].blocked.remove(s)
        }
        threads[thread].pending.add(info)
    }

    /// rt_sigaction: installs an action and, if it makes the signal ignored, discards its pending
    /// instances in the process and every thread (POSIX). Returns the old action.
    @discardableResult
    public mutating func setAction(_ s: Signal, _ new: SignalAction?, threads: inout [ThreadSignalState]) throws(Errno) -> SignalAction {
        let old = try actions.change(s, to: new)
        if new != nil && actions.isIgnored(s) {
            shared.discard(SignalSet([s]))
            for i in threads.indices { threads[i].pending.discard(SignalSet([s])) }
        }
        return old
    }

    /// rt_sigpending: the signals pending for thread `t` (its own and the process's) that it blocks.
    public func sigpending(_ t: ThreadSignalState) -> SignalSet {
        t.pending.signals.union(shared.signals).intersection(t.blocked)
    }

    /// rt_sigtimedwait / sigwaitinfo: takes a pending signal of `set` (blocked or not; SIGKILL and
    /// SIGSTOP never), the thread's own first, by the same priority as delivery. nil: none yet (the
    /// caller sleeps, then EAGAIN on timeout).
    public mutating func take(from set: SignalSet, thread t: inout ThreadSignalState) -> LinuxSigInfo? {
        let wanted = set.blockable
        let notWanted = SignalSet(bits: ~wanted.bits)
        if let s = t.pending.next(blocked: notWanted) { return t.pending.dequeue(s) }
        if let s = shared.next(blocked: notWanted) { return shared.dequeue(s) }
        return nil
    }

    /// Whether thread `t` has a signal it would act on now (wakes it from an interruptible sleep).
    public func hasDeliverable(_ t: ThreadSignalState) -> Bool {
        t.pending.next(blocked: t.blocked) != nil || shared.next(blocked: t.blocked) != nil
    }

    /// Picks the next signal for `thread` on its way back to user space and decides what to do
    /// (get_signal): SIGKILL first (Linux turns it into a group exit as soon as it is sent), then the
    /// thread's own pending signals before the process's, each queue giving synchronous signals first,
    /// then the lowest number. Ignored signals are consumed and skipped; SIGCONT's default is
    /// done at send time, so it is skipped too. A handler's entry blocks sa_mask and the signal
    /// itself (unless SA_NODEFER), and SA_RESETHAND restores SIG_DFL.
    /// `userSP`: the interrupted stack pointer (for SA_ONSTACK). `isInit`: pid 1 ignores default
    /// actions other than SIGKILL/SIGSTOP. `orphanedProcessGroup`: SIGTSTP/SIGTTIN/SIGTTOU are
    /// discarded in an orphaned process group instead of stopping it.
    public mutating func nextDelivery(thread t: inout ThreadSignalState, userSP: UInt64, isInit: Bool = false,
                                      orphanedProcessGroup: Bool = false) -> SignalDelivery {
        while true {
            let s: Signal
            let info: LinuxSigInfo
            if t.pending.contains(.SIGKILL), let i = t.pending.dequeue(.SIGKILL) {
                s = .SIGKILL; info = i
            } else if shared.contains(.SIGKILL), let i = shared.dequeue(.SIGKILL) {
                s = .SIGKILL; info = i
            } else if let n = t.pending.next(blocked: t.blocked), let i = t.pending.dequeue(n) {
                s = n; info = i
            } else if let n = shared.next(blocked: t.blocked), let i = shared.dequeue(n) {
                s = n; info = i
            } else {
                return .none
            }
            let action = actions[s]
            switch action.handler {
            case .ignore:
                continue
            case .function(let address):
                if action.flags.contains(.resetHand) { actions[s].handler = .default }   // flags stay, as Linux
                let saved = t.savedBlocked ?? t.blocked
                t.savedBlocked = nil
                var mask = t.blocked.union(action.mask)
                if !action.flags.contains(.noDefer) { mask.insert(s) }
                t.blocked = mask.blockable
                var top = userSP
                var onAlt = false
                if action.flags.contains(.onStack) && t.altStack.isEnabled && !t.altStack.isOnStack(userSP) {
                    top = t.altStack.base + t.altStack.size
                    onAlt = true
                    if t.altStack.autoDisarm { t.altStack = SignalAltStack() }
                }
                return .handler(SignalHandlerFrame(signal: s, info: info, handler: address, restorer: action.restorer,
                                                   flags: action.flags, stackTop: top, onAlternateStack: onAlt,
                                                   savedMask: saved))
            case .default:
                if isInit && !s.isUncatchable { continue }
                switch s.defaultAction {
                case .ignore, .continue:
                    continue
                case .stop:
                    if s != .SIGSTOP && orphanedProcessGroup { continue }
                    return .stop(s, info: info)
                case .terminate:
                    return .terminate(s, core: false, info: info)
                case .core:
                    return .terminate(s, core: true, info: info)
                }
            }
        }
    }

    /// execve: handlers reset to SIG_DFL; pending signals that are now ignored are discarded; the
    /// alternate stack is cleared; masks and other pending signals survive.
    public mutating func exec(threads: inout [ThreadSignalState]) {
        actions.resetForExec()
        let ignored = actions.ignoredSet
        shared.discard(ignored)
        for i in threads.indices {
            threads[i].pending.discard(ignored)
            threads[i].altStack = SignalAltStack()
            threads[i].savedBlocked = nil
        }
    }
}

/// How an interrupted system call continues after a signal (Linux's ERESTART* codes).
public enum SyscallRestartKind: Sendable {
    /// -ERESTARTSYS: restart if the handler has SA_RESTART (or there is no handler), else EINTR.
    case restartSys
    /// -ERESTARTNOINTR: always restart.
    case restartNoIntr
    /// -ERESTARTNOHAND: restart only if no handler runs, else EINTR.
    case restartNoHand
    /// -ERESTART_RESTARTBLOCK: like restartNoHand, but restarts through restart_syscall (sleeps
    /// resume with the remaining time).
    case restartBlock

    /// Whether to restart (re-execute the svc) rather than return EINTR, given the handler that is
    /// about to run (nil: none; the signal was ignored, stopped the process, or there was no signal).
    public func shouldRestart(handlerFlags: SignalActionFlags?) -> Bool {
        guard let flags = handlerFlags else { return true }
        switch self {
        case .restartNoIntr: return true
        case .restartSys: return flags.contains(.restart)
        case .restartNoHand, .restartBlock: return false
        }
    }
}
