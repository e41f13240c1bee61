// Pending signals: a set plus queued siginfo, one queue per thread (tkill, faults) and one per
// process (kill), as in Linux.

/// Pending signals of a thread or a process.
public struct PendingSignals: Sendable {
    public private(set) var signals: SignalSet = .empty
    /// Queued siginfo in arrival order; real-time signals may have several, standard ones at most one.
    public private(set) var queue: [LinuxSigInfo] = []
    public init() {}

    public var isEmpty: Bool { signals.isEmpty }
    public func contains(_ s: Signal) -> Bool { signals.contains(s) }

    /// Adds a signal. A standard signal already pending is coalesced (returns false). When the queue
    /// is full (`queueFull`: RLIMIT_SIGPENDING reached) the signal is still recorded, without its
    /// siginfo, except a real-time signal not sent by kill (si_code != SI_USER), which is dropped
    /// (returns false; sigqueue reports EAGAIN), as in Linux's __send_signal.
    @discardableResult
    public mutating func add(_ info: LinuxSigInfo, queueFull: Bool = false) -> Bool {
        guard let s = Signal(info.si_signo) else { return false }
        if !s.isRealtime && signals.contains(s) { return false }
        if s.isRealtime && queueFull && info.si_code != LinuxSigInfo.SI_USER { return false }
        signals.insert(s)
        if !queueFull { queue.append(info) }
        return true
    }

    /// The signal Linux's next_signal picks among those not blocked: a synchronous (fault) signal
    /// first, else the lowest-numbered.
    public func next(blocked: SignalSet) -> Signal? {
        let ready = signals.subtracting(blocked)
        let sync = ready.intersection(.synchronous)
        return sync.isEmpty ? ready.lowest : sync.lowest
    }

    /// Removes one instance of `s` and returns its siginfo (a blank SI_USER one if it was pending
    /// without a queued siginfo). nil if `s` is not pending.
    public mutating func dequeue(_ s: Signal) -> LinuxSigInfo? {
        guard signals.contains(s) else { return nil }
        // Indices first and one copy of the siginfo out (each is 128 bytes: every kill pays this).
        var found = -1
        var more = false
        var i = 0
        while i < queue.count {
            if queue[i].si_signo == s.number {
                if found >= 0 { more = true; break }
                found = i
            }
            i += 1
        }
        if !more { signals.remove(s) }
        guard found >= 0 else { return LinuxSigInfo(signo: s.number, code: LinuxSigInfo.SI_USER) }
        return found == queue.count - 1 ? queue.removeLast() : queue.remove(at: found)
    }

    /// Drops every pending instance of the signals in `signals` (SIG_IGN installed, SIGCONT vs stop
    /// signals, execve's flush of ignored signals).
    public mutating func discard(_ signals: SignalSet) {
        guard !self.signals.intersection(signals).isEmpty else { return }
        self.signals = self.signals.subtracting(signals)
        var kept: [LinuxSigInfo] = []
        for info in queue {
            if let s = Signal(info.si_signo), signals.contains(s) { continue }
            kept.append(info)
        }
        queue = kept
    }

    /// Queued siginfo count (charged to RLIMIT_SIGPENDING).
    public var queuedCount: Int { queue.count }
}

/// sigaltstack state of a thread.
public struct SignalAltStack: Hashable, Sendable {
    public var base: UInt64 = 0
    public var size: UInt64 = 0
    public var autoDisarm = false
    public init() {}

    public var isEnabled: Bool { size != 0 }

    /// Whether `sp` is on the alternate stack (Linux's on_sig_stack; an SS_AUTODISARM stack never
    /// counts, since it is disarmed while in use).
    public func isOnStack(_ sp: UInt64) -> Bool {
        guard isEnabled, !autoDisarm else { return false }
        return sp > base && sp - base <= size
    }

    /// sigaltstack's old-stack report.
    public func linux(currentSP sp: UInt64) -> LinuxStack {
        var flags: Int32 = isEnabled ? (isOnStack(sp) ? LinuxStack.SS_ONSTACK : 0) : LinuxStack.SS_DISABLE
        if autoDisarm { flags |= LinuxStack.SS_AUTODISARM }
        return LinuxStack(ss_sp: base, ss_flags: flags, ss_size: size)
    }

    /// sigaltstack's new stack: EPERM while running on the current alternate stack, EINVAL for unknown
    /// flags, ENOMEM if smaller than `minimumSize` (the architecture's MINSIGSTKSZ) unless disabling.
    public mutating func set(_ new: LinuxStack, currentSP sp: UInt64, minimumSize: UInt64) throws(Errno) {
        guard !isOnStack(sp) else { throw .EPERM }
        let mode = new.ss_flags & ~LinuxStack.SS_AUTODISARM
        guard mode == 0 || mode == LinuxStack.SS_ONSTACK || mode == LinuxStack.SS_DISABLE else { throw .EINVAL }
        if mode == LinuxStack.SS_DISABLE {
            self = SignalAltStack()
            return
        }
        guard new.ss_size >= minimumSize else { throw .ENOMEM }
        base = new.ss_sp
        size = new.ss_size
        autoDisarm = new.ss_flags & LinuxStack.SS_AUTODISARM != 0
    }
}
