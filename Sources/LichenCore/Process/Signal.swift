// Linux signals: numbers (1-64, the generic/arm64 numbering), sets, and default actions.

/// A signal number, 1...64. Real-time signals are 32...64 (the C library reserves the first two or
/// three of them, so its SIGRTMIN is 34; the kernel's is 32).
public struct Signal: Hashable, Comparable, Sendable {
    public let number: Int32
    /// nil outside 1...64 (EINVAL for syscalls).
    public init?(_ number: Int32) {
        guard number >= 1 && number <= 64 else { return nil }
        self.number = number
    }
    init(unchecked number: Int32) { self.number = number }
    public static func < (a: Signal, b: Signal) -> Bool { a.number < b.number }

    public static let SIGHUP = Signal(unchecked: 1)
    public static let SIGINT = Signal(unchecked: 2)
    public static let SIGQUIT = Signal(unchecked: 3)
    public static let SIGILL = Signal(unchecked: 4)
    public static let SIGTRAP = Signal(unchecked: 5)
    public static let SIGABRT = Signal(unchecked: 6)
    public static let SIGBUS = Signal(unchecked: 7)
    public static let SIGFPE = Signal(unchecked: 8)
    public static let SIGKILL = Signal(unchecked: 9)
    public static let SIGUSR1 = Signal(unchecked: 10)
    public static let SIGSEGV = Signal(unchecked: 11)
    public static let SIGUSR2 = Signal(unchecked: 12)
    public static let SIGPIPE = Signal(unchecked: 13)
    public static let SIGALRM = Signal(unchecked: 14)
    public static let SIGTERM = Signal(unchecked: 15)
    public static let SIGSTKFLT = Signal(unchecked: 16)
    public static let SIGCHLD = Signal(unchecked: 17)
    public static let SIGCONT = Signal(unchecked: 18)
    public static let SIGSTOP = Signal(unchecked: 19)
    public static let SIGTSTP = Signal(unchecked: 20)
    public static let SIGTTIN = Signal(unchecked: 21)
    public static let SIGTTOU = Signal(unchecked: 22)
    public static let SIGURG = Signal(unchecked: 23)
    public static let SIGXCPU = Signal(unchecked: 24)
    public static let SIGXFSZ = Signal(unchecked: 25)
    public static let SIGVTALRM = Signal(unchecked: 26)
    public static let SIGPROF = Signal(unchecked: 27)
    public static let SIGWINCH = Signal(unchecked: 28)
    public static let SIGIO = Signal(unchecked: 29)
    public static let SIGPWR = Signal(unchecked: 30)
    public static let SIGSYS = Signal(unchecked: 31)
    public static let SIGRTMIN = Signal(unchecked: 32)
    public static let SIGRTMAX = Signal(unchecked: 64)

    /// Real-time signals queue one siginfo per send; standard ones coalesce while pending.
    public var isRealtime: Bool { number >= 32 }
    /// SIGKILL and SIGSTOP cannot be caught, blocked or ignored.
    public var isUncatchable: Bool { number == 9 || number == 19 }
    /// SIGSTOP, SIGTSTP, SIGTTIN, SIGTTOU.
    public var isStop: Bool { SignalSet.stopSignals.contains(self) }

    /// What SIG_DFL does (Linux's table in include/linux/signal.h).
    public var defaultAction: SignalDefaultAction {
        switch number {
        case 3, 4, 5, 6, 7, 8, 11, 24, 25, 31: return .core
        case 17, 23, 28: return .ignore
        case 19, 20, 21, 22: return .stop
        case 18: return .continue
        default: return .terminate
        }
    }
}

/// The default action of a signal.
public enum SignalDefaultAction: Hashable, Sendable {
    case terminate
    /// Terminate with a core dump (kernel/process/CoreDump.swift).
    case core
    case ignore
    case stop
    case `continue`
}

/// A set of signals: the kernel's 64-bit sigset_t, bit n-1 for signal n.
public struct SignalSet: Hashable, Sendable {
    public var bits: UInt64
    public init(bits: UInt64 = 0) { self.bits = bits }
    public init(_ signals: [Signal]) {
        bits = 0
        for s in signals { insert(s) }
    }
    public static let empty = SignalSet()
    public static let all = SignalSet(bits: ~0)
    /// SIGKILL and SIGSTOP: never blocked.
    public static let unblockable = SignalSet([.SIGKILL, .SIGSTOP])
    public static let stopSignals = SignalSet([.SIGSTOP, .SIGTSTP, .SIGTTIN, .SIGTTOU])
    /// Signals raised by the faulting instruction itself (Linux's SYNCHRONOUS_MASK): delivered first.
    public static let synchronous = SignalSet([.SIGSEGV, .SIGBUS, .SIGILL, .SIGTRAP, .SIGFPE, .SIGSYS])

    static func bit(_ s: Signal) -> UInt64 { 1 << UInt64(s.number - 1) }
    public var isEmpty: Bool { bits == 0 }
    public func contains(_ s: Signal) -> Bool { bits & SignalSet.bit(s) != 0 }
    public mutating func insert(_ s: Signal) { bits |= SignalSet.bit(s) }
    public mutating func remove(_ s: Signal) { bits &= ~SignalSet.bit(s) }
    public func union(_ o: SignalSet) -> SignalSet { SignalSet(bits: bits | o.bits) }
    public func intersection(_ o: SignalSet) -> SignalSet { SignalSet(bits: bits & o.bits) }
    public func subtracting(_ o: SignalSet) -> SignalSet { SignalSet(bits: bits & ~o.bits) }
    /// The set as a blocked mask may hold it: without SIGKILL and SIGSTOP (sigprocmask and
    /// sigaction silently drop them).
    public var blockable: SignalSet { subtracting(.unblockable) }
    /// The lowest-numbered signal in the set.
    public var lowest: Signal? { bits == 0 ? nil : Signal(unchecked: Int32(bits.trailingZeroBitCount + 1)) }
    /// The members in increasing order.
    public var signals: [Signal] {
        var result: [Signal] = []
        var b = bits
        while b != 0 {
            result.append(Signal(unchecked: Int32(b.trailingZeroBitCount + 1)))
            b &= b - 1
        }
        return result
    }

    /// rt_sigprocmask's `how`.
    public static let SIG_BLOCK: Int32 = 0
    public static let SIG_UNBLOCK: Int32 = 1
    public static let SIG_SETMASK: Int32 = 2

    /// The blocked mask after rt_sigprocmask(how, set): EINVAL for an unknown `how`. SIGKILL and
    /// SIGSTOP never end up blocked.
    public func applying(how: Int32, _ set: SignalSet) throws(Errno) -> SignalSet {
        switch how {
        case SignalSet.SIG_BLOCK: return union(set).blockable
        case SignalSet.SIG_UNBLOCK: return subtracting(set)
        case SignalSet.SIG_SETMASK: return set.blockable
        default: throw .EINVAL
        }
    }
}
