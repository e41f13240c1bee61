// A hash table of (key, value) entries for the kernel, which has no floating point for Swift's
// Dictionary: chained buckets whose number doubles when the keys reach twice the buckets and
// halves when they fall to an eighth, so a lookup looks at about two keys however many there are
// (Linux's futex hash, a task-to-thread map). Several entries may share a key: they form one group
// in their bucket and keep their insertion order (FIFO, as futex waiters need), so a key with
// thousands of entries (10,000 threads waiting on one futex word) costs nothing to the other keys
// of its bucket. `probes` counts the keys and entries looked at.

public protocol BucketKey: Equatable {
    var bucketHash: UInt64 { get }
}

extension UInt: BucketKey {
    public var bucketHash: UInt64 { UInt64(self) }
}

public struct HashedBuckets<Key: BucketKey, Value> {
    /// The entries of one key, oldest first: `values[head...]` (a wake takes from the front without
    /// moving the rest; the array is compacted when half of it is taken).
    struct Group {
        var key: Key
        var values: [Value]
        var head = 0
        var live: Int { values.count - head }
    }
    private var buckets: [[Group]]
    private var shift: UInt64
    private let minimumBits: UInt64
    /// Entries, and distinct keys (what the bucket count follows).
    public private(set) var count = 0
    private var keyCount = 0
    private let probed = StepCounter()
    /// Keys and entries looked at by lookups since the table was made (tests check it stays small).
    public var probes: Int { probed.count }
    public var bucketCount: Int { buckets.count }

    public init(minimumBits: Int = 4) {
        self.minimumBits = UInt64(minimumBits)
        shift = UInt64(minimumBits)
        buckets = [[Group]](repeating: [], count: 1 << minimumBits)
    }

    private func bucket(_ key: Key) -> Int {
        // Fibonacci hashing: the top bits of the product depend on every bit of the key.
        Int((key.bucketHash &* 0x9E37_79B9_7F4A_7C15) >> (64 - shift))
    }

    /// The index of `key`'s group in bucket `b`.
    private func group(_ b: Int, _ key: Key) -> Int? {
        var i = 0
        while i < buckets[b].count {
            probed.count += 1
            if buckets[b][i].key == key { return i }
            i += 1
        }
        return nil
    }

    /// Adds an entry after any others with the same key.
    public mutating func append(_ key: Key, _ value: Value) {
        let b = bucket(key)
        count += 1
        if let g = group(b, key) {
            buckets[b][g].values.append(value)
            return
        }
        buckets[b].append(Group(key: key, values: [value]))
        keyCount += 1
        if keyCount > 2 * buckets.count { resize(bits: shift + 1) }
    }

    /// The first value with `key`.
    public func first(_ key: Key) -> Value? {
        let b = bucket(key)
        guard let g = group(b, key) else { return nil }
        return buckets[b][g].values[buckets[b][g].head]
    }

    /// Removes the first entry with `key` whose value passes `match`; returns its value.
    @discardableResult
    public mutating func remove(_ key: Key, where match: (Value) -> Bool = { _ in true }) -> Value? {
        let b = bucket(key)
        guard let g = group(b, key) else { return nil }
        var i = buckets[b][g].head
        while i < buckets[b][g].values.count {
            probed.count += 1
            let v = buckets[b][g].values[i]
            if match(v) {
                takeEntry(b, g, i)
                settle(b, g)
                return v
            }
            i += 1
        }
        return nil
    }

    /// Removes, in insertion order, entries with `key` for which `take` answers true, until it
    /// answers nil (stop); returns their values.
    public mutating func removeAll(_ key: Key, _ take: (Value) -> Bool?) -> [Value] {
        let b = bucket(key)
        guard let g = group(b, key) else { return [] }
        var taken: [Value] = []
        var i = buckets[b][g].head
        while i < buckets[b][g].values.count {
            probed.count += 1
            let v = buckets[b][g].values[i]
            guard let t = take(v) else { break }
            if t {
                taken.append(v)
                let front = i == buckets[b][g].head
                takeEntry(b, g, i)
                if front { i += 1 }         // the head moved past it; otherwise the rest moved down
            } else {
                i += 1
            }
        }
        settle(b, g)
        return taken
    }

    /// Whether an entry with `key` has a value that passes `match`.
    public func contains(_ key: Key, where match: (Value) -> Bool) -> Bool {
        let b = bucket(key)
        guard let g = group(b, key) else { return false }
        for v in buckets[b][g].values[buckets[b][g].head...] {
            probed.count += 1
            if match(v) { return true }
        }
        return false
    }

    /// How many entries have `key`.
    public func count(_ key: Key) -> Int {
        let b = bucket(key)
        return group(b, key).map { buckets[b][$0].live } ?? 0
    }

    /// Takes entry `i` of group `g` in bucket `b`: the front one by moving the head, another by
    /// removing it from the array.
    private mutating func takeEntry(_ b: Int, _ g: Int, _ i: Int) {
        if i == buckets[b][g].head { buckets[b][g].head += 1 } else { buckets[b][g].values.remove(at: i) }
        count -= 1
    }

    /// After removals from group `g`: an empty group leaves its bucket (and the table may shrink);
    /// a group whose front half is taken is compacted.
    private mutating func settle(_ b: Int, _ g: Int) {
        let head = buckets[b][g].head
        if buckets[b][g].live == 0 {
            buckets[b].remove(at: g)
            keyCount -= 1
            if keyCount * 8 < buckets.count && shift > minimumBits { resize(bits: shift - 1) }
        } else if head >= 16 && head * 2 >= buckets[b][g].values.count {
            buckets[b][g].values.removeFirst(head)
            buckets[b][g].head = 0
        }
    }

    private mutating func resize(bits: UInt64) {
        let old = buckets
        shift = bits
        buckets = [[Group]](repeating: [], count: 1 << Int(bits))
        for b in old { for g in b { buckets[bucket(g.key)].append(g) } }
    }
}

extension HashedBuckets: Sendable where Key: Sendable, Value: Sendable {}
extension HashedBuckets.Group: Sendable where Key: Sendable, Value: Sendable {}
