// The ext2/3/4 superblock (1024 bytes at byte 1024 of the device), sans-IO: parsed and checked
// the way Linux's ext4_fill_super does before it trusts anything else on the disk.

public struct Ext4Superblock: Sendable {
    public static let offset = 1024, size = 1024
    public static let magic: UInt16 = 0xef53

    public var inodesCount: UInt32
    public var blocksCount: UInt64
    public var reservedBlocks: UInt64
    public var freeBlocks: UInt64
    public var freeInodes: UInt32
    public var firstDataBlock: UInt32
    public var blockSize: Int
    public var blocksPerGroup: UInt32
    public var inodesPerGroup: UInt32
    public var revision: UInt32
    public var firstInode: UInt32
    public var inodeSize: Int
    public var compat: UInt32
    public var incompat: UInt32
    public var roCompat: UInt32
    public var uuid: [UInt8]
    public var reservedGDTBlocks: UInt32
    public var journalInode: UInt32
    public var descriptorSize: Int
    public var overheadClusters: UInt32
    public var backupGroups: (UInt32, UInt32)
    /// The seed of every metadata checksum (crc32c of the uuid, or s_checksum_seed).
    public var checksumSeed: UInt32
    public var groupCount: UInt32
    /// htree: s_hash_seed, s_def_hash_version, and whether s_flags says chars hash unsigned.
    public var hashSeed: [UInt32]
    public var defaultHashVersion: UInt8
    public var unsignedHash: Bool

    // Features (the ones Lichen looks at).
    public static let compatHasJournal: UInt32 = 0x4, compatDirIndex: UInt32 = 0x20, compatSparseSuper2: UInt32 = 0x200
    public static let incompatFiletype: UInt32 = 0x2, incompatRecover: UInt32 = 0x4, incompatMetaBG: UInt32 = 0x10
    public static let incompatExtents: UInt32 = 0x40, incompat64Bit: UInt32 = 0x80, incompatMMP: UInt32 = 0x100
    public static let incompatFlexBG: UInt32 = 0x200, incompatEAInode: UInt32 = 0x400, incompatCsumSeed: UInt32 = 0x2000
    public static let incompatLargeDir: UInt32 = 0x4000
    public static let roCompatSparseSuper: UInt32 = 0x1, roCompatLargeFile: UInt32 = 0x2, roCompatBtreeDir: UInt32 = 0x4
    public static let roCompatHugeFile: UInt32 = 0x8, roCompatGDTCsum: UInt32 = 0x10, roCompatBigalloc: UInt32 = 0x200
    public static let roCompatMetadataCsum: UInt32 = 0x400

    /// INCOMPAT features Lichen reads. Linux also knows META_BG, INLINE_DATA, ENCRYPT, CASEFOLD,
    /// DIRDATA and a journal to replay (RECOVER): refused here, with a log line.
    public static let incompatHandled = incompatFiletype | incompatExtents | incompat64Bit | incompatMMP | incompatFlexBG
        | incompatEAInode | incompatCsumSeed | incompatLargeDir

    public var hasMetadataChecksums: Bool { roCompat & Self.roCompatMetadataCsum != 0 }
    public var hasFileType: Bool { incompat & Self.incompatFiletype != 0 }
    public var inodesPerBlock: Int { blockSize / inodeSize }

    /// Parses and checks `bytes` (the 1024 superblock bytes). EINVAL for what is not an ext
    /// filesystem Linux would mount, EBADMSG (EFSBADCRC) for a bad checksum; `reason` says why.
    public init(_ bytes: UnsafeRawBufferPointer, pageSize: Int, reason: inout String) throws(Errno) {
        guard bytes.count >= Self.size, bytes.le16(0x38) == Self.magic else {
            reason = "VFS: Can't find ext4 filesystem"
            throw .EINVAL
        }
        inodesCount = bytes.le32(0x0)
        incompat = bytes.le32(0x60)
        compat = bytes.le32(0x5c)
        roCompat = bytes.le32(0x64)
        let is64 = incompat & Self.incompat64Bit != 0
        blocksCount = UInt64(bytes.le32(0x4)) | (is64 ? UInt64(bytes.le32(0x150)) << 32 : 0)
        reservedBlocks = UInt64(bytes.le32(0x8)) | (is64 ? UInt64(bytes.le32(0x154)) << 32 : 0)
        freeBlocks = UInt64(bytes.le32(0xc)) | (is64 ? UInt64(bytes.le32(0x158)) << 32 : 0)
        freeInodes = bytes.le32(0x10)
        firstDataBlock = bytes.le32(0x14)
        let logBlockSize = bytes.le32(0x18)
        blocksPerGroup = bytes.le32(0x20)
        inodesPerGroup = bytes.le32(0x28)
        revision = bytes.le32(0x4c)
        firstInode = revision == 0 ? 11 : bytes.le32(0x54)
        inodeSize = revision == 0 ? 128 : Int(bytes.le16(0x58))
        uuid = Array(bytes[0x68..<0x78])
        reservedGDTBlocks = UInt32(bytes.le16(0xce))
        journalInode = bytes.le32(0xe0)
        descriptorSize = is64 ? Int(bytes.le16(0xfe)) : 32
        overheadClusters = bytes.le32(0x248)
        backupGroups = (bytes.le32(0x24c), bytes.le32(0x250))
        checksumSeed = 0
        groupCount = 0
        hashSeed = [bytes.le32(0xec), bytes.le32(0xf0), bytes.le32(0xf4), bytes.le32(0xf8)]
        defaultHashVersion = bytes[0xfc]
        unsignedHash = bytes.le32(0x160) & 0x2 != 0
        blockSize = 0

        if hasMetadataChecksums {
            guard bytes[0x175] == 1 else {             // s_checksum_type: crc32c only
                reason = "VFS: Found ext4 filesystem with unknown checksum algorithm."
                throw .EINVAL
            }
            let expected = bytes.le32(0x3fc)
            let actual = CRC32C.raw(0xffff_ffff, UnsafeRawBufferPointer(rebasing: bytes[0..<0x3fc]))
            guard expected == actual else {
                reason = "VFS: Found ext4 filesystem with invalid superblock checksum.  Run e2fsck?"
                throw .EBADMSG
            }
            checksumSeed = incompat & Self.incompatCsumSeed != 0 ? bytes.le32(0x270) : uuid.withUnsafeBytes { CRC32C.raw(0xffff_ffff, $0) }
        }
        guard logBlockSize <= 6, 1024 << Int(logBlockSize) <= pageSize else {
            reason = "Unsupported filesystem blocksize " + Format.decimal(UInt64(1024) << UInt64(min(logBlockSize, 40)))
            throw .EINVAL
        }
        blockSize = 1024 << Int(logBlockSize)
        if revision != 0 {
            guard inodeSize >= 128, inodeSize <= blockSize, inodeSize & (inodeSize - 1) == 0 else {
                reason = "unsupported inode size: " + Format.decimal(UInt64(inodeSize))
                throw .EINVAL
            }
        }
        if is64 {
            guard descriptorSize >= 64, descriptorSize <= 1024, descriptorSize & (descriptorSize - 1) == 0 else {
                reason = "unsupported descriptor size " + Format.decimal(UInt64(descriptorSize))
                throw .EINVAL
            }
        }
        let bitsPerBlock = UInt32(blockSize * 8)
        guard blocksPerGroup > 0, blocksPerGroup <= bitsPerBlock else {
            reason = "#blocks per group too big: " + Format.decimal(UInt64(blocksPerGroup))
            throw .EINVAL
        }
        guard inodesPerGroup >= UInt32(blockSize / inodeSize), inodesPerGroup <= bitsPerBlock else {
            reason = "invalid inodes per group: " + Format.decimal(UInt64(inodesPerGroup))
            throw .EINVAL
        }
        guard UInt64(firstDataBlock) < blocksCount, !(firstDataBlock == 0 && blockSize == 1024) else {
            reason = "bad geometry: first data block " + Format.decimal(UInt64(firstDataBlock))
            throw .EINVAL
        }
        let groups = (blocksCount - UInt64(firstDataBlock) + UInt64(blocksPerGroup) - 1) / UInt64(blocksPerGroup)
        guard groups <= UInt64(UInt32.max), groups * UInt64(inodesPerGroup) == UInt64(inodesCount) else {
            reason = "inodes count not valid: " + Format.decimal(UInt64(inodesCount))
            throw .EINVAL
        }
        groupCount = UInt32(groups)
        guard firstInode >= 11, firstInode < inodesCount || inodesCount < 11 else {
            reason = "invalid first ino: " + Format.decimal(UInt64(firstInode))
            throw .EINVAL
        }
    }

    /// The superblock in `bytes` (its 1024 bytes, or the device's first 2048).
    public static func parse(_ bytes: [UInt8], pageSize: Int, reason: inout String) throws(Errno) -> Ext4Superblock {
        var why = ""
        defer { reason = why }
        let skip = bytes.count >= offset + size ? offset : 0
        return try withBytes(bytes) { b throws(Errno) in
            try Ext4Superblock(UnsafeRawBufferPointer(rebasing: b[skip..<b.count]), pageSize: pageSize, reason: &why)
        }
    }

    /// Why Linux would not mount this as `type` (ext2, ext3, ext4) read-only, or nil. Linux's
    /// ext4 driver takes all three names; Lichen also refuses what it does not implement.
    public func refusal(as type: Ext4Type) -> String? {
        switch type {
        case .ext2:
            if incompat & ~(Self.incompatFiletype | Self.incompatMetaBG) != 0 {
                return "couldn't mount as ext2 due to feature incompatibilities"
            }
        case .ext3:
            if incompat & ~(Self.incompatFiletype | Self.incompatRecover | Self.incompatMetaBG) != 0
                || compat & Self.compatHasJournal == 0 {
                return "couldn't mount as ext3 due to feature incompatibilities"
            }
        case .ext4: break
        }
        if incompat & Self.incompatRecover != 0 {
            return "journal needs recovery: not implemented in Lichen (run e2fsck)"
        }
        if roCompat & Self.roCompatBigalloc != 0 { return "bigalloc: not implemented in Lichen" }
        let unhandled = incompat & ~Self.incompatHandled
        if unhandled != 0 {
            return "Couldn't mount because of unsupported optional features (" + Format.hex(UInt64(unhandled), width: 0, prefix: false) + ")"
        }
        return nil
    }
}

/// The names ext4's driver registers (Linux: ext4, and ext2/ext3 when it stands in for them).
public enum Ext4Type: Sendable {
    case ext2, ext3, ext4

    public var name: [UInt8] {
        switch self {
        case .ext2: Array("ext2".utf8)
        case .ext3: Array("ext3".utf8)
        case .ext4: Array("ext4".utf8)
        }
    }

    public init?(name: [UInt8]) {
        guard name.count == 4, name[0] == UInt8(ascii: "e"), name[1] == UInt8(ascii: "x"), name[2] == UInt8(ascii: "t") else { return nil }
        switch name[3] {
        case UInt8(ascii: "2"): self = .ext2
        case UInt8(ascii: "3"): self = .ext3
        case UInt8(ascii: "4"): self = .ext4
        default: return nil
        }
    }
}
