// Directory blocks (linear entries; htree nodes look like empty entries spanning the block, so
// reading an indexed directory linearly is valid), sans-IO.

public struct Ext4DirectoryRecord: Sendable, Equatable {
    public var ino: UInt32
    public var type: FileType
    public var name: [UInt8]
    /// Byte offset of the record in its block, and of the next one.
    public var offset: Int
    public var next: Int
}

public enum Ext4DirectoryBlock {
    static let tailSize = 12

    /// The live records of a directory block (deleted ones and the checksum tail skipped).
    /// EUCLEAN for a record Linux's ext4_check_dir_entry rejects.
    public static func records(_ block: UnsafeRawBufferPointer, sb: Ext4Superblock, from start: Int = 0) throws(Errno) -> [Ext4DirectoryRecord] {
        var out: [Ext4DirectoryRecord] = []
        var offset = start
        let end = block.count
        while offset < end {
            guard offset + 8 <= end else { throw .EUCLEAN }
            let ino = block.le32(offset)
            let recordLength = Int(block.le16(offset + 4))
            let nameLength = sb.hasFileType ? Int(block[offset + 6]) : Int(block.le16(offset + 6))
            guard recordLength >= 12, recordLength & 3 == 0, recordLength >= (8 + nameLength + 3) & ~3,
                  offset + recordLength <= end, ino <= sb.inodesCount else { throw .EUCLEAN }
            if ino != 0 && nameLength > 0 {
                let type = sb.hasFileType ? Self.fileType(block[offset + 7]) : .unknown
                out.append(Ext4DirectoryRecord(ino: ino, type: type, name: Array(block[offset + 8..<offset + 8 + nameLength]),
                                               offset: offset, next: offset + recordLength))
            }
            offset += recordLength
        }
        return out
    }

    /// The live record named `name`, or nil; every record of the block is checked as `records`
    /// checks it (EUCLEAN), but no record list or name copies are made (a create or unlink looks
    /// a name up in a leaf of a few hundred records two or three times).
    public static func find(_ name: [UInt8], in block: UnsafeRawBufferPointer, sb: Ext4Superblock) throws(Errno) -> Ext4DirectoryRecord? {
        var found: Ext4DirectoryRecord? = nil
        try withBytes(name) { (wanted: UnsafeRawBufferPointer) throws(Errno) in
            try walk(block, sb: sb) { offset, ino, nameLength, recordLength in
                guard found == nil, nameLength == wanted.count,
                      memoryEqual(block.baseAddress! + offset + 8, wanted.baseAddress!, nameLength) else { return }
                let type = sb.hasFileType ? Self.fileType(block[offset + 7]) : .unknown
                found = Ext4DirectoryRecord(ino: ino, type: type, name: name, offset: offset, next: offset + recordLength)
            }
        }
        return found
    }

    /// Checks every record as `records` does (EUCLEAN), keeping nothing (before a block is changed in place).
    public static func check(_ block: UnsafeRawBufferPointer, sb: Ext4Superblock) throws(Errno) {
        try walk(block, sb: sb) { _, _, _, _ in }
    }

    /// Each record checked as Linux's ext4_check_dir_entry; `live` gets the live ones (offset,
    /// inode, name length, record length).
    private static func walk(_ block: UnsafeRawBufferPointer, sb: Ext4Superblock,
                             _ live: (Int, UInt32, Int, Int) -> Void) throws(Errno) {
        var offset = 0
        let end = block.count
        while offset < end {
            guard offset + 8 <= end else { throw .EUCLEAN }
            let ino = block.le32(offset)
            let recordLength = Int(block.le16(offset + 4))
            let nameLength = sb.hasFileType ? Int(block[offset + 6]) : Int(block.le16(offset + 6))
            guard recordLength >= 12, recordLength & 3 == 0, recordLength >= (8 + nameLength + 3) & ~3,
                  offset + recordLength <= end, ino <= sb.inodesCount else { throw .EUCLEAN }
            if ino != 0 && nameLength > 0 { live(offset, ino, nameLength, recordLength) }
            offset += recordLength
        }
    }

    private static func memoryEqual(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
        for i in 0..<count where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) { return false }
        return true
    }

    /// metadata_csum: a leaf block ends in a fake entry (inode 0, rec_len 12, name_len 0, type
    /// 0xde) holding crc32c(inode seed, the rest). Returns nil when the block has no such tail
    /// (an htree node, whose dx_tail Lichen does not check).
    public static func checksumMatches(_ block: UnsafeRawBufferPointer, inodeSeed: UInt32) -> Bool? {
        let t = block.count - tailSize
        guard t >= 0, block.le32(t) == 0, block.le16(t + 4) == 12, block[t + 6] == 0, block[t + 7] == 0xde else { return nil }
        return CRC32C.raw(inodeSeed, UnsafeRawBufferPointer(rebasing: block[0..<t])) == block.le32(t + 8)
    }

    /// An htree interior node: one empty entry spanning the whole block.
    public static func isIndexNode(_ block: UnsafeRawBufferPointer) -> Bool {
        block.count >= 8 && block.le32(0) == 0 && Int(block.le16(4)) == block.count
    }

    static func fileType(_ t: UInt8) -> FileType {
        switch t {
        case 1: .regular
        case 2: .directory
        case 3: .characterDevice
        case 4: .blockDevice
        case 5: .fifo
        case 6: .socket
        case 7: .symbolicLink
        default: .unknown
        }
    }
}
