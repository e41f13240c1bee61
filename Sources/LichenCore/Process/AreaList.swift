// The areas of a VirtualMemoryMap in address order, as a list of chunks of at most 64 areas (issue
// 13): a process with 100,000 mappings needs no contiguous array that long (the chunk array is 1/32
// to 1/64 of it), and inserting or removing an area moves at most one chunk's elements, not the
// whole map. An index is found from the chunk counts through a Fenwick tree (O(log chunks)); the
// tree is rebuilt only when a chunk splits, merges or goes away (once per ~16-32 edits).
//
// The map keeps, per chunk, a cached summary of it (the largest free gap between its areas), so that
// mmap's search for room skips whole chunks; any edit of a chunk forgets its summary.

public struct AreaList<Element>: RandomAccessCollection {
    static var chunkCapacity: Int { 64 }
    /// A chunk smaller than this merges with a neighbour when they fit in one.
    static var chunkMinimum: Int { 16 }

    private(set) var chunks: [[Element]] = []
    /// Fenwick tree of the chunk sizes (1-based).
    private var sizes: [Int] = []
    public private(set) var count = 0
    private var cache = AreaListCache()

    public init() {}

    public var startIndex: Int { 0 }
    public var endIndex: Int { count }
    public func index(after i: Int) -> Int { i + 1 }
    public func index(before i: Int) -> Int { i - 1 }

    /// Steps taken by index lookups and gap searches since the last reset (tests bound them).
    public var probes: Int { cache.probes }
    public func resetProbes() { cache.probes = 0 }
    func probe(_ n: Int = 1) { cache.probes += n }

    /// The chunk holding index `i` (i < count) and the position in it.
    func locate(_ i: Int) -> (chunk: Int, offset: Int) {
        var pos = 0, rest = i
        var step = 1
        while step * 2 <= chunks.count { step *= 2 }
        while step > 0 {
            cache.probes += 1
            if pos + step <= chunks.count && sizes[pos + step] <= rest {
                pos += step
                rest -= sizes[pos]
            }
            step /= 2
        }
        return (pos, rest)
    }

    /// Where the first element for which `isAfter` holds is (the elements failing it form a prefix,
    /// as "ends above an address" does in address order): its index, chunk and place in the chunk
    /// (`count`, `chunks.count`, 0 if none). A binary search over the chunks' last elements, then in
    /// one chunk, reading the elements in place: no Fenwick walk and no element copy per probe.
    @inline(__always)
    func position(firstWhere isAfter: (Element) -> Bool) -> (index: Int, chunk: Int, offset: Int) {
        var lo = 0, hi = chunks.count
        while lo < hi {
            let mid = (lo + hi) / 2
            cache.probes += 1
            if isAfter(chunks[mid][chunks[mid].count - 1]) { hi = mid } else { lo = mid + 1 }
        }
        guard lo < chunks.count else { return (count, chunks.count, 0) }
        let c = lo
        lo = 0; hi = chunks[c].count - 1                  // the last one holds
        while lo < hi {
            let mid = (lo + hi) / 2
            cache.probes += 1
            if isAfter(chunks[c][mid]) { hi = mid } else { lo = mid + 1 }
        }
        var before = 0, i = c                             // the elements of chunks 0..<c (Fenwick prefix)
        while i > 0 {
            before += sizes[i]
            i -= i & (-i)
        }
        return (before + lo, c, lo)
    }

    public subscript(i: Int) -> Element {
        get {
            let (c, o) = locate(i)
            return chunks[c][o]
        }
        set {
            let (c, o) = locate(i)
            forget(c)
            chunks[c][o] = newValue
        }
    }

    public struct Iterator: IteratorProtocol {
        let chunks: [[Element]]
        var c = 0, o = 0
        public mutating func next() -> Element? {
            while c < chunks.count {
                if o < chunks[c].count { o += 1; return chunks[c][o - 1] }
                c += 1; o = 0
            }
            return nil
        }
    }
    public func makeIterator() -> Iterator { Iterator(chunks: chunks) }

    public mutating func insert(_ e: Element, at i: Int) {
        precondition(i >= 0 && i <= count)
        if chunks.isEmpty {
            chunks = [[e]]
            count = 1
            rebuild()
            return
        }
        let (c, o) = i == count ? (chunks.count - 1, chunks[chunks.count - 1].count) : locate(i)
        forget(c)
        chunks[c].insert(e, at: o)
        count += 1
        add(1, toChunk: c)
        if chunks[c].count > AreaList.chunkCapacity {
            let half = chunks[c].count / 2
            chunks.insert(Array(chunks[c][half...]), at: c + 1)
            chunks[c].removeSubrange(half...)
            rebuild()
        }
    }

    public mutating func append(_ e: Element) { insert(e, at: count) }

    @discardableResult
    public mutating func remove(at i: Int) -> Element {
        let (c, o) = locate(i)
        forget(c)
        let e = chunks[c].remove(at: o)
        count -= 1
        add(-1, toChunk: c)
        if chunks[c].isEmpty {
            chunks.remove(at: c)
            rebuild()
        } else if chunks[c].count < AreaList.chunkMinimum {
            mergeSmall(c)
        }
        return e
    }

    /// Replaces the elements in `range` with `elements` (one removal or insertion per element).
    public mutating func replaceSubrange<R: RangeExpression>(_ range: R, with elements: [Element]) where R.Bound == Int {
        let r = range.relative(to: self)
        for _ in r { remove(at: r.lowerBound) }
        for (k, e) in elements.enumerated() { insert(e, at: r.lowerBound + k) }
    }

    public mutating func removeSubrange<R: RangeExpression>(_ range: R) where R.Bound == Int {
        replaceSubrange(range, with: [])
    }

    public mutating func removeAll() {
        chunks = []
        count = 0
        rebuild()
    }

    /// The cached summary of chunk `c`, computed by `summarize` from its elements when not known.
    func summary(ofChunk c: Int, _ summarize: ([Element]) -> UInt64) -> UInt64 {
        if let s = cache.summaries[c] { return s }
        let s = summarize(chunks[c])
        cache.probes += chunks[c].count
        cache.summaries[c] = s
        return s
    }

    // MARK: chunk bookkeeping

    /// A chunk below the minimum joins its next (or previous) neighbour when both fit in one.
    private mutating func mergeSmall(_ c: Int) {
        let left = c + 1 < chunks.count ? c : c - 1
        guard left >= 0, left + 1 < chunks.count,
              chunks[left].count + chunks[left + 1].count <= AreaList.chunkCapacity else { return }
        chunks[left] += chunks[left + 1]
        chunks.remove(at: left + 1)
        rebuild()
    }

    private mutating func add(_ delta: Int, toChunk c: Int) { addSize(delta, c) }

    /// Forgets chunk `c`'s summary (after copying the cache if a forked map shares it).
    private mutating func forget(_ c: Int) {
        if !isKnownUniquelyReferenced(&cache) { cache = cache.copy() }
        if c < cache.summaries.count { cache.summaries[c] = nil }
    }

    private mutating func rebuild() {
        if !isKnownUniquelyReferenced(&cache) { cache = cache.copy() }
        cache.summaries = Array(repeating: nil, count: chunks.count)
        sizes = Array(repeating: 0, count: chunks.count + 1)
        for c in chunks.indices { addSize(chunks[c].count, c) }
    }

    private mutating func addSize(_ delta: Int, _ c: Int) {
        var i = c + 1
        while i < sizes.count {
            sizes[i] += delta
            i += i & (-i)
        }
    }
}

/// Per-chunk summaries and the probe counter: a reference so that lookups (non-mutating) can fill
/// it; edits copy it first when a forked map still shares it.
final class AreaListCache: @unchecked Sendable {
    var summaries: [UInt64?] = []
    var probes = 0
    func copy() -> AreaListCache {
        let c = AreaListCache()
        c.summaries = summaries
        return c
    }
}

extension AreaList: Sendable where Element: Sendable {}
extension AreaList.Iterator: Sendable where Element: Sendable {}
