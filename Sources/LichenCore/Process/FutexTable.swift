// Futex wait queues (Linux's futex hash buckets): who sleeps on which futex word, woken in FIFO
// order by key and bitset, or moved to another word (requeue). Pure bookkeeping: the kernel keeps
// one table under a spinlock and wakes the waiter objects the table hands back.

/// Which futex a word is, as Linux's get_futex_key: a word in private memory by its address space
/// and virtual address; a word in a MAP_SHARED mapping by its physical address (space 0), so that
/// processes mapping it at different addresses meet on the same key.
public struct FutexKey: Equatable, Sendable {
    public var space: UInt
    public var address: UInt64
    public init(space: UInt, address: UInt64) {
        self.space = space
        self.address = address
    }
}

/// Waiters by key. An array, not a hash table: the kernel has no floating point for Swift's
/// hashed collections, and the number of sleeping threads is small.
public struct FutexTable<Waiter: AnyObject> {
    struct Entry {
        var key: FutexKey
        let bitset: UInt32
        let waiter: Waiter
    }
    private var entries: [Entry] = []

    public init() {}

    public var count: Int { entries.count }

    /// Waiters queued on `key` now.
    public func waiters(on key: FutexKey) -> Int { entries.reduce(0) { $0 + ($1.key == key ? 1 : 0) } }

    /// Queues `waiter` on `key`; wakes with a bitset that shares a bit with `bitset` reach it.
    public mutating func enqueue(_ waiter: Waiter, key: FutexKey, bitset: UInt32 = .max) {
        entries.append(Entry(key: key, bitset: bitset, waiter: waiter))
    }

    /// Takes `waiter` out (its wait timed out or a signal ended it). false: a wake already took it,
    /// so the wait must report success (the wake-up is not lost).
    public mutating func remove(_ waiter: Waiter) -> Bool {
        guard let i = entries.firstIndex(where: { $0.waiter === waiter }) else { return false }
        entries.remove(at: i)
        return true
    }

    /// FUTEX_WAKE(_BITSET): dequeues up to `count` waiters of `key` whose bitset matches, oldest
    /// first. Like Linux, a count of 0 or less still wakes one.
    public mutating func wake(_ key: FutexKey, count: Int, bitset: UInt32 = .max) -> [Waiter] {
        let limit = max(count, 1)
        var woken: [Waiter] = []
        var i = 0
        while i < entries.count && woken.count < limit {
            if entries[i].key == key && entries[i].bitset & bitset != 0 {
                woken.append(entries.remove(at: i).waiter)
            } else {
                i += 1
            }
        }
        return woken
    }

    /// FUTEX_(CMP_)REQUEUE: wakes up to `wake` waiters of `from`, then moves up to `requeue` more to
    /// `to` (they stay asleep, now waiting on the other word). Returns the woken and how many moved.
    public mutating func requeue(from: FutexKey, to: FutexKey, wake: Int, requeue: Int) -> (woken: [Waiter], requeued: Int) {
        var woken: [Waiter] = []
        var moved = 0
        var i = 0
        while i < entries.count && (woken.count < wake || moved < requeue) {
            guard entries[i].key == from else { i += 1; continue }
            if woken.count < wake {
                woken.append(entries.remove(at: i).waiter)
                continue
            }
            entries[i].key = to
            moved += 1
            i += 1
        }
        return (woken, moved)
    }
}
