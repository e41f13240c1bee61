// A map from process or thread id to a value (Linux's pid radix tree): a lookup, an insertion and a
// removal take two array indexings whatever the number of ids in use. Two levels of 512 slots:
// leaves appear when an id in their range is first used and go when their last id is freed, so no
// allocation grows with the number of ids (the largest is the top level: pid_max / 512 entries).
// Not a Dictionary: Swift's hash tables size themselves with floating point, which the kernel lacks.

public struct PidMap<Value> {
    static var leafBits: Int { 9 }
    static var leafSize: Int { 1 << leafBits }

    struct Leaf {
        var values: [Value?]
        var used = 0
    }
    private var leaves: [Leaf?] = []
    /// Emptied leaves kept for the next new one: a fork and reap alone in a leaf would otherwise
    /// allocate and free a whole leaf each time.
    private var spare: [Leaf] = []
    public private(set) var count = 0
    /// Slots looked at by `next(after:)` (tests check iteration skips empty leaves).
    public private(set) var probes = 0

    public init() {}

    public subscript(id: Int32) -> Value? {
        get {
            guard id >= 0 else { return nil }
            let hi = Int(id) >> PidMap.leafBits
            guard hi < leaves.count, let leaf = leaves[hi] else { return nil }
            return leaf.values[Int(id) & (PidMap.leafSize - 1)]
        }
        set {
            guard id >= 0 else { return }
            let hi = Int(id) >> PidMap.leafBits, lo = Int(id) & (PidMap.leafSize - 1)
            if let newValue {
                if hi >= leaves.count { leaves.append(contentsOf: [Leaf?](repeating: nil, count: hi + 1 - leaves.count)) }
                if leaves[hi] == nil { leaves[hi] = spare.popLast() ?? Leaf(values: [Value?](repeating: nil, count: PidMap.leafSize)) }
                if leaves[hi]!.values[lo] == nil { leaves[hi]!.used += 1; count += 1 }
                leaves[hi]!.values[lo] = newValue
            } else {
                guard hi < leaves.count, leaves[hi] != nil, leaves[hi]!.values[lo] != nil else { return }
                leaves[hi]!.values[lo] = nil
                leaves[hi]!.used -= 1
                count -= 1
                if leaves[hi]!.used == 0 {
                    if spare.count < 2 { spare.append(leaves[hi]!) }
                    leaves[hi] = nil
                }
            }
        }
    }

    /// Changes the value of `id` in place (no copy of it is made). false if `id` has none.
    @discardableResult
    public mutating func update(_ id: Int32, _ body: (inout Value) -> Void) -> Bool {
        guard id >= 0 else { return false }
        let hi = Int(id) >> PidMap.leafBits, lo = Int(id) & (PidMap.leafSize - 1)
        guard hi < leaves.count, leaves[hi] != nil, leaves[hi]!.values[lo] != nil else { return false }
        body(&leaves[hi]!.values[lo]!)
        return true
    }

    /// The first id above `id` that has a value, with it: iteration that resumes where it stopped
    /// (/proc's readdir), skipping absent leaves whole.
    public mutating func next(after id: Int32) -> (id: Int32, value: Value)? {
        var i = Int(max(id, -1)) + 1
        while (i >> PidMap.leafBits) < leaves.count {
            let hi = i >> PidMap.leafBits
            guard let leaf = leaves[hi] else { i = (hi + 1) << PidMap.leafBits; probes += 1; continue }
            var lo = i & (PidMap.leafSize - 1)
            while lo < PidMap.leafSize {
                probes += 1
                if let v = leaf.values[lo] { return (Int32((hi << PidMap.leafBits) | lo), v) }
                lo += 1
            }
            i = (hi + 1) << PidMap.leafBits
        }
        return nil
    }

    /// Every (id, value) in increasing id order.
    public func forEach(_ body: (Int32, Value) -> Void) {
        for hi in 0..<leaves.count {
            guard let leaf = leaves[hi] else { continue }
            for lo in 0..<PidMap.leafSize { if let v = leaf.values[lo] { body(Int32((hi << PidMap.leafBits) | lo), v) } }
        }
    }

    /// Every value, in increasing id order.
    public var values: [Value] {
        var r: [Value] = []
        r.reserveCapacity(count)
        forEach { _, v in r.append(v) }
        return r
    }
}

extension PidMap: Sendable where Value: Sendable {}
extension PidMap.Leaf: Sendable where Value: Sendable {}
