// A process's threads as its signal state sees them: which thread ids are alive, the slot each one
// has in the per-thread signal state, and how the process ends (Linux's signal_struct bookkeeping).
// Joining and leaving cost the same however many threads there are: the threads are a list linked
// through their slots (creation order), and free slots wait in a min-heap (the lowest is reused).

public struct ThreadGroup: Sendable {
    public struct Member: Equatable, Sendable {
        public var tid: Int32
        public let slot: Int
    }
    /// By slot: the thread's id (0: free) and its neighbours in creation order (-1: none).
    private var tids: [Int32] = [0]
    private var next: [Int] = [-1]
    private var previous: [Int] = [-1]
    private var first = 0, last = 0
    /// Free slots below `tids.count`, smallest on top.
    private var freeSlots = SlotHeap()
    public private(set) var count = 1
    /// exit_group or a fatal signal: the status the process reports, fixed by the first one.
    public private(set) var groupExit: ChildEvent? = nil
    /// The exit code the leader gave to exit(2) (reported when the last thread leaves without a
    /// group exit, as Linux reports the leader's exit_code).
    public private(set) var leaderExitCode: Int32 = 0
    /// The pid: the leader's tid.
    public let pid: Int32

    public init(pid: Int32) {
        self.pid = pid
        tids[0] = pid
    }

    /// Live threads in creation order (the leader first while it lives).
    public var members: [Member] {
        var r: [Member] = []
        r.reserveCapacity(count)
        var s = count > 0 ? first : -1
        while s >= 0 { r.append(Member(tid: tids[s], slot: s)); s = next[s] }
        return r
    }
    public var slots: [Int] { members.map { $0.slot } }

    /// The first live thread's slot (creation order) that `matches`, without building `members`.
    public func firstSlot(where matches: (Int) -> Bool) -> Int? {
        var s = count > 0 ? first : -1
        while s >= 0 {
            if matches(s) { return s }
            s = next[s]
        }
        return nil
    }

    /// Thread `tid`'s slot (a walk: the kernel knows its threads' slots).
    public func slot(of tid: Int32) -> Int? { members.first { $0.tid == tid }?.slot }

    /// A new thread: it gets the lowest slot no live thread uses.
    public mutating func join(tid: Int32) -> Int {
        let slot: Int
        if let s = freeSlots.pop() {
            slot = s
        } else {
            slot = tids.count
            tids.append(0); next.append(-1); previous.append(-1)
        }
        tids[slot] = tid
        next[slot] = -1
        previous[slot] = count > 0 ? last : -1
        if count > 0 { next[last] = slot } else { first = slot }
        last = slot
        count += 1
        return slot
    }

    /// Thread `tid` in `slot` ends with exit(2)'s `code`. Returns how the process ends if it was the
    /// last thread (nil: others still run).
    public mutating func leave(tid: Int32, slot given: Int? = nil, code: Int32) -> ChildEvent? {
        if tid == pid { leaderExitCode = code }
        guard let slot = given ?? slot(of: tid), slot < tids.count, tids[slot] == tid else {
            return count == 0 ? groupExit ?? .exited(code: leaderExitCode) : nil
        }
        let (p, n) = (previous[slot], next[slot])
        if p >= 0 { next[p] = n } else { first = n }
        if n >= 0 { previous[n] = p } else { last = p }
        tids[slot] = 0
        freeSlots.push(slot)
        count -= 1
        guard count == 0 else { return nil }
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
        guard let s = slot(of: tid) else { return }
        tids[s] = pid
    }
}

/// A binary min-heap of slot numbers.
struct SlotHeap: Sendable {
    private var items: [Int] = []

    mutating func push(_ v: Int) {
        items.append(v)
        var i = items.count - 1
        while i > 0 {
            let p = (i - 1) / 2
            guard items[p] > items[i] else { break }
            items.swapAt(p, i)
            i = p
        }
    }

    mutating func pop() -> Int? {
        guard let top = items.first else { return nil }
        let end = items.removeLast()
        guard !items.isEmpty else { return top }
        items[0] = end
        var i = 0
        while true {
            let l = 2 * i + 1, r = l + 1
            var m = i
            if l < items.count && items[l] < items[m] { m = l }
            if r < items.count && items[r] < items[m] { m = r }
            guard m != i else { return top }
            items.swapAt(i, m)
            i = m
        }
    }
}
