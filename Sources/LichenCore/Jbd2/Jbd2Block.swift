// The log's metadata blocks, sans-IO: descriptor blocks (block tags), revoke blocks and commit
// blocks, read and built as Linux's fs/jbd2 (recovery.c, commit.c, revoke.c) does.

/// One block tag of a descriptor block: where the next log block goes home.
public struct Jbd2Tag: Sendable, Equatable {
    public static let escape: UInt16 = 0x1, sameUUID: UInt16 = 0x2, deleted: UInt16 = 0x4, lastTag: UInt16 = 0x8

    public var home: UInt64
    public var flags: UInt16
    /// The tag's checksum of the logged block (v3: 32 bits, v2: the low 16 bits).
    public var checksum: UInt32

    public init(home: UInt64, flags: UInt16, checksum: UInt32) {
        self.home = home
        self.flags = flags
        self.checksum = checksum
    }
}

public enum Jbd2Block {
    /// The tags of a descriptor block (count_tags): up to the one marked last, or as many as
    /// fit before the checksum tail. Each one not marked same-uuid is followed by a 16-byte uuid.
    public static func tags(_ block: [UInt8], _ sb: Jbd2Superblock) -> [Jbd2Tag] {
        let size = block.count - sb.tailBytes, tagBytes = sb.tagBytes
        var out: [Jbd2Tag] = []
        var at = Jbd2Header.size
        while at + tagBytes <= size {
            let flags = Jbd2BE.u16(block, at + 6)     // t_flags: be16 here, the low half of tag3's be32
            var home = UInt64(Jbd2BE.u32(block, at))
            if sb.is64Bit { home |= UInt64(Jbd2BE.u32(block, at + 8)) << 32 }
            let checksum = sb.isCsumV3 ? Jbd2BE.u32(block, at + 12) : UInt32(Jbd2BE.u16(block, at + 4))
            out.append(Jbd2Tag(home: home, flags: flags, checksum: checksum))
            at += tagBytes
            if flags & Jbd2Tag.sameUUID == 0 { at += 16 }
            if flags & Jbd2Tag.lastTag != 0 { break }
        }
        return out
    }

    /// The checksum a tag carries for `logged` (the block as in the log, escaped) of transaction
    /// `sequence` (jbd2_block_tag_csum_set): crc32c over the sequence then the block.
    public static func tagChecksum(_ logged: [UInt8], sequence: UInt32, _ sb: Jbd2Superblock) -> UInt32 {
        var seq: [UInt8] = [0, 0, 0, 0]
        Jbd2BE.put32(&seq, 0, sequence)
        let crc = CRC32C.raw(CRC32C.raw(sb.checksumSeed, seq), logged)
        return sb.isCsumV3 ? crc : crc & 0xffff
    }

    /// Checksum of a descriptor or revoke block: crc32c of the block with its 4-byte tail zero.
    static func tailChecksum(_ block: [UInt8], _ sb: Jbd2Superblock) -> UInt32 {
        var copy = block
        Jbd2BE.put32(&copy, copy.count - 4, 0)
        return CRC32C.raw(sb.checksumSeed, copy)
    }

    /// Whether a descriptor or revoke block's tail checksum is right (always, without v2/v3).
    public static func tailChecksumMatches(_ block: [UInt8], _ sb: Jbd2Superblock) -> Bool {
        !sb.hasChecksums || Jbd2BE.u32(block, block.count - 4) == tailChecksum(block, sb)
    }

    /// The blocks a revoke block revokes (scan_revoke_records); EINVAL when r_count does not fit
    /// in the block, as Linux.
    public static func revoked(_ block: [UInt8], _ sb: Jbd2Superblock) throws(Errno) -> [UInt64] {
        let count = Int(Jbd2BE.u32(block, 12))
        guard count <= block.count - sb.tailBytes else { throw .EINVAL }
        let record = sb.is64Bit ? 8 : 4
        var out: [UInt64] = []
        var at = 16
        while at + record <= count {
            out.append(sb.is64Bit ? Jbd2BE.u64(block, at) : UInt64(Jbd2BE.u32(block, at)))
            at += record
        }
        return out
    }

    /// Commit block fields: h_commit_sec (be64 at 0x30), and the v2/v3 checksum check
    /// (crc32c of the block with h_chksum[0], at 0x10, zero).
    public static func commitTime(_ block: [UInt8]) -> UInt64 { Jbd2BE.u64(block, 0x30) }

    static func commitChecksum(_ block: [UInt8], _ sb: Jbd2Superblock) -> UInt32 {
        var copy = block
        Jbd2BE.put32(&copy, 0x10, 0)
        return CRC32C.raw(sb.checksumSeed, copy)
    }

    public static func commitChecksumMatches(_ block: [UInt8], _ sb: Jbd2Superblock) -> Bool {
        !sb.hasChecksums || Jbd2BE.u32(block, 0x10) == commitChecksum(block, sb)
    }

    // Building blocks (the commit writer).

    /// Tags that fit in one descriptor block (the first with a uuid, the others same-uuid).
    static func tagsPerDescriptor(_ sb: Jbd2Superblock) -> Int {
        (sb.blockSize - Jbd2Header.size - sb.tailBytes - 16) / sb.tagBytes
    }

    /// A descriptor block for `tags` (flags already set but last-tag and same-uuid, set here).
    static func descriptor(sequence: UInt32, tags: [Jbd2Tag], _ sb: Jbd2Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        Jbd2Header(kind: .descriptor, sequence: sequence).write(into: &b)
        var at = Jbd2Header.size
        for (i, tag) in tags.enumerated() {
            var flags = tag.flags
            if i > 0 { flags |= Jbd2Tag.sameUUID }
            if i == tags.count - 1 { flags |= Jbd2Tag.lastTag }
            Jbd2BE.put32(&b, at, UInt32(truncatingIfNeeded: tag.home))
            if sb.isCsumV3 {
                Jbd2BE.put32(&b, at + 4, UInt32(flags))
                Jbd2BE.put32(&b, at + 12, tag.checksum)
            } else {
                Jbd2BE.put16(&b, at + 4, UInt16(truncatingIfNeeded: tag.checksum))
                Jbd2BE.put16(&b, at + 6, flags)
            }
            if sb.is64Bit { Jbd2BE.put32(&b, at + 8, UInt32(tag.home >> 32)) }
            at += sb.tagBytes
            if i == 0 {
                for k in 0..<16 { b[at + k] = sb.uuid[k] }
                at += 16
            }
        }
        if sb.hasChecksums { Jbd2BE.put32(&b, b.count - 4, tailChecksum(b, sb)) }
        return b
    }

    /// Revoke records that fit in one revoke block.
    static func revokesPerBlock(_ sb: Jbd2Superblock) -> Int { (sb.blockSize - 16 - sb.tailBytes) / (sb.is64Bit ? 8 : 4) }

    static func revoke(sequence: UInt32, blocks: ArraySlice<UInt64>, _ sb: Jbd2Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        Jbd2Header(kind: .revoke, sequence: sequence).write(into: &b)
        var at = 16
        for block in blocks {
            if sb.is64Bit { Jbd2BE.put64(&b, at, block); at += 8 } else { Jbd2BE.put32(&b, at, UInt32(truncatingIfNeeded: block)); at += 4 }
        }
        Jbd2BE.put32(&b, 12, UInt32(at))
        if sb.hasChecksums { Jbd2BE.put32(&b, b.count - 4, tailChecksum(b, sb)) }
        return b
    }

    static func commit(sequence: UInt32, seconds: UInt64, nanoseconds: UInt32, _ sb: Jbd2Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        Jbd2Header(kind: .commit, sequence: sequence).write(into: &b)
        Jbd2BE.put64(&b, 0x30, seconds)
        Jbd2BE.put32(&b, 0x38, nanoseconds)
        if sb.hasChecksums { Jbd2BE.put32(&b, 0x10, commitChecksum(b, sb)) }
        return b
    }
}
