// A process's threads as its signal state sees them: which thread ids are alive, the slot each one
// has in the per-thread signal state, and how the process ends (Linux's signal_struct bookkeeping).

public struct ThreadGroup: Sendable {
    public struct Member: Equatable, Sendable {
        public var tid: Int32
        public let slot: Int
    }
    /// Live threads in creation order (the leader first while it lives).
    public private(set) var members: [Member] = []
    /// exit_group or a fatal signal: the status the process reports, fixed by the first one.
    public private(set) var groupExit: ChildEvent? = nil
    /// The exit code the leader gave to exit(2) (reported when the last thread leaves without a
    /// group exit, as Linux reports the leader's exit_code).
    public private(set) var leaderExitCode: Int32 = 0
    /// The pid: the leader's tid.
    public let pid: Int32

    public init(pid: Int32) {
        self.pid = pid
        members = [Member(tid: pid, slot: 0)]
    }

    public var count: Int { members.count }
    public var slots: [Int] { members.map { $0.slot } }

    public func slot(of tid: Int32) -> Int? { members.first { $0.tid == tid }?.slot }

    /// A new thread: it gets the lowest slot no live thread uses.
    public mutating func join(tid: Int32) -> Int {
        // One pass (a thread bomb makes thousands): n members leave a free slot among 0...n.
        var used = [Bool](repeating: false, count: members.count + 1)
        for m in members where m.slot < used.count { used[m.slot] = true }
        let slot = used.firstIndex(of: false)!
        members.append(Member(tid: tid, slot: slot))
        return slot
    }

    /// Thread `tid` ends with exit(2)'s `code`. Returns how the process ends if it was the last
    /// thread (nil: others still run).
    public mutating func leave(tid: Int32, code: Int32) -> ChildEvent? {
        if tid == pid { leaderExitCode = code }
        members.removeAll { $0.tid == tid }
        guard members.isEmpty else { return nil }
        return groupExit ?? .exited(code: leaderExitCode)
    }

    /// exit_group or a fatal signal. true for the first request (the caller stops the other threads).
    public mutating func requestExit(_ event: ChildEvent) -> Bool {
        guard groupExit == nil else { return false }
        groupExit = event
        return true
    }

    /// execve from a thread other than the leader: once the others are gone it takes the pid.
    public mutating func becomeLeader(_ tid: Int32) {
        guard let i = members.firstIndex(where: { $0.tid == tid }) else { return }
        members[i].tid = pid
    }
}
