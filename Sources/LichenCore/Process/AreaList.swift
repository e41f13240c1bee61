// The areas of a VirtualMemoryMap in address order, as a list of chunks of at most 32 areas (issue
// 13): a process with 100,000 mappings needs no contiguous array that long (the chunk array is 1/16
// to 1/32 of it), and inserting or removing an area moves at most one chunk's elements, not the
// whole map. An index is found from the chunk counts through a Fenwick tree (O(log chunks)); the
// tree is rebuilt only when a chunk splits, merges or goes away (once per ~8-16 edits).
//
// The map keeps, per chunk, a summary of it (the largest free gap below any of its areas), and a max
// tree over the summaries (Linux's maple tree keeps the same per subtree), so that mmap's search for
// room finds the highest chunk with a gap that may fit in O(log chunks) steps. An edit of a chunk
// forgets its summary, and its successor's only when the edit changes the chunk's last area (which
// bounds the successor's first gap); they are recomputed, and their paths in the tree updated, at
// the next search.

/// What a map sums over its areas on syscall paths (VmSize and RLIMIT_AS, RLIMIT_DATA, VmLck and
/// RLIMIT_MEMLOCK, strict overcommit): kept as running totals, so no call walks every area for them.
public struct AreaAccounting: Equatable, Sendable {
    public var total: UInt64 = 0
    public var data: UInt64 = 0
    public var locked: UInt64 = 0

    public init(total: UInt64 = 0, data: UInt64 = 0, locked: UInt64 = 0) {
        self.total = total; self.data = data; self.locked = locked
    }

    static func += (a: inout AreaAccounting, b: AreaAccounting) {
        a.total &+= b.total; a.data &+= b.data; a.locked &+= b.locked
    }

    static func -= (a: inout AreaAccounting, b: AreaAccounting) {
        a.total &-= b.total; a.data &-= b.data; a.locked &-= b.locked
    }
}

public protocol AccountedArea {
    var accounting: AreaAccounting { get }
}

public struct AreaList<Element: AccountedArea>: RandomAccessCollection {
    /// 32, not 64: a summary recomputed after an edit and mmap's walk of the chosen chunk's gaps
    /// read up to a chunk's areas, and an insert or removal moves up to a chunk's areas; the price,
    /// one more level of the Fenwick and max trees, is a few steps.
    static var chunkCapacity: Int { 32 }
    /// A chunk smaller than this merges with a neighbour when they fit in one.
    static var chunkMinimum: Int { 8 }

    private(set) var chunks: [[Element]] = []
    /// Fenwick tree of the chunk sizes (1-based).
    private var sizes: [Int] = []
    public private(set) var count = 0
    /// The sums of the elements' accounting, kept up to date by every edit.
    public private(set) var totals = AreaAccounting()
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

    /// The chunk holding index `i` (i < count) and the position in it. The chunk found last is
    /// remembered (`AreaListCache.finger`): the walks over neighbouring areas that mlock, mprotect,
    /// merges and faults make find theirs without a Fenwick descent.
    func locate(_ i: Int) -> (chunk: Int, offset: Int) {
        let finger = cache.finger
        if finger >= 0 {
            let c = finger >> 32, base = finger & 0xffff_ffff
            if c < chunks.count && i >= base && i - base < chunks[c].count {
                cache.probes += 1
                return (c, i - base)
            }
        }
        let (c, o) = descend(i)
        remember(chunk: c, base: i - o)
        return (c, o)
    }

    /// Remembers that chunk `c`'s first element has index `base` (one word: a forked map that still
    /// shares the cache reads it whole).
    private func remember(chunk c: Int, base: Int) {
        cache.finger = c << 32 | base
    }

    /// `locate` through the Fenwick tree.
    private func descend(_ i: Int) -> (chunk: Int, offset: Int) {
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

    /// The first index whose element passes `isAbove`, which must be false for a prefix of the list
    /// and true for the rest (a sorted list's binary search).
    public func partitionPoint(_ isAbove: (Element) -> Bool) -> Int {
        position(firstWhere: isAbove).index
    }

    /// Where the first element for which `isAfter` holds is (the elements failing it form a prefix,
    /// as "ends above an address" does in address order): its index, chunk and place in the chunk
    /// (`count`, `chunks.count`, 0 if none). A binary search over the chunks' last elements, then in
    /// one chunk, reading the elements in place: O(log chunks + log 32) steps, no Fenwick walk per
    /// probe and no element copy.
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
        let finger = cache.finger
        let base: Int
        if finger >= 0 && finger >> 32 == c { base = finger & 0xffff_ffff } else {
            base = elementsBefore(chunk: c)
            remember(chunk: c, base: base)
        }
        return (base + lo, c, lo)
    }

    /// How many elements the chunks before `c` hold (a Fenwick prefix sum).
    func elementsBefore(chunk c: Int) -> Int {
        var i = c, sum = 0
        while i > 0 {
            cache.probes += 1
            sum += sizes[i]
            i -= i & (-i)
        }
        return sum
    }

    public subscript(i: Int) -> Element {
        get {
            let (c, o) = locate(i)
            return chunks[c][o]
        }
        set {
            let (c, o) = locate(i)
            forget(c, lastChanges: o == chunks[c].count - 1)
            totals -= chunks[c][o].accounting
            totals += newValue.accounting
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
        totals += e.accounting
        if chunks.isEmpty {
            chunks = [[e]]
            count = 1
            uniqueCache()
            cache.summaries = [nil]
            rebuild()
            return
        }
        let (c, o) = i == count ? (chunks.count - 1, chunks[chunks.count - 1].count) : locate(i)
        forget(c, lastChanges: o == chunks[c].count)
        chunks[c].insert(e, at: o)
        count += 1
        add(1, toChunk: c)
        remember(chunk: c, base: i - o)                 // the chunks after c moved up by one
        if chunks[c].count > AreaList.chunkCapacity {
            let half = chunks[c].count / 2
            chunks.insert(Array(chunks[c][half...]), at: c + 1)
            chunks[c].removeSubrange(half...)
            cache.summaries.insert(nil, at: c + 1)
            rebuild()
        }
    }

    public mutating func append(_ e: Element) { insert(e, at: count) }

    @discardableResult
    public mutating func remove(at i: Int) -> Element {
        let (c, o) = locate(i)
        forget(c, lastChanges: o == chunks[c].count - 1)
        let e = chunks[c].remove(at: o)
        totals -= e.accounting
        count -= 1
        add(-1, toChunk: c)
        remember(chunk: c, base: i - o)                 // the chunks after c moved down by one
        if chunks[c].isEmpty {
            chunks.remove(at: c)
            cache.summaries.remove(at: c)
            if c < chunks.count { forget(c, lastChanges: false) }   // its first gap now reaches down to c - 1
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
        totals = AreaAccounting()
        uniqueCache()
        cache.summaries = []
        rebuild()
    }

    /// The highest chunk before `end` whose summary is at least `value`, nil if none. `summarize`
    /// computes a chunk's summary from the last element of the chunk before it (nil for the first
    /// chunk) and its elements; only the chunks edited since the last search are summarized again.
    func lastChunk(before end: Int, summaryAtLeast value: UInt64,
                   _ summarize: (Element?, [Element]) -> UInt64) -> Int? {
        refreshSummaries(summarize)
        return lastChunk(node: 1, covering: 0, cache.leafCount, before: Swift.min(end, chunks.count), value)
    }

    /// The max tree's descent: the rightmost leaf before `end` under `node` (covering [lo, hi)) with
    /// a value of at least `value`. O(log chunks): a subtree wholly before `end` whose maximum is
    /// large enough always holds an answer.
    private func lastChunk(node: Int, covering lo: Int, _ hi: Int, before end: Int, _ value: UInt64) -> Int? {
        guard lo < end, cache.tree[node] >= value else { return nil }
        cache.probes += 1
        if hi - lo == 1 { return lo }
        let mid = (lo + hi) / 2
        return lastChunk(node: 2 * node + 1, covering: mid, hi, before: end, value)
            ?? lastChunk(node: 2 * node, covering: lo, mid, before: end, value)
    }

    /// Brings the summaries and the max tree up to date (after edits, or a chunk split or merge).
    private func refreshSummaries(_ summarize: (Element?, [Element]) -> UInt64) {
        let cache = self.cache
        func summary(_ c: Int) -> UInt64 {
            if let s = cache.summaries[c] { return s }
            let s = summarize(c > 0 ? chunks[c - 1][chunks[c - 1].count - 1] : nil, chunks[c])
            cache.probes += chunks[c].count
            cache.summaries[c] = s
            return s
        }
        if cache.leafCount == 0 || cache.leafCount < chunks.count || !cache.treeValid {
            var leaves = 1
            while leaves < chunks.count { leaves *= 2 }
            cache.leafCount = leaves
            cache.tree = Array(repeating: 0, count: 2 * leaves)
            for c in chunks.indices { cache.tree[leaves + c] = summary(c) }
            var i = leaves - 1
            while i >= 1 {
                cache.tree[i] = Swift.max(cache.tree[2 * i], cache.tree[2 * i + 1])
                i -= 1
            }
            // Not counted in probes: O(chunks), once per chunk split or merge (every ~16 edits or more).
            cache.treeValid = true
            cache.stale = []
            return
        }
        for c in cache.stale where c < chunks.count {
            var i = cache.leafCount + c
            cache.tree[i] = summary(c)
            i /= 2
            while i >= 1 {
                cache.tree[i] = Swift.max(cache.tree[2 * i], cache.tree[2 * i + 1])
                cache.probes += 1
                i /= 2
            }
        }
        cache.stale = []
    }

    // MARK: chunk bookkeeping

    /// A chunk below the minimum joins its next (or previous) neighbour when both fit in one.
    private mutating func mergeSmall(_ c: Int) {
        let left = c + 1 < chunks.count ? c : c - 1
        guard left >= 0, left + 1 < chunks.count,
              chunks[left].count + chunks[left + 1].count <= AreaList.chunkCapacity else { return }
        chunks[left] += chunks[left + 1]
        chunks.remove(at: left + 1)
        cache.summaries.remove(at: left + 1)
        forget(left, lastChanges: false)                // the merged chunk ends where its right part did
        rebuild()
    }

    private mutating func add(_ delta: Int, toChunk c: Int) { addSize(delta, c) }

    /// Forgets the summary of chunk `c`, and the next one's when `lastChanges` (an edit of `c`'s last
    /// area: the next chunk's first gap starts there), after copying the cache if a forked map shares it.
    private mutating func forget(_ c: Int, lastChanges: Bool) {
        uniqueCache()
        for k in c...(lastChanges ? c + 1 : c) where k < cache.summaries.count && cache.summaries[k] != nil {
            cache.summaries[k] = nil
            if cache.treeValid { cache.stale.append(k) }
        }
    }

    /// Gives this copy of the list a cache of its own: lookups write into the cache, so two maps
    /// that share one (a fork's child and its parent, each searched under its own lock on its own
    /// CPU) must not keep sharing it.
    public mutating func ownCache() { uniqueCache() }

    private mutating func uniqueCache() {
        if !isKnownUniquelyReferenced(&cache) { cache = cache.copy() }
    }

    /// After a chunk split, merge or removal: the Fenwick tree of sizes is rebuilt, the max tree at
    /// the next search (the summaries themselves moved with their chunks).
    private mutating func rebuild() {
        uniqueCache()
        cache.finger = -1
        cache.treeValid = false
        cache.stale = []
        // The Fenwick tree in one linear pass: each node hands its sum to its parent.
        let n = chunks.count
        sizes = Array(repeating: 0, count: n + 1)
        var i = 1
        while i <= n {
            sizes[i] += chunks[i - 1].count
            let parent = i + (i & -i)
            if parent <= n { sizes[parent] += sizes[i] }
            i += 1
        }
    }

    private mutating func addSize(_ delta: Int, _ c: Int) {
        var i = c + 1
        while i < sizes.count {
            sizes[i] += delta
            i += i & (-i)
        }
    }
}

/// Per-chunk summaries, their max tree and the probe counter: a reference so that lookups
/// (non-mutating) can fill it; edits copy it first when a forked map still shares it.
final class AreaListCache: @unchecked Sendable {
    /// Per chunk; nil: not known (edited since the last search).
    var summaries: [UInt64?] = []
    /// The max tree: node i covers nodes 2i and 2i + 1; leaf c is at leafCount + c (0 past the chunks).
    var tree: [UInt64] = []
    var leafCount = 0
    /// false after a chunk split, merge or removal: the tree is rebuilt from the summaries.
    var treeValid = false
    /// Chunks whose summary was forgotten since the tree was last brought up to date.
    var stale: [Int] = []
    /// The chunk `locate` found last and the index of its first element (chunk << 32 | index), -1
    /// if none: valid until the chunks before it change (an edit remembers its own chunk).
    var finger = -1
    var probes = 0
    func copy() -> AreaListCache {
        let c = AreaListCache()
        c.finger = finger
        c.summaries = summaries
        c.tree = tree
        c.leafCount = leafCount
        c.treeValid = treeValid
        c.stale = stale
        return c
    }
}

extension AreaList: Sendable where Element: Sendable {}
extension AreaList.Iterator: Sendable where Element: Sendable {}
