// Process bookkeeping: parent/child links, process groups and sessions, zombies, re-parenting of
// orphans to init, and the wait4/waitid selection rules. Pure data: the kernel keeps its process
// objects elsewhere and asks this table who is related to whom and what a wait may report.

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
    /// Children in creation order (wait looks at them in this order).
    public internal(set) var children: [Int32] = []
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

public struct ProcessTable: Sendable {
    /// Sorted by pid.
    public private(set) var records: [ProcessRecord] = []
    public var ids: PidAllocator
    public static let initPid: Int32 = 1
    /// kernel.threads-max: fork and clone fail with EAGAIN once this many ids (threads, processes and
    /// zombies not yet reaped) are in use, whoever asks (ResourceLimits.threadsMax).
    public var threadsMax = Int.max

    public init(pidMax: Int32 = PidAllocator.defaultPidMax) { ids = PidAllocator(pidMax: pidMax) }

    // MARK: Lookup

    func index(of pid: Int32) -> Int? {
        var lo = 0, hi = records.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if records[mid].pid < pid { lo = mid + 1 } else { hi = mid }
        }
        return lo < records.count && records[lo].pid == pid ? lo : nil
    }

    public func record(_ pid: Int32) -> ProcessRecord? { index(of: pid).map { records[$0] } }
    public func contains(_ pid: Int32) -> Bool { index(of: pid) != nil }
    public var count: Int { records.count }

    /// Every process in group `pgid` (zombies included, as in Linux until they are reaped).
    public func members(ofGroup pgid: Int32) -> [Int32] {
        var result: [Int32] = []
        for r in records where r.pgid == pgid { result.append(r.pid) }
        return result
    }

    /// Live children of `pid` (not zombies): what prctl(PR_SET_PDEATHSIG) signals when it exits.
    public func liveChildren(of pid: Int32) -> [Int32] {
        var result: [Int32] = []
        for r in records where r.parent == pid {
            if case .zombie = r.state { continue }
            result.append(r.pid)
        }
        return result
    }

    public func members(ofSession sid: Int32) -> [Int32] {
        var result: [Int32] = []
        for r in records where r.sid == sid { result.append(r.pid) }
        return result
    }

    private mutating func insert(_ r: ProcessRecord) {
        var lo = 0, hi = records.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if records[mid].pid < r.pid { lo = mid + 1 } else { hi = mid }
        }
        records.insert(r, at: lo)
    }

    // MARK: Creation

    /// Creates pid 1. Like Linux, init starts in session 0 and process group 0 (it is nobody's child
    /// and leads nothing until it calls setsid), unless `sessionLeader`.
    public mutating func createInit(sessionLeader: Bool = false) throws(Errno) -> Int32 {
        guard ids.reserve(ProcessTable.initPid) else { throw .EEXIST }
        let g: Int32 = sessionLeader ? ProcessTable.initPid : 0
        insert(ProcessRecord(pid: ProcessTable.initPid, parent: 0, pgid: g, sid: g, exitSignal: nil))
        return ProcessTable.initPid
    }

    /// fork/clone of a new process: same group and session as the parent. ESRCH if the parent is
    /// unknown (or a zombie), EAGAIN when no pid is free or threads-max is reached.
    public mutating func fork(parent: Int32, exitSignal: Signal? = .SIGCHLD) throws(Errno) -> Int32 {
        guard let pi = index(of: parent), !records[pi].isZombie else { throw .ESRCH }
        guard ids.count < threadsMax else { throw .EAGAIN }
        let pid = try ids.allocate()
        let p = records[pi]
        insert(ProcessRecord(pid: pid, parent: parent, pgid: p.pgid, sid: p.sid, exitSignal: exitSignal))
        records[index(of: parent)!].children.append(pid)
        return pid
    }

    /// A new thread's id (threads and processes share the id space). EAGAIN when none is free or
    /// threads-max is reached.
    public mutating func allocateThreadID() throws(Errno) -> Int32 {
        guard ids.count < threadsMax else { throw .EAGAIN }
        return try ids.allocate()
    }

    /// A thread other than the leader ended: its id is free (the leader's is the pid, freed on reap).
    public mutating func releaseThreadID(_ tid: Int32) {
        guard index(of: tid) == nil else { return }
        ids.release(tid)
    }

    /// execve succeeded.
    public mutating func exec(_ pid: Int32) {
        if let i = index(of: pid) { records[i].didExec = true }
    }

    // MARK: Groups and sessions

    /// getpgid: pid 0 is the caller. ESRCH if unknown.
    public func getpgid(_ pid: Int32, caller: Int32) throws(Errno) -> Int32 {
        guard let r = record(pid == 0 ? caller : pid) else { throw .ESRCH }
        return r.pgid
    }

    /// getsid: pid 0 is the caller. ESRCH if unknown.
    public func getsid(_ pid: Int32, caller: Int32) throws(Errno) -> Int32 {
        guard let r = record(pid == 0 ? caller : pid) else { throw .ESRCH }
        return r.sid
    }

    /// setpgid with Linux's checks, in its order: EINVAL for a negative pgid; ESRCH if the target is
    /// neither the caller nor a child of it; for a child, EPERM if it is in another session and
    /// EACCES if it has called execve; EPERM if the target leads a session; EPERM if pgid names
    /// no process group in the caller's session (other than the target's own pid).
    public mutating func setpgid(caller: Int32, pid requested: Int32, pgid requestedGroup: Int32) throws(Errno) {
        let pid = requested == 0 ? caller : requested
        let pgid = requestedGroup == 0 ? pid : requestedGroup
        guard pgid >= 0 else { throw .EINVAL }
        guard let ti = index(of: pid), let c = record(caller) else { throw .ESRCH }
        let target = records[ti]
        if target.parent == caller && pid != caller {
            guard target.sid == c.sid else { throw .EPERM }
            guard !target.didExec else { throw .EACCES }
        } else if pid != caller {
            throw .ESRCH
        }
        guard !target.isSessionLeader else { throw .EPERM }
        if pgid != pid {
            guard records.contains(where: { $0.pgid == pgid && $0.sid == c.sid }) else { throw .EPERM }
        }
        records[ti].pgid = pgid
    }

    /// setsid: the caller becomes leader of a new session and group named by its pid. EPERM if it
    /// already leads a process group (or any group has its pid as id).
    public mutating func setsid(caller: Int32) throws(Errno) -> Int32 {
        guard let i = index(of: caller) else { throw .ESRCH }
        if records.contains(where: { $0.pgid == caller }) { throw .EPERM }
        records[i].pgid = caller
        records[i].sid = caller
        return caller
    }

    /// Whether group `pgid` is (or, ignoring `ignoring`, would be) orphaned: no member that is alive
    /// has a parent other than init in a different group of the same session.
    public func isOrphaned(group pgid: Int32, ignoring: Int32? = nil) -> Bool {
        for r in records where r.pgid == pgid && r.pid != ignoring && !r.isZombie {
            if r.parent == ProcessTable.initPid { continue }
            guard let p = record(r.parent), p.pid != ignoring else { continue }
            if p.pgid != pgid && p.sid == r.sid { return false }
        }
        return true
    }

    public func hasStoppedMembers(group pgid: Int32) -> Bool {
        records.contains { $0.pgid == pgid && $0.isStopped }
    }

    /// kill's targets: pid > 0 that process; 0 the caller's group; -1 every process but init and the
    /// caller; < -1 the group -pid. ESRCH when there is none (or for INT_MIN).
    public func killTargets(pid: Int32, caller: Int32) throws(Errno) -> [Int32] {
        if pid == Int32.min { throw .ESRCH }
        var result: [Int32]
        if pid > 0 {
            result = contains(pid) ? [pid] : []
        } else if pid == 0 {
            result = members(ofGroup: try getpgid(caller, caller: caller))
        } else if pid == -1 {
            result = []
            for r in records where r.pid != ProcessTable.initPid && r.pid != caller { result.append(r.pid) }
        } else {
            result = members(ofGroup: -pid)
        }
        guard !result.isEmpty else { throw .ESRCH }
        return result
    }

    // MARK: Stop, continue, exit

    /// A process stopped (group stop) by `signal`: recorded for WUNTRACED. Returns the parent, which
    /// gets SIGCHLD with CLD_STOPPED if its SIGCHLD disposition asks for it.
    @discardableResult
    public mutating func stop(_ pid: Int32, by signal: Signal) -> Int32? {
        guard let i = index(of: pid), !records[i].isZombie else { return nil }
        records[i].state = .stopped(signal)
        records[i].unreportedStop = signal
        records[i].unreportedContinue = false
        return records[i].parent
    }

    /// A stopped process continued (SIGCONT): recorded for WCONTINUED. Returns the parent, or nil if
    /// it was not stopped.
    @discardableResult
    public mutating func resume(_ pid: Int32) -> Int32? {
        guard let i = index(of: pid), records[i].isStopped else { return nil }
        records[i].state = .running
        records[i].unreportedStop = nil
        records[i].unreportedContinue = true
        return records[i].parent
    }

    /// The process ended (`event` is .exited or .killed). It becomes a zombie, or is reaped at once if
    /// the parent's SIGCHLD disposition (`parentActions`) says so; its children go to init.
    public mutating func exit(_ pid: Int32, event: ChildEvent, parentActions: SignalActionTable, uid: UInt32 = 0) -> ExitOutcome? {
        guard let i = index(of: pid), !records[i].isZombie, pid != ProcessTable.initPid else { return nil }
        records[i].uid = uid
        let me = records[i]
        // Our own group may become orphaned by our leaving (kill_orphaned_pgrp with parent = ours).
        var orphaned: [Int32] = []
        if let p = record(me.parent), p.pgid != me.pgid, p.sid == me.sid,
           isOrphaned(group: me.pgid, ignoring: pid), hasStoppedMembers(group: me.pgid) {
            orphaned.append(me.pgid)
        }
        // Children to the reaper; each child's group may become orphaned by it.
        let reaper = self.reaper(forChildrenOf: pid)
        var reparented: [Int32] = []
        var zombies: [Int32] = []
        for child in me.children {
            guard let ci = index(of: child) else { continue }
            records[ci].parent = reaper
            records[ci].exitSignal = .SIGCHLD      // Linux's reparent_leader: clone's exit signal never reaches init
            reparented.append(child)
            if records[ci].isZombie { zombies.append(child) }
            let c = records[ci]
            if c.pgid != me.pgid, c.sid == me.sid, !orphaned.contains(c.pgid),
               isOrphaned(group: c.pgid, ignoring: pid), hasStoppedMembers(group: c.pgid) {
                orphaned.append(c.pgid)
            }
        }
        if !reparented.isEmpty, let ii = index(of: reaper) {
            records[ii].children.append(contentsOf: reparented)
        }
        let j = index(of: pid)!
        records[j].children = []
        records[j].state = .zombie(event)
        records[j].unreportedStop = nil
        records[j].unreportedContinue = false
        let (signal, autoReap) = parentActions.childExitNotification(exitSignal: me.exitSignal)
        if autoReap { remove(pid) }
        return ExitOutcome(parent: me.parent, signal: signal, event: event, autoReaped: autoReap,
                           reparented: reparented, reaper: reaper, reparentedZombies: zombies,
                           orphanedStoppedGroups: orphaned)
    }

    /// Who inherits the children of exiting `pid` (Linux's find_new_reaper): the nearest ancestor
    /// that set PR_SET_CHILD_SUBREAPER and has not exited, else init.
    func reaper(forChildrenOf pid: Int32) -> Int32 {
        var ancestor = record(pid)?.parent ?? ProcessTable.initPid
        while ancestor != ProcessTable.initPid, let r = record(ancestor) {
            if r.isChildSubreaper && !r.isZombie { return ancestor }
            ancestor = r.parent
        }
        return ProcessTable.initPid
    }

    /// prctl(PR_SET_CHILD_SUBREAPER).
    public mutating func setChildSubreaper(_ pid: Int32, _ on: Bool) {
        if let i = index(of: pid) { records[i].isChildSubreaper = on }
    }

    /// Records what an exiting process used (call before `exit`): its parent's wait gets it.
    public mutating func setUsage(_ pid: Int32, _ usage: ResourceUsage) {
        if let i = index(of: pid) { records[i].usage = usage }
    }

    /// Removes a zombie (reaped by wait, or auto-reaped) and frees its pid. false if it is not a zombie.
    @discardableResult
    public mutating func reap(_ pid: Int32) -> Bool {
        guard let r = record(pid), r.isZombie else { return false }
        remove(pid)
        return true
    }

    private mutating func remove(_ pid: Int32) {
        guard let i = index(of: pid) else { return }
        let parent = records[i].parent
        records.remove(at: i)
        ids.release(pid)
        if let pi = index(of: parent) { records[pi].children.removeAll { $0 == pid } }
    }

    // MARK: wait

    /// wait4/waitid for `caller`: the first child (in creation order) that matches `selector` and has
    /// something `options` asks for: an exit (reaped unless WNOWAIT), an unreported stop (WUNTRACED),
    /// an unreported continue (WCONTINUED). ECHILD if no child matches at all. Children whose exit
    /// signal is not SIGCHLD ("clone" children) are only seen with __WCLONE or __WALL; __WCLONE alone
    /// sees only them.
    public mutating func wait(caller: Int32, selector: WaitSelector, options: WaitOptions) throws(Errno) -> WaitResult {
        guard let c = record(caller) else { throw .ECHILD }
        var matched = false
        for child in c.children {
            guard let r = record(child) else { continue }
            switch selector {
            case .any: break
            case .pid(let p): if r.pid != p { continue }
            case .processGroup(let g): if r.pgid != g { continue }
            }
            if !options.contains(.all) {
                let isClone = r.exitSignal != .SIGCHLD
                if isClone != options.contains(.clone) { continue }
            }
            matched = true
            let keep = options.contains(.noWait)
            if case .zombie(let event) = r.state {
                guard options.contains(.exited) else { continue }
                if !keep { remove(child) }
                return .reported(WaitReport(pid: child, event: event, reaped: !keep, usage: r.usage, uid: r.uid))
            }
            if let s = r.unreportedStop, options.contains(.stopped) {
                if !keep { records[index(of: child)!].unreportedStop = nil }
                return .reported(WaitReport(pid: child, event: .stopped(s), reaped: false))
            }
            if r.unreportedContinue, options.contains(.continued) {
                if !keep { records[index(of: child)!].unreportedContinue = false }
                return .reported(WaitReport(pid: child, event: .continued, reaped: false))
            }
        }
        guard matched else { throw .ECHILD }
        return options.contains(.noHang) ? .nothingYet : .mustBlock
    }
}
