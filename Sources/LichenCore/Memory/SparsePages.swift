// Values by page index, sparse: a shared memory object's frames (only the pages touched exist, so
// an object of terabytes costs what was used). Sorted arrays with binary search, no hashing
// (Embedded Swift's Dictionary needs floating point and a random seed).

public struct SparsePages<Value> {
    private var indices: [UInt64] = []
    private var values: [Value] = []

    public init() {}

    public var count: Int { values.count }
    public var allValues: [Value] { values }

    public subscript(index: UInt64) -> Value? {
        let (i, found) = search(index)
        return found ? values[i] : nil
    }

    /// Stores `value` at `index` (replacing any there).
    public mutating func set(_ value: Value, at index: UInt64) {
        let (i, found) = search(index)
        if found { values[i] = value; return }
        indices.insert(index, at: i)
        values.insert(value, at: i)
    }

    /// Removes the values at indices in `range` and returns them.
    public mutating func remove(_ range: Range<UInt64>) -> [Value] {
        let (first, _) = search(range.lowerBound)
        var last = first
        while last < indices.count && indices[last] < range.upperBound { last += 1 }
        let removed = Array(values[first..<last])
        indices.removeSubrange(first..<last)
        values.removeSubrange(first..<last)
        return removed
    }

    /// Position of `index`, or where it would be inserted.
    private func search(_ index: UInt64) -> (Int, Bool) {
        if let last = indices.last, last < index { return (indices.count, false) }
        var lo = 0, hi = indices.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if indices[mid] < index { lo = mid + 1 } else { hi = mid }
        }
        return (lo, lo < indices.count && indices[lo] == index)
    }
}
