// Block group descriptors (32 bytes, or s_desc_size >= 64 with the 64bit feature), sans-IO.

public struct Ext4GroupDescriptor: Sendable, Equatable {
    public var blockBitmap: UInt64
    public var inodeBitmap: UInt64
    public var inodeTable: UInt64
    public var freeBlocks: UInt32
    public var freeInodes: UInt32

    /// The descriptor at `offset` of a table block, `size` bytes long.
    public init(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int) {
        let wide = size >= 64
        func join(_ lo: UInt32, _ hiOffset: Int) -> UInt64 { UInt64(lo) | (wide ? UInt64(bytes.le32(offset + hiOffset)) << 32 : 0) }
        blockBitmap = join(bytes.le32(offset), 0x20)
        inodeBitmap = join(bytes.le32(offset + 4), 0x24)
        inodeTable = join(bytes.le32(offset + 8), 0x28)
        freeBlocks = UInt32(bytes.le16(offset + 0xc)) | (wide ? UInt32(bytes.le16(offset + 0x2c)) << 16 : 0)
        freeInodes = UInt32(bytes.le16(offset + 0xe)) | (wide ? UInt32(bytes.le16(offset + 0x2e)) << 16 : 0)
    }

    /// metadata_csum's check of the descriptor at `offset` (bg_checksum, the low 16 bits of the
    /// crc32c of the group number and the descriptor with the checksum field as zero).
    public static func checksumMatches(_ bytes: UnsafeRawBufferPointer, at offset: Int, size: Int, group: UInt32,
                                       seed: UInt32) -> Bool {
        guard offset >= 0, offset + size <= bytes.count, size >= 32 else { return false }
        var crc = CRC32C.raw(seed, le32: group)
        crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[offset..<offset + 0x1e]))
        crc = withUnsafeBytes(of: UInt16(0)) { CRC32C.raw(crc, $0) }
        crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[offset + 0x20..<offset + size]))
        return UInt16(truncatingIfNeeded: crc) == bytes.le16(offset + 0x1e)
    }

    /// Linux's ext4_check_descriptors: the bitmaps and the inode table inside the filesystem.
    public func isValid(_ sb: Ext4Superblock) -> Bool {
        let first = UInt64(sb.firstDataBlock), end = sb.blocksCount
        let tableBlocks = (UInt64(sb.inodesPerGroup) * UInt64(sb.inodeSize) + UInt64(sb.blockSize) - 1) / UInt64(sb.blockSize)
        return blockBitmap >= first && blockBitmap < end && inodeBitmap >= first && inodeBitmap < end
            && inodeTable >= first && inodeTable <= end && tableBlocks <= end - inodeTable
    }
}
