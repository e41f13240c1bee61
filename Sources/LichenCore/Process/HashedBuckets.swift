// A hash table of (key, value) entries for the kernel, which has no floating point for Swift's
// Dictionary: chained buckets whose number doubles when the entries reach twice the buckets and
// halves when they fall to an eighth, so a lookup looks at about two entries however many there are
// (Linux's futex hash, a task-to-thread map). Several entries may share a key; those keep their
// insertion order (FIFO, as futex waiters need). `probes` counts the entries looked at.

public protocol BucketKey: Equatable {
    var bucketHash: UInt64 { get }
}

extension UInt: BucketKey {
    public var bucketHash: UInt64 { UInt64(self) }
}

public struct HashedBuckets<Key: BucketKey, Value> {
    public struct Entry {
        public var key: Key
        public var value: Value
    }
    private var buckets: [[Entry]]
    private var shift: UInt64
    private let minimumBits: UInt64
    public private(set) var count = 0
    private let probed = StepCounter()
    /// Entries looked at by lookups since the table was made (tests check it stays small).
    public var probes: Int { probed.count }
    public var bucketCount: Int { buckets.count }

    public init(minimumBits: Int = 4) {
        self.minimumBits = UInt64(minimumBits)
        shift = UInt64(minimumBits)
        buckets = [[Entry]](repeating: [], count: 1 << minimumBits)
    }

    private func bucket(_ key: Key) -> Int {
        // Fibonacci hashing: the top bits of the product depend on every bit of the key.
        Int((key.bucketHash &* 0x9E37_79B9_7F4A_7C15) >> (64 - shift))
    }

    /// Adds an entry after any others with the same key.
    public mutating func append(_ key: Key, _ value: Value) {
        buckets[bucket(key)].append(Entry(key: key, value: value))
        count += 1
        if count > 2 * buckets.count { resize(bits: shift + 1) }
    }

    /// The first value with `key`.
    public func first(_ key: Key) -> Value? {
        for e in buckets[bucket(key)] {
            probed.count += 1
            if e.key == key { return e.value }
        }
        return nil
    }

    /// Removes the first entry with `key` whose value passes `match`; returns its value.
    @discardableResult
    public mutating func remove(_ key: Key, where match: (Value) -> Bool = { _ in true }) -> Value? {
        let b = bucket(key)
        for i in buckets[b].indices {
            probed.count += 1
            guard buckets[b][i].key == key, match(buckets[b][i].value) else { continue }
            let v = buckets[b].remove(at: i).value
            count -= 1
            if count * 8 < buckets.count && shift > minimumBits { resize(bits: shift - 1) }
            return v
        }
        return nil
    }

    /// Removes, in insertion order, entries with `key` for which `take` answers true, until it
    /// answers nil (stop); returns their values.
    public mutating func removeAll(_ key: Key, _ take: (Value) -> Bool?) -> [Value] {
        let b = bucket(key)
        var taken: [Value] = []
        var i = 0
        while i < buckets[b].count {
            probed.count += 1
            guard buckets[b][i].key == key else { i += 1; continue }
            guard let t = take(buckets[b][i].value) else { break }
            if t { taken.append(buckets[b].remove(at: i).value) } else { i += 1 }
        }
        count -= taken.count
        if count * 8 < buckets.count && shift > minimumBits { resize(bits: shift - 1) }
        return taken
    }

    /// Whether an entry with `key` has a value that passes `match`.
    public func contains(_ key: Key, where match: (Value) -> Bool) -> Bool {
        for e in buckets[bucket(key)] {
            probed.count += 1
            if e.key == key && match(e.value) { return true }
        }
        return false
    }

    /// How many entries have `key`.
    public func count(_ key: Key) -> Int {
        buckets[bucket(key)].reduce(0) { $0 + ($1.key == key ? 1 : 0) }
    }

    private mutating func resize(bits: UInt64) {
        let old = buckets
        shift = bits
        buckets = [[Entry]](repeating: [], count: 1 << Int(bits))
        for b in old { for e in b { buckets[bucket(e.key)].append(e) } }
    }
}

extension HashedBuckets: Sendable where Key: Sendable, Value: Sendable {}
extension HashedBuckets.Entry: Sendable where Key: Sendable, Value: Sendable {}
