import _Concurrency

/// Block and inode allocation through a transaction: the bitmaps (initialized first in groups
/// mke2fs left BLOCK_UNINIT / INODE_UNINIT), their metadata_csum checksums, the group descriptor
/// (free counts, used directories, bg_itable_unused, flags, checksum) and the superblock's free
/// counts, as Linux's mballoc and ialloc leave them on disk.
struct Ext4Allocator {
    let sb: Ext4Superblock
    let groups: [Ext4GroupDescriptor]
    let tx: Ext4Transaction

    static let inodeUninit: UInt16 = 1, blockUninit: UInt16 = 2

    // Group descriptors.

    private func descriptor(_ g: Int) -> (block: UInt64, offset: Int) {
        let perBlock = sb.blockSize / sb.descriptorSize
        return (UInt64(sb.firstDataBlock) + 1 + UInt64(g / perBlock), (g % perBlock) * sb.descriptorSize)
    }

    /// Edits group `g`'s descriptor (`body` gets the block and the descriptor's offset), then reseals it.
    private func editDescriptor(_ g: Int, _ body: (inout [UInt8], Int) -> Void) async throws(Errno) {
        let (block, o) = descriptor(g)
        let size = sb.descriptorSize, seed = sb.checksumSeed, csum = sb.hasMetadataChecksums
        try await tx.update(block) { d in
            body(&d, o)
            if csum {
                var crc = CRC32C.raw(seed, le32: UInt32(g))
                crc = d.crc32c(crc, o..<o + 0x1e)
                crc = CRC32C.raw(crc, [0, 0])
                crc = d.crc32c(crc, o + 0x20..<o + size)
                d.put16(o + 0x1e, UInt16(truncatingIfNeeded: crc))
            }
        }
    }

    /// A 16+16 bit descriptor field (lo at `lo`, hi at `hi` in 64-byte descriptors), changed by `delta`.
    private func adjust(_ d: inout [UInt8], _ o: Int, lo: Int, hi: Int, by delta: Int64) {
        let wide = sb.descriptorSize >= 64
        let old = Int64(d.get16(o + lo)) | (wide ? Int64(d.get16(o + hi)) << 16 : 0)
        let new = UInt32(truncatingIfNeeded: max(old + delta, 0))
        d.put16(o + lo, UInt16(truncatingIfNeeded: new))
        if wide { d.put16(o + hi, UInt16(truncatingIfNeeded: new >> 16)) }
    }

    private func field(_ d: [UInt8], _ o: Int, lo: Int, hi: Int) -> UInt32 {
        UInt32(d.get16(o + lo)) | (sb.descriptorSize >= 64 ? UInt32(d.get16(o + hi)) << 16 : 0)
    }

    private func readDescriptor(_ g: Int) async throws(Errno) -> (flags: UInt16, freeBlocks: UInt32, freeInodes: UInt32, unused: UInt32) {
        let (block, o) = descriptor(g)
        let d = try await tx.read(block)
        return (d.get16(o + 0x12), field(d, o, lo: 0xc, hi: 0x2c), field(d, o, lo: 0xe, hi: 0x2e), field(d, o, lo: 0x1c, hi: 0x32))
    }

    private func setBitmapChecksum(_ g: Int, bitmap: [UInt8], inode: Bool) async throws(Errno) {
        guard sb.hasMetadataChecksums else { return }
        let bytes = Int(inode ? sb.inodesPerGroup : sb.blocksPerGroup) / 8
        let crc = bitmap.crc32c(sb.checksumSeed, 0..<bytes)
        try await editDescriptor(g) { d, o in
            d.put16(o + (inode ? 0x1a : 0x18), UInt16(truncatingIfNeeded: crc))
            if sb.descriptorSize >= 64 { d.put16(o + (inode ? 0x3a : 0x38), UInt16(truncatingIfNeeded: crc >> 16)) }
        }
    }

    /// The superblock's free counts (kept exact, as e2fsck counts them).
    private func adjustSuperblock(blocks: Int64, inodes: Int64) async throws(Errno) {
        let number: UInt64 = sb.blockSize == 1024 ? 1 : 0, at = sb.blockSize == 1024 ? 0 : 1024
        let wide = sb.incompat & Ext4Superblock.incompat64Bit != 0, csum = sb.hasMetadataChecksums
        try await tx.update(number) { d in
            var free = UInt64(d.get32(at + 0xc)) | (wide ? UInt64(d.get32(at + 0x158)) << 32 : 0)
            free = UInt64(max(Int64(free) + blocks, 0))
            d.put32(at + 0xc, UInt32(truncatingIfNeeded: free))
            if wide { d.put32(at + 0x158, UInt32(truncatingIfNeeded: free >> 32)) }
            d.put32(at + 0x10, UInt32(truncatingIfNeeded: max(Int64(d.get32(at + 0x10)) + inodes, 0)))
            if csum { d.put32(at + 0x3fc, d.crc32c(0xffff_ffff, at..<at + 0x3fc)) }
        }
        tx.freeBlocksDelta += blocks
        tx.freeInodesDelta += inodes
    }

    // Blocks.

    private func groupStart(_ g: Int) -> UInt64 { UInt64(sb.firstDataBlock) + UInt64(g) * UInt64(sb.blocksPerGroup) }
    private func blocksIn(_ g: Int) -> Int { Int(min(UInt64(sb.blocksPerGroup), sb.blocksCount - groupStart(g))) }
    func group(of block: UInt64) -> Int { Int((block - UInt64(sb.firstDataBlock)) / UInt64(sb.blocksPerGroup)) }

    /// The block bitmap of group `g`, built first if the group is still BLOCK_UNINIT (Linux's
    /// ext4_init_block_bitmap: the backup superblock and descriptors, every group's bitmaps and
    /// inode table that lie here, and the bits past the group's end set).
    private func blockBitmap(_ g: Int) async throws(Errno) -> [UInt8] {
        let flags = try await readDescriptor(g).flags
        guard flags & Self.blockUninit != 0 else { return try await tx.read(groups[g].blockBitmap) }
        var bitmap = [UInt8](repeating: 0, count: sb.blockSize)
        let start = groupStart(g), end = start + UInt64(blocksIn(g))
        func mark(_ b: UInt64) { if b >= start && b < end { Self.set(&bitmap, Int(b - start)) } }
        if Ext4Statistics.hasSuperblockBackup(sb, group: UInt32(g)) {
            let perBlock = UInt64(sb.blockSize / sb.descriptorSize)
            let gdt = (UInt64(sb.groupCount) + perBlock - 1) / perBlock
            for i in 0..<(1 + gdt + UInt64(sb.reservedGDTBlocks)) { mark(start + i) }
        }
        let tableBlocks = (UInt64(sb.inodesPerGroup) * UInt64(sb.inodeSize) + UInt64(sb.blockSize) - 1) / UInt64(sb.blockSize)
        for d in groups {
            mark(d.blockBitmap)
            mark(d.inodeBitmap)
            for i in 0..<tableBlocks { mark(d.inodeTable + i) }
        }
        for bit in blocksIn(g)..<sb.blockSize * 8 { Self.set(&bitmap, bit) }
        try await editDescriptor(g) { d, o in d.put16(o + 0x12, d.get16(o + 0x12) & ~Self.blockUninit) }
        tx.put(groups[g].blockBitmap, bitmap)
        try await setBitmapChecksum(g, bitmap: bitmap, inode: false)
        return bitmap
    }

    /// Up to `count` contiguous free blocks, the first at or after `goal` (wrapping over the groups).
    /// ENOSPC when none is left (the root reserve is not kept back: Lichen has no such check yet).
    func allocateBlocks(goal: UInt64, count: Int) async throws(Errno) -> (start: UInt64, count: Int) {
        let goal = goal >= UInt64(sb.firstDataBlock) && goal < sb.blocksCount ? goal : UInt64(sb.firstDataBlock)
        let first = group(of: goal), n = Int(sb.groupCount)
        for step in 0...n {
            let g = (first + step) % n
            guard try await readDescriptor(g).freeBlocks > 0 else { continue }
            var bitmap = try await blockBitmap(g)
            let from = step == 0 ? Int(goal - groupStart(g)) : 0
            let limit = blocksIn(g)
            var bit = Self.firstClear(bitmap, from: from, limit: limit)
            while bit < limit && tx.wasFreed(groupStart(g) + UInt64(bit)) {
                bit = Self.firstClear(bitmap, from: bit + 1, limit: limit)
            }
            guard bit < limit else { continue }
            var taken = 0
            while taken < count && bit + taken < limit && !Self.test(bitmap, bit + taken)
                    && !tx.wasFreed(groupStart(g) + UInt64(bit + taken)) {
                Self.set(&bitmap, bit + taken)
                taken += 1
            }
            tx.put(groups[g].blockBitmap, bitmap)
            try await setBitmapChecksum(g, bitmap: bitmap, inode: false)
            try await editDescriptor(g) { d, o in adjust(&d, o, lo: 0xc, hi: 0x2c, by: -Int64(taken)) }
            try await adjustSuperblock(blocks: -Int64(taken), inodes: 0)
            return (groupStart(g) + UInt64(bit), taken)
        }
        throw .ENOSPC
    }

    /// Frees `count` blocks from `start` (within one group or spanning several).
    func freeBlocks(_ start: UInt64, count: Int) async throws(Errno) {
        var b = start, left = count
        while left > 0 {
            let g = group(of: b)
            var bitmap = try await blockBitmap(g)
            let n = min(left, Int(groupStart(g) + UInt64(blocksIn(g)) - b))
            var freed = 0
            for i in 0..<n {
                let bit = Int(b - groupStart(g)) + i
                if Self.test(bitmap, bit) { Self.clear(&bitmap, bit); freed += 1 }
                tx.drop(b + UInt64(i))
            }
            tx.noteFreed(b, count: n)
            tx.put(groups[g].blockBitmap, bitmap)
            try await setBitmapChecksum(g, bitmap: bitmap, inode: false)
            try await editDescriptor(g) { d, o in adjust(&d, o, lo: 0xc, hi: 0x2c, by: Int64(freed)) }
            try await adjustSuperblock(blocks: Int64(freed), inodes: 0)
            b += UInt64(n)
            left -= n
        }
    }

    // Inodes.

    /// A free inode, preferably in group `preferred` (the parent's, as Linux for files; Linux's
    /// Orlov allocator spreads top-level directories, which only changes where they land).
    func allocateInode(preferred: Int, directory: Bool) async throws(Errno) -> UInt32 {
        let n = Int(sb.groupCount), ipg = Int(sb.inodesPerGroup)
        for step in 0..<n {
            let g = (preferred + step) % n
            let desc = try await readDescriptor(g)
            guard desc.freeInodes > 0 else { continue }
            var bitmap: [UInt8]
            if desc.flags & Self.inodeUninit != 0 {
                bitmap = [UInt8](repeating: 0, count: sb.blockSize)
                for bit in ipg..<sb.blockSize * 8 { Self.set(&bitmap, bit) }
                _ = try await blockBitmap(g)       // Linux initializes the group's block bitmap too
            } else {
                bitmap = try await tx.read(groups[g].inodeBitmap)
            }
            let index = Self.firstClear(bitmap, from: g == 0 ? Int(sb.firstInode) - 1 : 0, limit: ipg)
            guard index < ipg else { continue }
            Self.set(&bitmap, index)
            tx.put(groups[g].inodeBitmap, bitmap)
            try await setBitmapChecksum(g, bitmap: bitmap, inode: true)
            try await editDescriptor(g) { d, o in
                adjust(&d, o, lo: 0xe, hi: 0x2e, by: -1)
                if directory { adjust(&d, o, lo: 0x10, hi: 0x30, by: 1) }
                d.put16(o + 0x12, d.get16(o + 0x12) & ~Self.inodeUninit)
                if sb.hasMetadataChecksums || sb.roCompat & Ext4Superblock.roCompatGDTCsum != 0 {
                    let unused = Int64(field(d, o, lo: 0x1c, hi: 0x32))
                    if index >= ipg - Int(unused) { adjust(&d, o, lo: 0x1c, hi: 0x32, by: Int64(ipg - index - 1) - unused) }
                }
            }
            try await adjustSuperblock(blocks: 0, inodes: -1)
            return UInt32(g * ipg + index + 1)
        }
        throw .ENOSPC
    }

    func freeInode(_ ino: UInt32, directory: Bool) async throws(Errno) {
        let g = Int(ino - 1) / Int(sb.inodesPerGroup), index = Int(ino - 1) % Int(sb.inodesPerGroup)
        try await tx.update(groups[g].inodeBitmap) { b in Self.clear(&b, index) }
        try await setBitmapChecksum(g, bitmap: try await tx.read(groups[g].inodeBitmap), inode: true)
        try await editDescriptor(g) { d, o in
            adjust(&d, o, lo: 0xe, hi: 0x2e, by: 1)
            if directory { adjust(&d, o, lo: 0x10, hi: 0x30, by: -1) }
        }
        try await adjustSuperblock(blocks: 0, inodes: 1)
    }

    /// The inode table block holding `ino` and the inode's offset in it.
    func inodeLocation(_ ino: UInt32) -> (block: UInt64, offset: Int) {
        let index = Int(ino - 1)
        let g = index / Int(sb.inodesPerGroup), byte = (index % Int(sb.inodesPerGroup)) * sb.inodeSize
        return (groups[g].inodeTable + UInt64(byte / sb.blockSize), byte % sb.blockSize)
    }

    /// The first clear bit at or after `from` and below `limit` (`limit` when none): whole
    /// 64-bit words of set bits are skipped (a group's bitmap is 32,768 bits, mostly set in use).
    static func firstClear(_ b: [UInt8], from: Int, limit: Int) -> Int {
        let end = min(limit, b.count * 8)
        var bit = from
        return b.withUnsafeBytes { bytes -> Int in
            while bit < end {
                if bit & 63 == 0 && end - bit >= 64 {
                    let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bit >> 3, as: UInt64.self))
                    if word == .max { bit += 64; continue }
                    return bit + (~word).trailingZeroBitCount
                }
                if bytes[bit >> 3] & (1 << UInt8(bit & 7)) == 0 { return bit }
                bit += 1
            }
            return limit
        }
    }

    static func test(_ b: [UInt8], _ bit: Int) -> Bool { b[bit >> 3] & (1 << UInt8(bit & 7)) != 0 }
    static func set(_ b: inout [UInt8], _ bit: Int) { b[bit >> 3] |= 1 << UInt8(bit & 7) }
    static func clear(_ b: inout [UInt8], _ bit: Int) { b[bit >> 3] &= ~(1 << UInt8(bit & 7)) }
}
