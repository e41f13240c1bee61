// ext4's extended attributes, sans-IO (Linux's fs/ext4/xattr.c, read side): the entries stored in
// the inode after i_extra_isize (a magic word, then entries whose values are counted from the
// first entry) and in the external block i_file_acl (a 32-byte header, then entries whose values
// are counted from the block start). Entries end at four zero bytes.

/// One attribute as stored: a name index (which prefix) and the rest of the name.
public struct Ext4XattrEntry: Equatable, Sendable {
    public var index: UInt8
    public var suffix: [UInt8]
    public var value: [UInt8]

    /// The name the syscalls see, nil for an index without a prefix Linux would list
    /// (7: "system.", e.g. inline data's system.data, has no handler).
    public var name: [UInt8]? {
        switch index {
        case 1: return Array("user.".utf8) + suffix
        case 2: return suffix.isEmpty ? XattrNames.posixACLAccess : nil
        case 3: return suffix.isEmpty ? XattrNames.posixACLDefault : nil
        case 4: return Array("trusted.".utf8) + suffix
        case 6: return Array("security.".utf8) + suffix
        default: return nil
        }
    }
}

public enum Ext4Xattrs {
    static let magic: UInt32 = 0xEA02_0000
    static let blockHeaderSize = 32
    static let entryHeaderSize = 16

    /// The in-inode area: the bytes of the inode from 128 + i_extra_isize to its end. Empty when
    /// it does not start with the magic word (no attributes there).
    public static func inodeEntries(_ area: [UInt8]) throws(Errno) -> [Ext4XattrEntry] {
        guard area.count >= 4 + 4 else { return [] }
        return try withBytes(area) { (b: UnsafeRawBufferPointer) throws(Errno) -> [Ext4XattrEntry] in
            guard b.le32(0) == magic else { return [] }
            return try entries(b, first: 4, valueBase: 4)
        }
    }

    /// The external block `number` (one filesystem block): EUCLEAN when its magic or block count
    /// is wrong or the entries do not fit (EFSCORRUPTED), EBADMSG when its checksum does not
    /// match (EFSBADCRC).
    public static func blockEntries(_ block: [UInt8], number: UInt64, sb: Ext4Superblock) throws(Errno) -> [Ext4XattrEntry] {
        try withBytes(block) { (b: UnsafeRawBufferPointer) throws(Errno) -> [Ext4XattrEntry] in
            guard b.count >= blockHeaderSize + 4, b.le32(0) == magic, b.le32(8) == 1 else { throw .EUCLEAN }
            if sb.hasMetadataChecksums && b.le32(0x10) != blockChecksum(b, number: number, seed: sb.checksumSeed) {
                throw .EBADMSG
            }
            return try entries(b, first: blockHeaderSize, valueBase: 0)
        }
    }

    /// ext4_xattr_block_csum: the block number, then the block with h_checksum as zero.
    static func blockChecksum(_ b: UnsafeRawBufferPointer, number: UInt64, seed: UInt32) -> UInt32 {
        var crc = withUnsafeBytes(of: number.littleEndian) { CRC32C.raw(seed, $0) }
        crc = CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: b[0..<0x10]))
        crc = CRC32C.raw(crc, le32: 0)
        return CRC32C.raw(crc, UnsafeRawBufferPointer(rebasing: b[0x14..<b.count]))
    }

    /// The entries from `first` on (ext4_xattr_check_entries' rules): each within the area, each
    /// value within it too. A value in its own inode (ea_inode) is not supported (EOPNOTSUPP).
    static func entries(_ b: UnsafeRawBufferPointer, first: Int, valueBase: Int) throws(Errno) -> [Ext4XattrEntry] {
        var out: [Ext4XattrEntry] = []
        var at = first
        while true {
            guard at + 4 <= b.count else { throw .EUCLEAN }
            if b.le32(at) == 0 { break }
            guard at + entryHeaderSize <= b.count else { throw .EUCLEAN }
            let nameLength = Int(b[at])
            let next = at + ((entryHeaderSize + nameLength + 3) & ~3)
            guard next + 4 <= b.count else { throw .EUCLEAN }
            if b.le32(at + 4) != 0 { throw .EOPNOTSUPP }       // e_value_inum
            let offset = Int(b.le16(at + 2)), size = Int(b.le32(at + 8))
            let start = valueBase + offset
            guard size <= b.count, start <= b.count - size else { throw .EUCLEAN }
            out.append(Ext4XattrEntry(index: b[at + 1], suffix: Array(b[(at + entryHeaderSize)..<(at + entryHeaderSize + nameLength)]),
                                      value: Array(b[start..<(start + size)])))
            at = next
        }
        return out
    }
}
