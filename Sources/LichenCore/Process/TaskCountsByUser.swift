// How many threads each real user id runs: what RLIMIT_NPROC limits (Linux's per-user ucounts).
// A short list, not a hash table: few users run anything at once.

public struct TaskCountsByUser: Sendable {
    private var entries: [(uid: UInt32, count: Int)] = []

    public init() {}

    public func count(of uid: UInt32) -> Int { entries.first { $0.uid == uid }?.count ?? 0 }

    /// Counts one more thread for `uid` unless it already runs `limit` (false: EAGAIN).
    public mutating func charge(_ uid: UInt32, limit: Int = Int.max) -> Bool {
        if let i = entries.firstIndex(where: { $0.uid == uid }) {
            guard entries[i].count < limit else { return false }
            entries[i].count += 1
        } else {
            guard limit > 0 else { return false }
            entries.append((uid, 1))
        }
        return true
    }

    /// `count` threads of `uid` ended (or changed user id).
    public mutating func release(_ uid: UInt32, count: Int = 1) {
        guard let i = entries.firstIndex(where: { $0.uid == uid }) else { return }
        entries[i].count -= min(count, entries[i].count)
        if entries[i].count == 0 { entries.remove(at: i) }
    }

    /// A process with `count` threads changed its real user id (setuid and friends succeed even past
    /// the new user's limit, as in Linux; its next fork is what fails).
    public mutating func move(_ count: Int, from old: UInt32, to new: UInt32) {
        guard old != new, count > 0 else { return }
        release(old, count: count)
        if let i = entries.firstIndex(where: { $0.uid == new }) { entries[i].count += count } else { entries.append((new, count)) }
    }
}
