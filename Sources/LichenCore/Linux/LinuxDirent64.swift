// `struct linux_dirent64` records for getdents64: a 19-byte header (d_ino u64, d_off s64, d_reclen u16,
// d_type u8), the NUL-terminated name, padded so that every record starts 8-byte aligned. A builder
// rather than a struct, since the name makes every record a different size.

public enum LinuxDirent64 {
    /// Byte offsets in the record (checked against the C layout).
    public enum Offset {
        public static let d_ino = 0
        public static let d_off = 8
        public static let d_reclen = 16
        public static let d_type = 18
        public static let d_name = 19
    }
    /// Records are aligned to the struct's alignment (that of u64).
    public static let alignment = 8

    // d_type values (DT_*).
    public static let DT_UNKNOWN: UInt8 = 0
    public static let DT_FIFO: UInt8 = 1
    public static let DT_CHR: UInt8 = 2
    public static let DT_DIR: UInt8 = 4
    public static let DT_BLK: UInt8 = 6
    public static let DT_REG: UInt8 = 8
    public static let DT_LNK: UInt8 = 10
    public static let DT_SOCK: UInt8 = 12

    /// DT_* from the S_IFMT bits of a mode.
    public static func type(ofMode mode: UInt32) -> UInt8 { UInt8(truncatingIfNeeded: (mode >> 12) & 0xf) }

    /// d_reclen of a record with a name of `nameLength` bytes: header + name + NUL, rounded up to 8.
    public static func recordLength(nameLength: Int) -> Int {
        (Offset.d_name + nameLength + 1 + alignment - 1) & ~(alignment - 1)
    }

    /// Writes one record at `offset` in `buffer`; returns its length, or nil (nothing written) if it
    /// does not fit (getdents64 then stops, or fails with EINVAL if not even the first record fits).
    public static func write<C: Collection>(into buffer: UnsafeMutableRawBufferPointer, at offset: Int,
                                            inode: UInt64, nextOffset: Int64, type: UInt8, name: C) -> Int?
    where C.Element == UInt8 {
        let length = recordLength(nameLength: name.count)
        guard length <= 0xffff, offset >= 0, offset <= buffer.count, buffer.count - offset >= length else { return nil }
        buffer.storeBytes(of: inode.littleEndian, toByteOffset: offset + Offset.d_ino, as: UInt64.self)
        buffer.storeBytes(of: nextOffset.littleEndian, toByteOffset: offset + Offset.d_off, as: Int64.self)
        buffer.storeBytes(of: UInt16(truncatingIfNeeded: length).littleEndian, toByteOffset: offset + Offset.d_reclen, as: UInt16.self)
        buffer[offset + Offset.d_type] = type
        var i = offset + Offset.d_name
        for byte in name { buffer[i] = byte; i += 1 }
        while i < offset + length { buffer[i] = 0; i += 1 }
        return length
    }

    /// Appends one record to `bytes` (a host-side convenience; the kernel writes into a bounce buffer).
    public static func append<C: Collection>(to bytes: inout [UInt8], inode: UInt64, nextOffset: Int64,
                                             type: UInt8, name: C) where C.Element == UInt8 {
        let start = bytes.count
        let length = recordLength(nameLength: name.count)
        bytes.append(contentsOf: repeatElement(0, count: length))
        _ = bytes.withUnsafeMutableBytes { raw in
            write(into: raw, at: start, inode: inode, nextOffset: nextOffset, type: type, name: name)
        }
    }
}
