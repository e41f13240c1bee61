// The journal superblock (journal_superblock_t, the first block of the journal, big-endian),
// parsed and checked as Linux's journal_get_superblock / load_superblock do.

public struct Jbd2Superblock: Sendable {
    // Features (v2 superblocks only: a v1 journal has none).
    public static let compatChecksum: UInt32 = 0x1          // v1 checksums (crc32 of the blocks)
    public static let incompatRevoke: UInt32 = 0x1, incompat64Bit: UInt32 = 0x2, incompatAsyncCommit: UInt32 = 0x4
    public static let incompatCsumV2: UInt32 = 0x8, incompatCsumV3: UInt32 = 0x10, incompatFastCommit: UInt32 = 0x20
    static let knownIncompat: UInt32 = 0x3f
    /// What Lichen's recovery and writer implement. Linux also knows the v1 checksums, async
    /// commit and fast commits: refused (EINVAL, logged) rather than replayed half right.
    static let handledIncompat = incompatRevoke | incompat64Bit | incompatCsumV2 | incompatCsumV3
    static let crc32cChecksumType: UInt8 = 4

    public var version: Int
    public var blockSize: Int
    /// Blocks in the journal (s_maxlen), the first log block (s_first, after the superblock).
    public var maxLength: UInt32
    public var first: UInt32
    /// The oldest transaction still in the log and where it starts; start 0: the log is empty.
    public var sequence: UInt32
    public var start: UInt32
    public var errno: Int32
    public var compat: UInt32
    public var incompat: UInt32
    public var roCompat: UInt32
    public var uuid: [UInt8]
    /// crc32c of the uuid: the seed of every block checksum (v2/v3).
    public var checksumSeed: UInt32
    /// The block as read, rewritten by `encoded()` (the users table and padding are kept).
    var raw: [UInt8]

    public var hasChecksums: Bool { incompat & (Self.incompatCsumV2 | Self.incompatCsumV3) != 0 }
    public var isCsumV3: Bool { incompat & Self.incompatCsumV3 != 0 }
    public var is64Bit: Bool { incompat & Self.incompat64Bit != 0 }
    public var hasRevoke: Bool { incompat & Self.incompatRevoke != 0 }

    /// Bytes of one block tag in a descriptor block (journal_tag_bytes).
    public var tagBytes: Int {
        if isCsumV3 { return 16 }
        var size = 12
        if incompat & Self.incompatCsumV2 != 0 { size += 2 }
        return is64Bit ? size : size - 4
    }

    /// Bytes at the end of descriptor and revoke blocks that hold their checksum.
    public var tailBytes: Int { hasChecksums ? 4 : 0 }

    /// Parses the journal's first block. `blockSize` is the filesystem's, `journalBlocks` the
    /// size of the journal inode in blocks. EINVAL as Linux (no valid superblock, bad geometry,
    /// unknown or unimplemented features), EBADMSG for a bad checksum; `reason` says why.
    public init(_ block: [UInt8], blockSize: Int, journalBlocks: UInt32, reason: inout String) throws(Errno) {
        guard block.count == blockSize, blockSize >= 1024, let header = Jbd2Header(block),
              header.kind == .superblockV1 || header.kind == .superblockV2,
              Jbd2BE.u32(block, 0xc) == UInt32(blockSize) else {
            reason = "JBD2: no valid journal superblock found"
            throw .EINVAL
        }
        raw = block
        version = header.kind == .superblockV1 ? 1 : 2
        self.blockSize = blockSize
        maxLength = Jbd2BE.u32(block, 0x10)
        first = Jbd2BE.u32(block, 0x14)
        sequence = Jbd2BE.u32(block, 0x18)
        start = Jbd2BE.u32(block, 0x1c)
        errno = Int32(bitPattern: Jbd2BE.u32(block, 0x20))
        let v2 = version == 2
        compat = v2 ? Jbd2BE.u32(block, 0x24) : 0
        incompat = v2 ? Jbd2BE.u32(block, 0x28) : 0
        roCompat = v2 ? Jbd2BE.u32(block, 0x2c) : 0
        uuid = Array(block[0x30..<0x40])
        checksumSeed = 0
        guard maxLength <= journalBlocks else {
            reason = "JBD2: journal file too short"
            throw .EINVAL
        }
        guard first > 0, first < maxLength else {
            reason = "JBD2: Invalid start block of journal: " + Format.decimal(UInt64(first))
            throw .EINVAL
        }
        guard start == 0 || (start >= first && start < maxLength) else {
            reason = "JBD2: Invalid log start: " + Format.decimal(UInt64(start))
            throw .EINVAL
        }
        guard roCompat == 0, incompat & ~Self.knownIncompat == 0 else {
            reason = "JBD2: Unrecognised features on journal"
            throw .EINVAL
        }
        if incompat & Self.incompatCsumV2 != 0 && isCsumV3 {
            reason = "JBD2: Can't enable checksumming v2 and v3 at the same time!"
            throw .EINVAL
        }
        if hasChecksums {
            guard compat & Self.compatChecksum == 0 else {
                reason = "JBD2: Can't enable checksumming v1 and v2/3 at the same time!"
                throw .EINVAL
            }
            guard block[0x50] == Self.crc32cChecksumType else {
                reason = "JBD2: Unknown checksum type"
                throw .EINVAL
            }
            guard Jbd2BE.u32(block, 0xfc) == Self.checksum(block) else {
                reason = "JBD2: journal checksum error"
                throw .EBADMSG
            }
            checksumSeed = CRC32C.raw(0xffff_ffff, uuid)
        }
        let unhandled = incompat & ~Self.handledIncompat
        guard unhandled == 0, compat & Self.compatChecksum == 0 else {
            reason = "JBD2: Lichen: journal features not implemented (incompat "
                + Format.hex(UInt64(unhandled), width: 0, prefix: true) + ", compat "
                + Format.hex(UInt64(compat), width: 0, prefix: true) + ")"
            throw .EINVAL
        }
    }

    /// crc32c over the 1024-byte superblock with s_checksum as zero (jbd2_superblock_csum).
    static func checksum(_ block: [UInt8]) -> UInt32 {
        var copy = Array(block[0..<1024])
        Jbd2BE.put32(&copy, 0xfc, 0)
        return CRC32C.raw(0xffff_ffff, copy)
    }

    /// The block with the current start and sequence (and its checksum, v2/v3).
    public func encoded() -> [UInt8] {
        var b = raw
        Jbd2BE.put32(&b, 0x18, sequence)
        Jbd2BE.put32(&b, 0x1c, start)
        if hasChecksums { Jbd2BE.put32(&b, 0xfc, Self.checksum(b)) }
        return b
    }
}
