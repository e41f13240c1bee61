// An on-disk inode being changed (the write side of Ext4RawInode): its s_inode_size bytes, the
// fields set as Linux's ext4_do_update_inode writes them, then sealed with the checksum.

struct Ext4InodeImage {
    var bytes: [UInt8]
    let sb: Ext4Superblock

    /// i_extra_isize (0 for 128-byte inodes): the timestamps' extra halves fit when it is >= 24.
    var extra: Int { bytes.count > 128 ? Int(bytes.get16(0x80)) : 0 }

    /// A fresh inode: zeros, then the mode, owner, times, one link and i_extra_isize.
    static func fresh(sb: Ext4Superblock, wantExtra: Int, mode: UInt32, owner: InodeOwner, time: Timespec,
                      generation: UInt32) -> Ext4InodeImage {
        var i = Ext4InodeImage(bytes: [UInt8](repeating: 0, count: sb.inodeSize), sb: sb)
        if sb.inodeSize > 128 { i.bytes.put16(0x80, UInt16(min(wantExtra, sb.inodeSize - 128))) }
        i.mode = mode
        i.uid = owner.uid
        i.gid = owner.gid
        i.nlink = 1
        i.bytes.put32(0x64, generation)
        for field in [0x8, 0xc, 0x10, 0x90] { i.setTime(field, time) }
        return i
    }

    var mode: UInt32 {
        get { UInt32(bytes.get16(0)) }
        set { bytes.put16(0, UInt16(truncatingIfNeeded: newValue)) }
    }
    var uid: UInt32 {
        get { UInt32(bytes.get16(2)) | UInt32(bytes.get16(0x78)) << 16 }
        set { bytes.put16(2, UInt16(truncatingIfNeeded: newValue)); bytes.put16(0x78, UInt16(truncatingIfNeeded: newValue >> 16)) }
    }
    var gid: UInt32 {
        get { UInt32(bytes.get16(0x18)) | UInt32(bytes.get16(0x7a)) << 16 }
        set { bytes.put16(0x18, UInt16(truncatingIfNeeded: newValue)); bytes.put16(0x7a, UInt16(truncatingIfNeeded: newValue >> 16)) }
    }
    var size: Int64 {
        get { Int64(bytes.get32(4)) | Int64(bytes.get32(0x6c)) << 32 }
        set { bytes.put32(4, UInt32(truncatingIfNeeded: newValue)); bytes.put32(0x6c, UInt32(truncatingIfNeeded: newValue >> 32)) }
    }
    var nlink: UInt32 {
        get { UInt32(bytes.get16(0x1a)) }
        set { bytes.put16(0x1a, UInt16(truncatingIfNeeded: newValue)) }
    }
    var flags: UInt32 {
        get { bytes.get32(0x20) }
        set { bytes.put32(0x20, newValue) }
    }
    var generation: UInt32 { bytes.get32(0x64) }
    var fileACL: UInt64 { UInt64(bytes.get32(0x68)) | UInt64(bytes.get16(0x76)) << 32 }

    /// i_blocks in 512-byte units (huge_file's high 16 bits; never the HUGE_FILE block-unit form).
    var blocks512: UInt64 {
        get { UInt64(bytes.get32(0x1c)) | UInt64(bytes.get16(0x74)) << 32 }
        set {
            bytes.put32(0x1c, UInt32(truncatingIfNeeded: newValue))
            if sb.roCompat & Ext4Superblock.roCompatHugeFile != 0 { bytes.put16(0x74, UInt16(truncatingIfNeeded: newValue >> 32)) }
        }
    }

    /// i_block's 60 bytes.
    var blockArea: [UInt8] {
        get { Array(bytes[0x28..<0x64]) }
        set { bytes.replaceSubrange(0x28..<0x64, with: newValue) }
    }

    static let atime = 0x8, ctime = 0xc, mtime = 0x10, crtime = 0x90

    /// A timestamp (atime/ctime/mtime/crtime): 32 seconds bits, and in the extra field the epoch
    /// bits and nanoseconds when the inode has room for it (ext4_encode_extra_time).
    mutating func setTime(_ field: Int, _ t: Timespec) {
        let extraAt: Int
        switch field {
        case Self.ctime: extraAt = 0x84
        case Self.mtime: extraAt = 0x88
        case Self.atime: extraAt = 0x8c
        default: extraAt = 0x94
        }
        if field == Self.crtime && 0x94 > 128 + extra { return }
        bytes.put32(field, UInt32(truncatingIfNeeded: t.seconds))
        if extraAt + 4 <= 128 + extra {
            let epoch = UInt32(truncatingIfNeeded: (t.seconds - Int64(Int32(truncatingIfNeeded: t.seconds))) >> 32) & 3
            bytes.put32(extraAt, epoch | UInt32(truncatingIfNeeded: t.nanoseconds) << 2)
        }
    }

    /// Changed and modified now (a directory's entries, a file's data).
    mutating func touch(_ t: Timespec) {
        setTime(Self.ctime, t)
        setTime(Self.mtime, t)
    }

    /// Writes the checksum fields (metadata_csum) and decodes the result.
    mutating func seal(ino: UInt32) throws(Errno) -> Ext4RawInode {
        if sb.hasMetadataChecksums {
            let x = extra, g = generation, seed = sb.checksumSeed
            let crc = bytes.withUnsafeBytes { Ext4RawInode.checksum($0, ino: ino, generation: g, extra: x, seed: seed) }
            bytes.put16(0x7c, UInt16(truncatingIfNeeded: crc))
            if bytes.count > 128 && x >= 4 { bytes.put16(0x82, UInt16(truncatingIfNeeded: crc >> 16)) }
        }
        var reason = ""
        return try withBytes(bytes) { b throws(Errno) in try Ext4RawInode(b, ino: ino, sb: sb, reason: &reason) }
    }
}
