import _Concurrency

/// Block-mapped files (ext2/ext3, and files without EXT4_EXTENTS_FL on ext4): i_block holds 12
/// direct pointers, then the single, double and triple indirect blocks. Loaded into the same
/// in-memory run list as extent files (`Ext4ExtentList`, the indirect blocks as its tree blocks),
/// changed by the same code, and written back as a fresh pointer tree that reuses the old
/// indirect blocks first. Indirect blocks have no checksum, even with metadata_csum (as Linux).
extension Ext4ExtentList {
    /// Pointers per indirect block.
    static func pointersPerBlock(_ sb: Ext4Superblock) -> UInt64 { UInt64(sb.blockSize / 4) }

    /// Linux's ext4_max_bitmap_size (s_bitmap_maxbytes): the largest block-mapped file. The
    /// pointer tree addresses 12 + p + p^2 + p^3 blocks; without huge_file i_blocks counts 2^32 - 1
    /// sectors, which must also hold the indirect blocks of a dense file.
    static func maxBlockMappedBytes(_ sb: Ext4Superblock) -> Int64 {
        let bits = UInt64(sb.blockSize.trailingZeroBitCount), p = pointersPerBlock(sb)
        var upper: UInt64 = sb.roCompat & Ext4Superblock.roCompatHugeFile != 0 ? (1 << 48) - 1 : ((1 << 32) - 1) >> (bits - 9)
        var blocks = 12 + p + p * p + p * p * p
        let meta = 1 + (1 + p) + (1 + p + p * p)
        if blocks + meta > upper {
            blocks = upper                             // less what addressing that many blocks takes
            upper -= 12 + p
            var needed: UInt64 = 1
            if upper < p * p {
                needed += 1 + (upper + p - 1) / p
            } else {
                upper -= p * p
                needed += 1 + p + 1 + (upper + p - 1) / p + (upper + p * p - 1) / (p * p)
            }
            blocks -= needed
        }
        return Int64(min(blocks << bits, UInt64(Int64.max)))
    }

    /// Reads the pointer tree rooted in `root` (i_block) through the transaction.
    static func loadBlockMap(root: [UInt8], tx: Ext4Transaction, sb: Ext4Superblock) async throws(Errno) -> Ext4ExtentList {
        var list = Ext4ExtentList(extents: [], treeBlocks: [])
        for i in 0..<12 {
            if let b = try pointer(root.get32(i * 4), sb) { list.append(UInt64(i), b) }
        }
        let p = pointersPerBlock(sb)
        var base: UInt64 = 12, span = p
        for level in 1...3 {
            if let b = try pointer(root.get32((11 + level) * 4), sb) {
                try await list.loadIndirect(b, level: level, base: base, tx: tx, sb: sb)
            }
            base += span
            span *= p
        }
        return list
    }

    private mutating func loadIndirect(_ block: UInt64, level: Int, base: UInt64, tx: Ext4Transaction,
                                       sb: Ext4Superblock) async throws(Errno) {
        treeBlocks.append(block)
        let data = try await tx.read(block)
        let p = Self.pointersPerBlock(sb)
        var child: UInt64 = 1
        for _ in 1..<level { child *= p }
        for i in 0..<p {
            guard let b = try Self.pointer(data.get32(Int(i) * 4), sb) else { continue }
            let logical = base + i * child
            guard logical <= UInt64(UInt32.max) else { throw .EUCLEAN }     // past any file ext4 allows
            if level == 1 { append(logical, b) } else { try await loadIndirect(b, level: level - 1, base: logical, tx: tx, sb: sb) }
        }
    }

    /// A block pointer: nil for a hole, EUCLEAN outside the filesystem's data blocks.
    private static func pointer(_ value: UInt32, _ sb: Ext4Superblock) throws(Errno) -> UInt64? {
        if value == 0 { return nil }
        guard value > sb.firstDataBlock, UInt64(value) < sb.blocksCount else { throw .EUCLEAN }
        return UInt64(value)
    }

    /// One more block past the last one loaded (the tree is walked in logical order).
    private mutating func append(_ logical: UInt64, _ physical: UInt64) {
        if var last = extents.last, UInt64(last.logical) + UInt64(last.length) == logical,
           last.physical + UInt64(last.length) == physical, last.length < Self.maxInitialized {
            last.length += 1
            extents[extents.count - 1] = last
        } else {
            extents.append(Extent(logical: UInt32(logical), physical: physical, length: 1, uninitialized: false))
        }
    }

    /// Writes the runs as a pointer tree: the new i_block, indirect blocks put in the transaction
    /// (reused from the old ones, else taken from `allocate`); those no longer needed come back
    /// in `released`. ENOSPC for a block past 2^32 - 1 (a pointer holds 32 bits; Linux does not
    /// allocate there for such files either), EFBIG for a logical block past the triple indirect.
    mutating func storeBlockMap(tx: Ext4Transaction, sb: Ext4Superblock,
                                allocate: () async throws(Errno) -> UInt64) async throws(Errno) -> (root: [UInt8], released: [UInt64]) {
        let p = Self.pointersPerBlock(sb)
        for e in extents {
            guard e.physical + UInt64(e.length) <= UInt64(UInt32.max) + 1 else { throw .ENOSPC }
            guard UInt64(e.logical) + UInt64(e.length) <= 12 + p + p * p + p * p * p else { throw .EFBIG }
        }
        var pool = treeBlocks, used: [UInt64] = []
        var root = [UInt8](repeating: 0, count: 60)
        fill(&root, base: 0, count: 12)
        var base: UInt64 = 12, span = p
        for level in 1...3 {
            if let b = try await storeIndirect(level: level, base: base, span: span, pool: &pool, used: &used,
                                               tx: tx, sb: sb, allocate: allocate) {
                root.put32((11 + level) * 4, UInt32(b))
            }
            base += span
            span *= p
        }
        treeBlocks = used
        return (root, pool)
    }

    /// The indirect block of `level` covering [base, base + span), nil when nothing is mapped there.
    private func storeIndirect(level: Int, base: UInt64, span: UInt64, pool: inout [UInt64], used: inout [UInt64],
                               tx: Ext4Transaction, sb: Ext4Superblock,
                               allocate: () async throws(Errno) -> UInt64) async throws(Errno) -> UInt64? {
        guard hasMapping(from: base, to: base + span) else { return nil }
        let block = pool.isEmpty ? try await allocate() : pool.removeFirst()
        guard block <= UInt64(UInt32.max) else { throw .ENOSPC }
        used.append(block)
        let p = Self.pointersPerBlock(sb)
        var data = [UInt8](repeating: 0, count: sb.blockSize)
        if level == 1 {
            fill(&data, base: base, count: p)
        } else {
            let child = span / p
            for i in 0..<p {
                if let b = try await storeIndirect(level: level - 1, base: base + i * child, span: child, pool: &pool, used: &used,
                                                   tx: tx, sb: sb, allocate: allocate) {
                    data.put32(Int(i) * 4, UInt32(b))
                }
            }
        }
        tx.put(block, data)
        return block
    }

    /// Data block pointers for logical [base, base + count) into `slots` (one 32-bit slot each).
    private func fill(_ slots: inout [UInt8], base: UInt64, count: UInt64) {
        var i = firstIndex(endingAfter: base)
        while i < extents.count, UInt64(extents[i].logical) < base + count {
            let e = extents[i]
            let from = max(UInt64(e.logical), base), to = min(UInt64(e.logical) + UInt64(e.length), base + count)
            for l in from..<to { slots.put32(Int(l - base) * 4, UInt32(e.physical + (l - UInt64(e.logical)))) }
            i += 1
        }
    }

    private func hasMapping(from: UInt64, to: UInt64) -> Bool {
        let i = firstIndex(endingAfter: from)
        return i < extents.count && UInt64(extents[i].logical) < to
    }

    /// The first run (they are sorted and disjoint) that ends after `logical`.
    private func firstIndex(endingAfter logical: UInt64) -> Int {
        var low = 0, high = extents.count
        while low < high {
            let mid = (low + high) / 2
            if UInt64(extents[mid].logical) + UInt64(extents[mid].length) <= logical { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
