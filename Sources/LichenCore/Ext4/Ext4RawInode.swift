// An on-disk inode (128 bytes, or s_inode_size with i_extra_isize more), sans-IO: the fields
// Lichen uses, decoded and checked as Linux's ext4_iget does.

public struct Ext4RawInode: Sendable {
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var size: Int64
    public var nlink: UInt32
    public var flags: UInt32
    public var generation: UInt32
    public var fileACL: UInt64
    /// Storage in 512-byte units (st_blocks).
    public var blocks512: Int64
    public var atime: Timespec
    public var mtime: Timespec
    public var ctime: Timespec
    /// i_block: the extent tree root, the block pointers, or a fast symlink's target.
    public var blockArea: [UInt8]
    /// The extended attributes stored in the inode: its bytes after i_extra_isize when they start
    /// with the xattr magic (Ext4Xattrs.inodeEntries), else empty.
    public var xattrArea: [UInt8] = []

    public static let flagIndex: UInt32 = 0x1000, flagHugeFile: UInt32 = 0x40000, flagExtents: UInt32 = 0x80000
    public static let flagEncrypt: UInt32 = 0x800, flagVerity: UInt32 = 0x100000, flagEAInode: UInt32 = 0x200000
    public static let flagInlineData: UInt32 = 0x1000_0000

    public var hasExtents: Bool { flags & Self.flagExtents != 0 }
    public var type: FileType { FileType(mode: mode) }

    /// Decodes inode `ino` from `bytes` (exactly s_inode_size bytes). EUCLEAN for an impossible
    /// inode (EFSCORRUPTED), EBADMSG for a checksum mismatch (EFSBADCRC); `reason` says which.
    public init(_ bytes: UnsafeRawBufferPointer, ino: UInt32, sb: Ext4Superblock, reason: inout String) throws(Errno) {
        let size = bytes.count
        guard size >= 128 else { reason = "short inode"; throw .EUCLEAN }
        var extra = 0
        if size > 128 {
            extra = Int(bytes.le16(0x80))
            guard 128 + extra <= size, extra & 3 == 0 else {
                reason = "iget: bad extra_isize " + Format.decimal(UInt64(extra))
                throw .EUCLEAN
            }
        }
        generation = bytes.le32(0x64)
        if sb.hasMetadataChecksums {
            guard Self.checksumMatches(bytes, ino: ino, generation: generation, extra: extra, seed: sb.checksumSeed) else {
                reason = "iget: checksum invalid"
                throw .EBADMSG
            }
        }
        mode = UInt32(bytes.le16(0))
        uid = UInt32(bytes.le16(2)) | UInt32(bytes.le16(0x78)) << 16
        gid = UInt32(bytes.le16(0x18)) | UInt32(bytes.le16(0x7a)) << 16
        let rawSize = UInt64(bytes.le32(4)) | UInt64(bytes.le32(0x6c)) << 32
        guard rawSize <= UInt64(Int64.max) else { reason = "iget: bad i_size value"; throw .EUCLEAN }
        self.size = Int64(rawSize)
        nlink = UInt32(bytes.le16(0x1a))
        flags = bytes.le32(0x20)
        fileACL = UInt64(bytes.le32(0x68)) | UInt64(bytes.le16(0x76)) << 32
        var blocks = UInt64(bytes.le32(0x1c))
        if sb.roCompat & Ext4Superblock.roCompatHugeFile != 0 {
            blocks |= UInt64(bytes.le16(0x74)) << 32
            if flags & Self.flagHugeFile != 0 { blocks <<= UInt64(sb.blockSize.trailingZeroBitCount - 9) }
        }
        blocks512 = Int64(truncatingIfNeeded: blocks)
        func time(_ at: Int, extraAt: Int) -> Timespec {
            var t = Timespec(seconds: Int64(Int32(bitPattern: bytes.le32(at))))
            if extraAt + 4 <= 128 + extra {       // EXT4_FITS_IN_INODE
                let e = bytes.le32(extraAt)
                t.seconds += Int64(e & 3) << 32
                t.nanoseconds = Int64(min(e >> 2, 999_999_999))
            }
            return t
        }
        atime = time(0x8, extraAt: 0x8c)
        ctime = time(0xc, extraAt: 0x84)
        mtime = time(0x10, extraAt: 0x88)
        blockArea = Array(bytes[0x28..<0x64])
        if size >= 128 + extra + 8 && bytes.le32(128 + extra) == Ext4Xattrs.magic {
            xattrArea = Array(bytes[(128 + extra)..<size])
        }
    }

    /// i_checksum_lo (and _hi when the extra part holds it): crc32c of the inode number, the
    /// generation and the inode with both checksum fields as zero.
    static func checksumMatches(_ bytes: UnsafeRawBufferPointer, ino: UInt32, generation: UInt32, extra: Int, seed: UInt32) -> Bool {
        let crc = checksum(bytes, ino: ino, generation: generation, extra: extra, seed: seed)
        let hasHigh = bytes.count > 128 && extra >= 4
        let stored = UInt32(bytes.le16(0x7c)) | (hasHigh ? UInt32(bytes.le16(0x82)) << 16 : 0)
        return hasHigh ? stored == crc : UInt16(stored) == UInt16(truncatingIfNeeded: crc)
    }

    /// The crc32c both checksum fields hold (whatever they hold now: they count as zero).
    static func checksum(_ bytes: UnsafeRawBufferPointer, ino: UInt32, generation: UInt32, extra: Int, seed: UInt32) -> UInt32 {
        var crc = CRC32C.raw(CRC32C.raw(seed, le32: ino), le32: generation)
        let hasHigh = bytes.count > 128 && extra >= 4
        crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[0..<0x7c]))
        crc = withUnsafeBytes(of: UInt16(0)) { CRC32C.raw(crc, $0) }
        crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[0x7e..<128]))
        if bytes.count > 128 {
            crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[128..<0x82]))
            if hasHigh {
                crc = withUnsafeBytes(of: UInt16(0)) { CRC32C.raw(crc, $0) }
                crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[0x84..<bytes.count]))
            } else {
                crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: bytes[0x82..<bytes.count]))
            }
        }
        return crc
    }

    /// The per-inode seed of its extent and directory block checksums.
    public static func checksumSeed(ino: UInt32, generation: UInt32, sb: Ext4Superblock) -> UInt32 {
        CRC32C.raw(CRC32C.raw(sb.checksumSeed, le32: ino), le32: generation)
    }

    /// The device a device node stands for (old 16-bit encoding in i_block[0], else the new one in i_block[1]).
    public var deviceNumber: DeviceNumber {
        let old = blockArea.withUnsafeBytes { $0.le32(0) }, new = blockArea.withUnsafeBytes { $0.le32(4) }
        if old != 0 { return DeviceNumber(major: (old >> 8) & 0xff, minor: old & 0xff) }
        return DeviceNumber(major: (new & 0xfff00) >> 8, minor: (new & 0xff) | ((new >> 12) & 0xfff00))
    }
}
