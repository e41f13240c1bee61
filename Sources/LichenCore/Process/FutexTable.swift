// Futex wait queues (Linux's futex hash buckets): who sleeps on which futex word, woken in FIFO
// order by key and bitset, or moved to another word (requeue). Pure bookkeeping: the kernel keeps
// one table under a spinlock and wakes the waiter objects the table hands back.

/// Which futex a word is, as Linux's get_futex_key: a word in private memory by its address space
/// and virtual address; a word in a MAP_SHARED mapping by its physical address (space 0), so that
/// processes mapping it at different addresses meet on the same key.
public struct FutexKey: BucketKey, Sendable {
    public var space: UInt
    public var address: UInt64
    public init(space: UInt, address: UInt64) {
        self.space = space
        self.address = address
    }
    public var bucketHash: UInt64 { UInt64(space) &* 31 ^ address }
}

/// A sleeper the table can queue: the table records which key it waits on now (nil: not queued),
/// so that taking it out (timeout, signal) looks in one bucket.
public protocol FutexQueued: AnyObject {
    var queuedKey: FutexKey? { get set }
}

/// Waiters by key, in hashed buckets (Linux's futex hash): a wake, a wait and a removal look at the
/// waiters of one bucket, however many threads sleep on other words. The waiters of one key stay in
/// FIFO order.
public struct FutexTable<Waiter: FutexQueued> {
    struct Entry {
        let bitset: UInt32
        let waiter: Waiter
    }
    private var entries = HashedBuckets<FutexKey, Entry>()

    public init() {}

    public var count: Int { entries.count }
    /// Waiters looked at so far (tests check a wake does not walk the sleepers of other words).
    public var probes: Int { entries.probes }

    /// Waiters queued on `key` now.
    public func waiters(on key: FutexKey) -> Int { entries.count(key) }

    /// Queues `waiter` on `key`; wakes with a bitset that shares a bit with `bitset` reach it.
    public mutating func enqueue(_ waiter: Waiter, key: FutexKey, bitset: UInt32 = .max) {
        waiter.queuedKey = key
        entries.append(key, Entry(bitset: bitset, waiter: waiter))
    }

    /// Takes `waiter` out (its wait timed out or a signal ended it). false: a wake already took it,
    /// so the wait must report success (the wake-up is not lost).
    public mutating func remove(_ waiter: Waiter) -> Bool {
        guard let key = waiter.queuedKey, entries.remove(key, where: { $0.waiter === waiter }) != nil else { return false }
        waiter.queuedKey = nil
        return true
    }

    /// FUTEX_WAKE(_BITSET): dequeues up to `count` waiters of `key` whose bitset matches, oldest
    /// first. Like Linux, a count of 0 or less still wakes one.
    public mutating func wake(_ key: FutexKey, count: Int, bitset: UInt32 = .max) -> [Waiter] {
        let limit = max(count, 1)
        var n = 0
        let woken = entries.removeAll(key) { e -> Bool? in
            guard n < limit else { return nil }
            guard e.bitset & bitset != 0 else { return false }
            n += 1
            return true
        }.map { $0.waiter }
        for w in woken { w.queuedKey = nil }
        return woken
    }

    /// FUTEX_(CMP_)REQUEUE: wakes up to `wake` waiters of `from`, then moves up to `requeue` more to
    /// `to` (they stay asleep, now waiting on the other word). Returns the woken and how many moved.
    public mutating func requeue(from: FutexKey, to: FutexKey, wake: Int, requeue: Int) -> (woken: [Waiter], requeued: Int) {
        var n = 0
        let taken = entries.removeAll(from) { _ -> Bool? in
            guard n < wake + requeue else { return nil }
            n += 1
            return true
        }
        let woken = taken.prefix(wake).map { $0.waiter }
        for w in woken { w.queuedKey = nil }
        for e in taken.dropFirst(wake) {
            e.waiter.queuedKey = to
            entries.append(to, e)
        }
        return (woken, taken.count - woken.count)
    }
}
