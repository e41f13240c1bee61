// What ProcessTable deals in: children's events, run states, one process's record, and the wait4/waitid
// selection and results.

/// Something a parent can learn about a child through wait.
public enum ChildEvent: Hashable, Sendable {
    case exited(code: Int32)
    case killed(Signal, core: Bool)
    case stopped(Signal)
    case continued

    /// The wait4 status word, exactly as Linux encodes it: exit code << 8; the signal, with 0x80 for a
    /// core dump; (signal << 8) | 0x7f for a stop; 0xffff for a continue.
    public var waitStatus: Int32 {
        switch self {
        case .exited(let code): return (code & 0xff) << 8
        case .killed(let s, let core): return s.number | (core ? 0x80 : 0)
        case .stopped(let s): return (s.number << 8) | 0x7f
        case .continued: return 0xffff
        }
    }

    /// waitid's and SIGCHLD's si_code (CLD_*).
    public var siginfoCode: Int32 {
        switch self {
        case .exited: return LinuxSigInfo.CLD_EXITED
        case .killed(_, let core): return core ? LinuxSigInfo.CLD_DUMPED : LinuxSigInfo.CLD_KILLED
        case .stopped: return LinuxSigInfo.CLD_STOPPED
        case .continued: return LinuxSigInfo.CLD_CONTINUED
        }
    }

    /// waitid's and SIGCHLD's si_status: the exit code or the signal number.
    public var siginfoStatus: Int32 {
        switch self {
        case .exited(let code): return code & 0xff
        case .killed(let s, _): return s.number
        case .stopped(let s): return s.number
        case .continued: return Signal.SIGCONT.number
        }
    }
}

public enum ProcessRunState: Hashable, Sendable {
    case running
    case stopped(Signal)
    case zombie(ChildEvent)
}

/// One process (thread group) as the table sees it.
public struct ProcessRecord: Sendable {
    public let pid: Int32
    public internal(set) var parent: Int32
    public internal(set) var pgid: Int32
    public internal(set) var sid: Int32
    /// Links (pids, 0: none) of the lists the table keeps in its records, so that adding or removing
    /// a process costs the same however many there are: the parent's children in creation order
    /// (wait looks at them in this order), and the process group's members.
    public internal(set) var firstChild: Int32 = 0
    public internal(set) var lastChild: Int32 = 0
    public internal(set) var nextSibling: Int32 = 0
    public internal(set) var previousSibling: Int32 = 0
    public internal(set) var nextInGroup: Int32 = 0
    public internal(set) var previousInGroup: Int32 = 0
    public internal(set) var state: ProcessRunState = .running
    /// The signal the parent gets when this process ends (SIGCHLD; clone may choose another or none).
    public internal(set) var exitSignal: Signal?
    /// A stop not yet reported to wait (WUNTRACED).
    public internal(set) var unreportedStop: Signal? = nil
    /// A continue not yet reported to wait (WCONTINUED).
    public internal(set) var unreportedContinue = false
    /// execve has run since fork (setpgid on it by the parent then fails with EACCES).
    public internal(set) var didExec = false
    /// A zombie's resource usage (its own plus its reaped children's), for the parent's wait.
    public internal(set) var usage = ResourceUsage()
    /// A zombie's real user id (waitid's and SIGCHLD's si_uid).
    public internal(set) var uid: UInt32 = 0
    /// prctl(PR_SET_CHILD_SUBREAPER): orphaned descendants are re-parented here rather than to init.
    public internal(set) var isChildSubreaper = false

    public var isZombie: Bool { if case .zombie = state { return true } else { return false } }
    public var isStopped: Bool { if case .stopped = state { return true } else { return false } }
    public var isSessionLeader: Bool { sid == pid }
    public var isGroupLeader: Bool { pgid == pid }
}

/// Which children a wait is about.
public enum WaitSelector: Hashable, Sendable {
    case any
    case pid(Int32)
    case processGroup(Int32)

    /// wait4's pid argument: > 0 that child; 0 the caller's process group; -1 any child; < -1 the
    /// group -pid. INT_MIN is ESRCH, as in Linux.
    public static func wait4(pid: Int32, callerGroup: Int32) throws(Errno) -> WaitSelector {
        if pid == Int32.min { throw .ESRCH }
        if pid > 0 { return .pid(pid) }
        if pid == 0 { return .processGroup(callerGroup) }
        if pid == -1 { return .any }
        return .processGroup(-pid)
    }

    public static let P_ALL: Int32 = 0
    public static let P_PID: Int32 = 1
    public static let P_PGID: Int32 = 2
    public static let P_PIDFD: Int32 = 3

    /// waitid's (idtype, id): P_ALL; P_PID with id > 0; P_PGID with id >= 0 (0: the caller's
    /// group). EINVAL otherwise (P_PIDFD is not supported).
    public static func waitid(idtype: Int32, id: Int32, callerGroup: Int32) throws(Errno) -> WaitSelector {
        switch idtype {
        case P_ALL: return .any
        case P_PID:
            guard id > 0 else { throw .EINVAL }
            return .pid(id)
        case P_PGID:
            guard id >= 0 else { throw .EINVAL }
            return .processGroup(id == 0 ? callerGroup : id)
        default: throw .EINVAL
        }
    }
}

/// wait4/waitid options.
public struct WaitOptions: OptionSet, Hashable, Sendable {
    public let rawValue: Int32
    public init(rawValue: Int32) { self.rawValue = rawValue }
    public static let noHang = WaitOptions(rawValue: 0x1)              // WNOHANG
    public static let stopped = WaitOptions(rawValue: 0x2)             // WUNTRACED / WSTOPPED
    public static let exited = WaitOptions(rawValue: 0x4)              // WEXITED
    public static let continued = WaitOptions(rawValue: 0x8)           // WCONTINUED
    public static let noWait = WaitOptions(rawValue: 0x0100_0000)      // WNOWAIT
    public static let noThread = WaitOptions(rawValue: 0x2000_0000)    // __WNOTHREAD
    public static let all = WaitOptions(rawValue: 0x4000_0000)         // __WALL
    public static let clone = WaitOptions(rawValue: Int32(bitPattern: 0x8000_0000)) // __WCLONE

    /// wait4's options: EINVAL for unknown bits (WNOWAIT and WEXITED are not wait4 options); exits
    /// are always reported.
    public static func wait4(_ raw: Int32) throws(Errno) -> WaitOptions {
        let allowed: WaitOptions = [.noHang, .stopped, .continued, .noThread, .all, .clone]
        guard raw & ~allowed.rawValue == 0 else { throw .EINVAL }
        return WaitOptions(rawValue: raw).union(.exited)
    }

    /// waitid's options: EINVAL for unknown bits or when none of WEXITED/WSTOPPED/WCONTINUED is given.
    public static func waitid(_ raw: Int32) throws(Errno) -> WaitOptions {
        let allowed: WaitOptions = [.noHang, .noWait, .exited, .stopped, .continued, .noThread, .all, .clone]
        guard raw & ~allowed.rawValue == 0 else { throw .EINVAL }
        let o = WaitOptions(rawValue: raw)
        guard !o.intersection([.exited, .stopped, .continued]).isEmpty else { throw .EINVAL }
        return o
    }
}

/// What a wait found.
public struct WaitReport: Hashable, Sendable {
    public var pid: Int32
    public var event: ChildEvent
    /// The child was removed from the table (its pid is free again).
    public var reaped: Bool
    /// The child's usage when it was reaped (zero for stops and continues).
    public var usage = ResourceUsage()
    /// A zombie's real user id (0 for stops and continues: the caller asks the live process).
    public var uid: UInt32 = 0
    public var status: Int32 { event.waitStatus }
}

public enum WaitResult: Hashable, Sendable {
    case reported(WaitReport)
    /// WNOHANG and no child has anything to report: wait4 returns 0 (waitid zeroes si_pid).
    case nothingYet
    /// Sleep until a child changes state (SIGCHLD or exit), then wait again.
    case mustBlock
}

/// What an exit changed.
public struct ExitOutcome: Hashable, Sendable {
    /// The parent to notify.
    public var parent: Int32
    /// The signal to send the parent (nil: none), with CLD_* information in `event`.
    public var signal: Signal?
    public var event: ChildEvent
    /// The process was reaped at once (the parent ignores SIGCHLD or set SA_NOCLDWAIT).
    public var autoReaped: Bool
    /// Children handed to `reaper`.
    public var reparented: [Int32]
    /// Their new parent: the nearest live subreaper ancestor, else init.
    public var reaper: Int32
    /// Of those, the ones already zombies: the reaper must be told (SIGCHLD) so it reaps them.
    public var reparentedZombies: [Int32]
    /// Process groups this exit orphaned while they have stopped members: each gets SIGHUP then
    /// SIGCONT (POSIX), so stopped jobs do not stay stopped forever.
    public var orphanedStoppedGroups: [Int32]
}

