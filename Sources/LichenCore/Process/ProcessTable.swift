// Process bookkeeping: parent/child links, process groups and sessions, zombies, re-parenting of
// orphans to init, and the wait4/waitid selection rules. Pure data: the kernel keeps its process
// objects elsewhere and asks this table who is related to whom and what a wait may report.
// Every per-process operation costs the same however many processes exist: records are found by
// pid in a radix map, children and group members are lists linked through the records, and groups
// are found by id (Linux's pid hash and task lists). `steps` counts the list links followed, so
// that tests catch a scan over all processes creeping back.

/// A process group: its session, and its members linked through their records in joining order.
public struct ProcessGroupInfo: Sendable {
    public internal(set) var sid: Int32
    public internal(set) var first: Int32 = 0
    public internal(set) var last: Int32 = 0
    public internal(set) var count = 0
}

public struct ProcessTable: Sendable {
    private var records = PidMap<ProcessRecord>()
    private var groups = PidMap<ProcessGroupInfo>()
    public var ids: PidAllocator
    public static let initPid: Int32 = 1
    /// kernel.threads-max: fork and clone fail with EAGAIN once this many ids (threads, processes and
    /// zombies not yet reaped) are in use, whoever asks (ResourceLimits.threadsMax).
    public var threadsMax = Int.max
    /// Records visited by list walks (children, group members): what the tests count. A box, so
    /// that read-only walks count too (copies of the table share it: it is a diagnostic).
    private let walked = StepCounter()
    public var steps: Int { walked.count }

    public init(pidMax: Int32 = PidAllocator.defaultPidMax) { ids = PidAllocator(pidMax: pidMax) }

    // MARK: Lookup

    public func record(_ pid: Int32) -> ProcessRecord? { pid > 0 ? records[pid] : nil }
    public func contains(_ pid: Int32) -> Bool { record(pid) != nil }
    public var count: Int { records.count }
    /// Every pid in the table, in increasing order.
    public var pids: [Int32] {
        var r: [Int32] = []
        records.forEach { pid, _ in r.append(pid) }
        return r
    }
    /// The first pid above `pid` in the table (/proc's readdir resumes from the last it returned).
    public mutating func pid(after pid: Int32) -> Int32? { records.next(after: pid)?.id }

    public func group(_ pgid: Int32) -> ProcessGroupInfo? { groups[pgid] }

    /// Children of `pid` in creation order (zombies included).
    public func children(of pid: Int32) -> [Int32] {
        var result: [Int32] = []
        var c = records[pid]?.firstChild ?? 0
        while c != 0, let r = records[c] { walked.count += 1; result.append(c); c = r.nextSibling }
        return result
    }

    /// Every process in group `pgid` (zombies included, as in Linux until they are reaped).
    public func members(ofGroup pgid: Int32) -> [Int32] {
        var result: [Int32] = []
        var m = groups[pgid]?.first ?? 0
        while m != 0, let r = records[m] { walked.count += 1; result.append(m); m = r.nextInGroup }
        return result
    }

    /// Live children of `pid` (not zombies): what prctl(PR_SET_PDEATHSIG) signals when it exits.
    public func liveChildren(of pid: Int32) -> [Int32] {
        children(of: pid).filter { !(records[$0]?.isZombie ?? true) }
    }

    /// Every process of session `sid` (a walk over all processes: only a session's end needs it).
    public func members(ofSession sid: Int32) -> [Int32] {
        var result: [Int32] = []
        records.forEach { pid, r in if r.sid == sid { result.append(pid) } }
        return result
    }

    // MARK: Links

    private mutating func link(_ pid: Int32, toParent parent: Int32) {
        guard parent > 0, let p = records[parent] else { records.update(pid) { $0.parent = parent }; return }
        let tail = p.lastChild
        records.update(pid) { $0.parent = parent; $0.previousSibling = tail; $0.nextSibling = 0 }
        if tail != 0 { records.update(tail) { $0.nextSibling = pid } }
        records.update(parent) { if tail == 0 { $0.firstChild = pid }; $0.lastChild = pid }
    }

    private mutating func unlinkFromParent(_ pid: Int32) {
        guard let r = records[pid], r.parent > 0 else { return }
        let (prev, next) = (r.previousSibling, r.nextSibling)
        if prev != 0 { records.update(prev) { $0.nextSibling = next } }
        if next != 0 { records.update(next) { $0.previousSibling = prev } }
        records.update(r.parent) {
            if $0.firstChild == pid { $0.firstChild = next }
            if $0.lastChild == pid { $0.lastChild = prev }
        }
        records.update(pid) { $0.previousSibling = 0; $0.nextSibling = 0 }
    }

    private mutating func join(_ pid: Int32, group pgid: Int32, session sid: Int32) {
        var g = groups[pgid] ?? ProcessGroupInfo(sid: sid)
        let tail = g.last
        records.update(pid) { $0.pgid = pgid; $0.previousInGroup = tail; $0.nextInGroup = 0 }
        if tail != 0 { records.update(tail) { $0.nextInGroup = pid } } else { g.first = pid }
        g.last = pid
        g.count += 1
        groups[pgid] = g
    }

    private mutating func leaveGroup(_ pid: Int32) {
        guard let r = records[pid], var g = groups[r.pgid] else { return }
        let (prev, next) = (r.previousInGroup, r.nextInGroup)
        if prev != 0 { records.update(prev) { $0.nextInGroup = next } } else { g.first = next }
        if next != 0 { records.update(next) { $0.previousInGroup = prev } } else { g.last = prev }
        g.count -= 1
        groups[r.pgid] = g.count == 0 ? nil : g
        records.update(pid) { $0.previousInGroup = 0; $0.nextInGroup = 0 }
    }

    // MARK: Creation

    /// Creates pid 1. Like Linux, init starts in session 0 and process group 0 (it is nobody's child
    /// and leads nothing until it calls setsid), unless `sessionLeader`.
    public mutating func createInit(sessionLeader: Bool = false) throws(Errno) -> Int32 {
        guard ids.reserve(ProcessTable.initPid) else { throw .EEXIST }
        let g: Int32 = sessionLeader ? ProcessTable.initPid : 0
        records[ProcessTable.initPid] = ProcessRecord(pid: ProcessTable.initPid, parent: 0, pgid: g, sid: g, exitSignal: nil)
        join(ProcessTable.initPid, group: g, session: g)
        return ProcessTable.initPid
    }

    /// fork/clone of a new process: same group and session as the parent. ESRCH if the parent is
    /// unknown (or a zombie), EAGAIN when no pid is free or threads-max is reached.
    public mutating func fork(parent: Int32, exitSignal: Signal? = .SIGCHLD) throws(Errno) -> Int32 {
        guard let p = record(parent), !p.isZombie else { throw .ESRCH }
        guard ids.count < threadsMax else { throw .EAGAIN }
        let pid = try ids.allocate()
        records[pid] = ProcessRecord(pid: pid, parent: parent, pgid: p.pgid, sid: p.sid, exitSignal: exitSignal)
        link(pid, toParent: parent)
        join(pid, group: p.pgid, session: p.sid)
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
        guard !contains(tid) else { return }
        ids.release(tid)
    }

    /// execve succeeded.
    public mutating func exec(_ pid: Int32) {
        records.update(pid) { $0.didExec = true }
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
        guard let target = record(pid), let c = record(caller) else { throw .ESRCH }
        if target.parent == caller && pid != caller {
            guard target.sid == c.sid else { throw .EPERM }
            guard !target.didExec else { throw .EACCES }
        } else if pid != caller {
            throw .ESRCH
        }
        guard !target.isSessionLeader else { throw .EPERM }
        if pgid != pid {
            guard let g = groups[pgid], g.sid == c.sid else { throw .EPERM }
        }
        guard pgid != target.pgid else { return }
        leaveGroup(pid)
        join(pid, group: pgid, session: target.sid)
    }

    /// setsid: the caller becomes leader of a new session and group named by its pid. EPERM if it
    /// already leads a process group (or any group has its pid as id).
    public mutating func setsid(caller: Int32) throws(Errno) -> Int32 {
        guard contains(caller) else { throw .ESRCH }
        if groups[caller] != nil { throw .EPERM }
        leaveGroup(caller)
        records.update(caller) { $0.sid = caller }
        join(caller, group: caller, session: caller)
        return caller
    }

    /// Whether group `pgid` is (or, ignoring `ignoring`, would be) orphaned: no member that is alive
    /// has a parent other than init in a different group of the same session.
    public func isOrphaned(group pgid: Int32, ignoring: Int32? = nil) -> Bool {
        for m in members(ofGroup: pgid) {
            guard let r = record(m), m != ignoring, !r.isZombie else { continue }
            if r.parent == ProcessTable.initPid { continue }
            guard let p = record(r.parent), p.pid != ignoring else { continue }
            if p.pgid != pgid && p.sid == r.sid { return false }
        }
        return true
    }

    public func hasStoppedMembers(group pgid: Int32) -> Bool {
        members(ofGroup: pgid).contains { record($0)?.isStopped ?? false }
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
            result = pids.filter { $0 != ProcessTable.initPid && $0 != caller }
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
        guard let r = record(pid), !r.isZombie else { return nil }
        records.update(pid) {
            $0.state = .stopped(signal)
            $0.unreportedStop = signal
            $0.unreportedContinue = false
        }
        return r.parent
    }

    /// A stopped process continued (SIGCONT): recorded for WCONTINUED. Returns the parent, or nil if
    /// it was not stopped.
    @discardableResult
    public mutating func resume(_ pid: Int32) -> Int32? {
        guard let r = record(pid), r.isStopped else { return nil }
        records.update(pid) {
            $0.state = .running
            $0.unreportedStop = nil
            $0.unreportedContinue = true
        }
        return r.parent
    }

    /// The process ended (`event` is .exited or .killed). It becomes a zombie, or is reaped at once if
    /// the parent's SIGCHLD disposition (`parentActions`) says so; its children go to init.
    public mutating func exit(_ pid: Int32, event: ChildEvent, parentActions: SignalActionTable, uid: UInt32 = 0) -> ExitOutcome? {
        guard let r = record(pid), !r.isZombie, pid != ProcessTable.initPid else { return nil }
        records.update(pid) { $0.uid = uid }
        let me = record(pid)!
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
        for child in children(of: pid) {
            unlinkFromParent(child)
            link(child, toParent: reaper)
            records.update(child) { $0.exitSignal = .SIGCHLD }  // Linux's reparent_leader: clone's exit signal never reaches init
            reparented.append(child)
            guard let c = record(child) else { continue }
            if c.isZombie { zombies.append(child) }
            if c.pgid != me.pgid, c.sid == me.sid, !orphaned.contains(c.pgid),
               isOrphaned(group: c.pgid, ignoring: pid), hasStoppedMembers(group: c.pgid) {
                orphaned.append(c.pgid)
            }
        }
        records.update(pid) {
            $0.state = .zombie(event)
            $0.unreportedStop = nil
            $0.unreportedContinue = false
        }
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
        records.update(pid) { $0.isChildSubreaper = on }
    }

    /// Records what an exiting process used (call before `exit`): its parent's wait gets it.
    public mutating func setUsage(_ pid: Int32, _ usage: ResourceUsage) {
        records.update(pid) { $0.usage = usage }
    }

    /// Removes a zombie (reaped by wait, or auto-reaped) and frees its pid. false if it is not a zombie.
    @discardableResult
    public mutating func reap(_ pid: Int32) -> Bool {
        guard let r = record(pid), r.isZombie else { return false }
        remove(pid)
        return true
    }

    private mutating func remove(_ pid: Int32) {
        guard contains(pid) else { return }
        unlinkFromParent(pid)
        leaveGroup(pid)
        records[pid] = nil
        ids.release(pid)
    }

    // MARK: wait

    /// wait4/waitid for `caller`: the first child (in creation order) that matches `selector` and has
    /// something `options` asks for: an exit (reaped unless WNOWAIT), an unreported stop (WUNTRACED),
    /// an unreported continue (WCONTINUED). ECHILD if no child matches at all. Children whose exit
    /// signal is not SIGCHLD ("clone" children) are only seen with __WCLONE or __WALL; __WCLONE alone
    /// sees only them. A wait for one pid looks at that child alone.
    public mutating func wait(caller: Int32, selector: WaitSelector, options: WaitOptions) throws(Errno) -> WaitResult {
        guard let c = record(caller) else { throw .ECHILD }
        var matched = false
        var child = c.firstChild
        if case .pid(let p) = selector { child = record(p)?.parent == caller ? p : 0 }
        while child != 0, let r = record(child) {
            walked.count += 1
            let current = child
            child = r.nextSibling
            if case .pid = selector { child = 0 }
            if case .processGroup(let g) = selector, r.pgid != g { continue }
            if !options.contains(.all) {
                let isClone = r.exitSignal != .SIGCHLD
                if isClone != options.contains(.clone) { continue }
            }
            matched = true
            let keep = options.contains(.noWait)
            if case .zombie(let event) = r.state {
                guard options.contains(.exited) else { continue }
                if !keep { remove(current) }
                return .reported(WaitReport(pid: current, event: event, reaped: !keep, usage: r.usage, uid: r.uid))
            }
            if let s = r.unreportedStop, options.contains(.stopped) {
                if !keep { records.update(current) { $0.unreportedStop = nil } }
                return .reported(WaitReport(pid: current, event: .stopped(s), reaped: false))
            }
            if r.unreportedContinue, options.contains(.continued) {
                if !keep { records.update(current) { $0.unreportedContinue = false } }
                return .reported(WaitReport(pid: current, event: .continued, reaped: false))
            }
        }
        guard matched else { throw .ECHILD }
        return options.contains(.noHang) ? .nothingYet : .mustBlock
    }
}

/// A count that read-only methods of a value type can bump.
final class StepCounter: @unchecked Sendable {
    var count = 0
}
