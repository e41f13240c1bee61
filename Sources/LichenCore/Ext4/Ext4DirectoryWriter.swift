// Changing linear directory blocks, sans-IO: add a record in the slack of another (or in an
// unused one), remove one (merged into its predecessor, or inode 0 when first in its block),
// point one at another inode, and the metadata_csum leaf tail.

enum Ext4DirectoryWriter {
    /// The bytes a record with a name of `length` bytes needs (8-byte header, padded to 4).
    static func recordSize(_ length: Int) -> Int { (8 + length + 3) & ~3 }

    /// Where the records end: before the 12-byte checksum tail when the filesystem has one.
    static func recordsEnd(_ sb: Ext4Superblock) -> Int { sb.blockSize - (sb.hasMetadataChecksums ? Ext4DirectoryBlock.tailSize : 0) }

    static func typeCode(_ type: FileType) -> UInt8 {
        switch type {
        case .regular: 1
        case .directory: 2
        case .characterDevice: 3
        case .blockDevice: 4
        case .fifo: 5
        case .socket: 6
        case .symbolicLink: 7
        default: 0
        }
    }

    private static func nameLength(_ b: [UInt8], _ o: Int, _ sb: Ext4Superblock) -> Int {
        sb.hasFileType ? Int(b[o + 6]) : Int(b.get16(o + 6))
    }

    private static func writeRecord(_ b: inout [UInt8], at o: Int, length: Int, ino: UInt32, name: [UInt8], type: FileType,
                                    sb: Ext4Superblock) {
        b.put32(o, ino)
        b.put16(o + 4, UInt16(length))
        if sb.hasFileType {
            b[o + 6] = UInt8(name.count)
            b[o + 7] = typeCode(type)
        } else {
            b.put16(o + 6, UInt16(name.count))
        }
        b.replaceSubrange(o + 8..<o + 8 + name.count, with: name)
    }

    /// An empty block: one unused record spanning it (and the tail).
    static func emptyBlock(_ sb: Ext4Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        b.put16(4, UInt16(recordsEnd(sb)))
        return b
    }

    /// A new directory's first block: "." and "..".
    static func firstBlock(ino: UInt32, parent: UInt32, sb: Ext4Superblock) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        writeRecord(&b, at: 0, length: 12, ino: ino, name: [0x2e], type: .directory, sb: sb)
        writeRecord(&b, at: 12, length: recordsEnd(sb) - 12, ino: parent, name: [0x2e, 0x2e], type: .directory, sb: sb)
        return b
    }

    /// Adds the record if the block has room; false otherwise. The block was parsed (checked) before.
    static func insert(_ b: inout [UInt8], name: [UInt8], ino: UInt32, type: FileType, sb: Ext4Superblock) -> Bool {
        let need = recordSize(name.count), end = recordsEnd(sb)
        var o = 0
        while o + 8 <= end {
            let length = Int(b.get16(o + 4))
            guard length >= 12 else { return false }
            let used = b.get32(o) != 0 ? recordSize(nameLength(b, o, sb)) : 0
            if length - used >= need {
                if used == 0 {
                    writeRecord(&b, at: o, length: length, ino: ino, name: name, type: type, sb: sb)
                } else {
                    b.put16(o + 4, UInt16(used))
                    writeRecord(&b, at: o + used, length: length - used, ino: ino, name: name, type: type, sb: sb)
                }
                return true
            }
            o += length
        }
        return false
    }

    /// Removes the record at `offset` (found by a lookup of this block).
    static func remove(_ b: inout [UInt8], at offset: Int, sb: Ext4Superblock) {
        var previous: Int? = nil, o = 0
        while o < offset {
            previous = o
            o += Int(b.get16(o + 4))
        }
        if let previous {
            b.put16(previous + 4, b.get16(previous + 4) + b.get16(offset + 4))
        } else {
            b.put32(offset, 0)
        }
    }

    /// Points the record at `offset` at another inode (rename over an existing name, "..").
    static func retarget(_ b: inout [UInt8], at offset: Int, ino: UInt32, type: FileType, sb: Ext4Superblock) {
        b.put32(offset, ino)
        if sb.hasFileType { b[offset + 7] = typeCode(type) }
    }

    /// metadata_csum: the fake last record (inode 0, rec_len 12, name_len 0, type 0xde) and the crc.
    static func seal(_ b: inout [UInt8], inodeSeed: UInt32, sb: Ext4Superblock) {
        guard sb.hasMetadataChecksums else { return }
        let t = sb.blockSize - Ext4DirectoryBlock.tailSize
        b.put32(t, 0)
        b.put16(t + 4, 12)
        b[t + 6] = 0
        b[t + 7] = 0xde
        b.put32(t + 8, b.crc32c(inodeSeed, 0..<t))
    }

    /// An htree block read linearly, made a plain one when the directory stops being indexed:
    /// the root keeps "." and ".." (".." spanning the block up to the tail, the index left in its
    /// slack), an interior node becomes an empty block. Leaves are unchanged.
    static func unindex(_ b: inout [UInt8], logical: UInt64, sb: Ext4Superblock) {
        let end = recordsEnd(sb)
        if logical == 0 {
            let dotLength = Int(b.get16(4))
            guard dotLength >= 12, dotLength + 8 <= end else { return }
            b.put16(dotLength + 4, UInt16(end - dotLength))
        } else if b.get32(0) == 0 && Int(b.get16(4)) == sb.blockSize {
            b = emptyBlock(sb)
        }
    }
}
