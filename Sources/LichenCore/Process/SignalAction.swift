// Signal dispositions: what a process does on each signal (rt_sigaction), per process and shared by
// its threads.

/// SIG_DFL, SIG_IGN or a handler address.
public enum SignalHandler: Hashable, Sendable {
    case `default`
    case ignore
    case function(UInt64)

    public init(linux value: UInt64) {
        switch value {
        case LinuxSigaction.SIG_DFL: self = .default
        case LinuxSigaction.SIG_IGN: self = .ignore
        default: self = .function(value)
        }
    }
    public var linuxValue: UInt64 {
        switch self {
        case .default: return LinuxSigaction.SIG_DFL
        case .ignore: return LinuxSigaction.SIG_IGN
        case .function(let a): return a
        }
    }
}

/// sa_flags (asm-generic/signal-defs.h, SA_RESTORER from arm64's asm/signal.h).
public struct SignalActionFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let noChildStop = SignalActionFlags(rawValue: 0x0000_0001)   // SA_NOCLDSTOP
    public static let noChildWait = SignalActionFlags(rawValue: 0x0000_0002)   // SA_NOCLDWAIT
    public static let siginfo = SignalActionFlags(rawValue: 0x0000_0004)       // SA_SIGINFO
    public static let restorer = SignalActionFlags(rawValue: 0x0400_0000)      // SA_RESTORER
    public static let onStack = SignalActionFlags(rawValue: 0x0800_0000)       // SA_ONSTACK
    public static let restart = SignalActionFlags(rawValue: 0x1000_0000)       // SA_RESTART
    public static let noDefer = SignalActionFlags(rawValue: 0x4000_0000)       // SA_NODEFER
    public static let resetHand = SignalActionFlags(rawValue: 0x8000_0000)     // SA_RESETHAND
}

/// One signal's disposition.
public struct SignalAction: Hashable, Sendable {
    public var handler: SignalHandler
    public var flags: SignalActionFlags
    /// Signals blocked while the handler runs (besides the signal itself, unless SA_NODEFER).
    public var mask: SignalSet
    /// Where the handler returns to (the C library's rt_sigreturn trampoline).
    public var restorer: UInt64

    public init(handler: SignalHandler = .default, flags: SignalActionFlags = [], mask: SignalSet = .empty,
                restorer: UInt64 = 0) {
        self.handler = handler; self.flags = flags; self.mask = mask; self.restorer = restorer
    }
    public init(linux a: LinuxSigaction) {
        self.init(handler: SignalHandler(linux: a.sa_handler), flags: SignalActionFlags(rawValue: a.sa_flags),
                  mask: SignalSet(bits: a.sa_mask).blockable, restorer: a.sa_restorer)
    }
    public var linux: LinuxSigaction {
        LinuxSigaction(sa_handler: handler.linuxValue, sa_flags: flags.rawValue, sa_restorer: restorer, sa_mask: mask.bits)
    }
    public static let `default` = SignalAction()
}

/// The 64 dispositions of a process.
public struct SignalActionTable: Sendable {
    private var actions: [SignalAction] = Array(repeating: .default, count: 64)
    public init() {}

    public subscript(_ s: Signal) -> SignalAction {
        get { actions[Int(s.number - 1)] }
        set { actions[Int(s.number - 1)] = newValue }
    }

    /// rt_sigaction: installs `new` (if any) and returns the old action. EINVAL for changing SIGKILL or
    /// SIGSTOP (reading them is fine). The mask never holds SIGKILL/SIGSTOP.
    @discardableResult
    public mutating func change(_ s: Signal, to new: SignalAction?) throws(Errno) -> SignalAction {
        let old = self[s]
        if var new {
            guard !s.isUncatchable else { throw .EINVAL }
            new.mask = new.mask.blockable
            self[s] = new
        }
        return old
    }

    /// Whether a signal is discarded as soon as it is sent (if not blocked): SIG_IGN, or SIG_DFL for
    /// a signal whose default action is to ignore it. Installing such an action also discards the
    /// pending instances.
    public func isIgnored(_ s: Signal) -> Bool {
        switch self[s].handler {
        case .ignore: return true
        case .default: return s.defaultAction == .ignore
        case .function: return false
        }
    }

    /// The signals `isIgnored` holds for.
    public var ignoredSet: SignalSet {
        var set = SignalSet.empty
        for n in Int32(1)...64 where isIgnored(Signal(unchecked: n)) { set.insert(Signal(unchecked: n)) }
        return set
    }

    /// execve: handlers go back to SIG_DFL (their code is gone); SIG_IGN stays; flags, masks and
    /// restorers are cleared.
    public mutating func resetForExec() {
        for i in actions.indices {
            let keepIgnore = actions[i].handler == .ignore
            actions[i] = SignalAction(handler: keepIgnore ? .ignore : .default)
        }
    }

    /// What a child's exit means for this (the parent's) table, as Linux's do_notify_parent decides:
    /// if the exit signal is SIGCHLD and the parent ignores SIGCHLD (SIG_IGN) or set SA_NOCLDWAIT, the
    /// child is reaped at once (no zombie); with SIG_IGN no signal is sent either.
    public func childExitNotification(exitSignal: Signal?) -> (signal: Signal?, autoReap: Bool) {
        guard let exitSignal else { return (nil, false) }
        guard exitSignal == .SIGCHLD else { return (exitSignal, false) }
        let action = self[.SIGCHLD]
        if action.handler == .ignore { return (nil, true) }
        return (exitSignal, action.flags.contains(.noChildWait))
    }

    /// Whether a child stopping or continuing sends SIGCHLD to this parent (not when SIGCHLD is
    /// SIG_IGN or has SA_NOCLDSTOP).
    public var notifiesChildStopContinue: Bool {
        let action = self[.SIGCHLD]
        return action.handler != .ignore && !action.flags.contains(.noChildStop)
    }
}
