import _Concurrency

/// A file's extents as one sorted list, changed in memory and written back as a fresh tree of
/// the smallest depth that holds it (0: up to 4 extents in i_block; then leaves of (bs-12)/12
/// extents under index levels), reusing the tree's old blocks first. Simple and always valid;
/// Linux splits nodes in place instead, which only changes which blocks the tree lands in.
struct Ext4ExtentList {
    typealias Extent = Ext4ExtentNode.Entry
    var extents: [Extent]
    /// The tree's own blocks (index and leaf nodes below i_block).
    var treeBlocks: [UInt64]

    static let maxInitialized: UInt32 = 32768, maxUninitialized: UInt32 = 32767

    /// Reads the whole tree rooted in `root` (i_block) through the transaction.
    static func load(root: [UInt8], tx: Ext4Transaction, sb: Ext4Superblock, seed: UInt32) async throws(Errno) -> Ext4ExtentList {
        var list = Ext4ExtentList(extents: [], treeBlocks: [])
        let top = try withBytes(root) { b throws(Errno) in try Ext4ExtentNode(b, expectedDepth: nil, blocksCount: sb.blocksCount) }
        var pending: [Ext4ExtentNode] = [top]            // a stack: children pushed in reverse order
        while let node = pending.popLast() {
            if node.depth == 0 { list.extents += node.entries; continue }
            for e in node.entries.reversed() {
                let data = try await tx.read(e.physical)
                let child = try withBytes(data) { b throws(Errno) in
                    if sb.hasMetadataChecksums && !Ext4ExtentNode.checksumMatches(b, inodeSeed: seed) { throw .EBADMSG }
                    return try Ext4ExtentNode(b, expectedDepth: node.depth - 1, blocksCount: sb.blocksCount)
                }
                pending.append(child)
                list.treeBlocks.append(e.physical)
            }
        }
        return list
    }

    /// The extent holding `logical`, or nil (a hole).
    func find(_ logical: UInt32) -> Extent? {
        for e in extents where e.logical <= logical && UInt64(logical) < UInt64(e.logical) + UInt64(e.length) { return e }
        return nil
    }

    /// The physical block just past the last extent starting before `logical` (the allocation goal).
    func goal(before logical: UInt32) -> UInt64? {
        var goal: UInt64? = nil
        for e in extents where e.logical < logical { goal = e.physical + UInt64(logical - e.logical) }
        return goal
    }

    /// Removes the mappings of [from, from + count) (splitting extents), returning the physical
    /// runs they had so the caller can free them (or keep them, when it remaps the same blocks).
    @discardableResult
    mutating func unmap(from: UInt32, count: UInt64) -> [(start: UInt64, count: Int)] {
        let end = UInt64(from) + count
        var kept: [Extent] = [], released: [(start: UInt64, count: Int)] = []
        for e in extents {
            let eStart = UInt64(e.logical), eEnd = eStart + UInt64(e.length)
            if eEnd <= UInt64(from) || eStart >= end { kept.append(e); continue }
            if eStart < UInt64(from) {
                kept.append(Extent(logical: e.logical, physical: e.physical, length: UInt32(UInt64(from) - eStart), uninitialized: e.uninitialized))
            }
            let cutStart = max(eStart, UInt64(from)), cutEnd = min(eEnd, end)
            released.append((e.physical + (cutStart - eStart), Int(cutEnd - cutStart)))
            if eEnd > end {
                kept.append(Extent(logical: UInt32(end), physical: e.physical + (end - eStart), length: UInt32(eEnd - end),
                                   uninitialized: e.uninitialized))
            }
        }
        extents = kept
        return released
    }

    /// Maps [logical, logical + count) to `physical`... (initialized), merging with contiguous neighbours.
    mutating func map(_ logical: UInt32, to physical: UInt64, count: Int) {
        unmap(from: logical, count: UInt64(count))
        var at = extents.count
        for (i, e) in extents.enumerated() where e.logical > logical { at = i; break }
        extents.insert(Extent(logical: logical, physical: physical, length: UInt32(count), uninitialized: false), at: at)
        var merged: [Extent] = []
        for e in extents {
            if var last = merged.last, last.uninitialized == e.uninitialized,
               UInt64(last.logical) + UInt64(last.length) == UInt64(e.logical), last.physical + UInt64(last.length) == e.physical,
               last.length + e.length <= (e.uninitialized ? Self.maxUninitialized : Self.maxInitialized) {
                last.length += e.length
                merged[merged.count - 1] = last
            } else {
                merged.append(e)
            }
        }
        extents = merged
    }

    /// Blocks the extents cover (with uninitialized ones).
    var dataBlocks: UInt64 { extents.reduce(0) { $0 + UInt64($1.length) } }

    /// Writes the tree into the transaction: the new i_block, with tree blocks reused from the
    /// old ones or taken from `allocate`. Tree blocks no longer needed come back in `released`.
    mutating func store(tx: Ext4Transaction, sb: Ext4Superblock, seed: UInt32,
                        allocate: () async throws(Errno) -> UInt64) async throws(Errno) -> (root: [UInt8], released: [UInt64]) {
        var pool = treeBlocks
        var used: [UInt64] = []
        var level = extents
        var depth = 0
        let perBlock = (sb.blockSize - 12) / 12
        while level.count > 4 {
            var parents: [Extent] = []
            var i = 0
            while i < level.count {
                let chunk = Array(level[i..<min(i + perBlock, level.count)])
                let block = pool.isEmpty ? try await allocate() : pool.removeFirst()
                used.append(block)
                var data = Self.node(chunk, depth: depth, max: perBlock, size: sb.blockSize)
                if sb.hasMetadataChecksums {
                    let tail = 12 + perBlock * 12
                    data.put32(tail, data.crc32c(seed, 0..<tail))
                }
                tx.put(block, data)
                parents.append(Extent(logical: chunk[0].logical, physical: block, length: 0, uninitialized: false))
                i += perBlock
            }
            level = parents
            depth += 1
        }
        treeBlocks = used
        return (Self.node(level, depth: depth, max: 4, size: 60), pool)
    }

    /// One node's bytes: the header (magic, entries, max, depth), then leaf or index entries.
    static func node(_ entries: [Extent], depth: Int, max: Int, size: Int) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: size)
        d.put16(0, Ext4ExtentNode.magic)
        d.put16(2, UInt16(entries.count))
        d.put16(4, UInt16(max))
        d.put16(6, UInt16(depth))
        for (i, e) in entries.enumerated() {
            let o = 12 + i * 12
            d.put32(o, e.logical)
            if depth == 0 {
                d.put16(o + 4, UInt16(e.length + (e.uninitialized ? 32768 : 0)))
                d.put16(o + 6, UInt16(truncatingIfNeeded: e.physical >> 32))
                d.put32(o + 8, UInt32(truncatingIfNeeded: e.physical))
            } else {
                d.put32(o + 4, UInt32(truncatingIfNeeded: e.physical))
                d.put16(o + 8, UInt16(truncatingIfNeeded: e.physical >> 32))
            }
        }
        return d
    }
}
