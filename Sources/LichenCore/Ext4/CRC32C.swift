// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as ext4's metadata_csum uses it. ext4
// chains the raw register (Linux's crc32c(seed, data): no inversion before or after), so `raw`
// is the primitive; `checksum` is the standard CRC-32C (both inversions) for test vectors.

public enum CRC32C {
    static let table: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        return t
    }()

    /// Continues the register `crc` over `bytes`.
    public static func raw(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        table.withUnsafeBufferPointer { t in
            for b in bytes { c = t[Int((c ^ UInt32(b)) & 0xff)] ^ (c >> 8) }
        }
        return c
    }

    public static func raw(_ crc: UInt32, _ bytes: [UInt8]) -> UInt32 {
        bytes.withUnsafeBytes { raw(crc, $0) }
    }

    /// The register over a little-endian 32-bit value (inode and group numbers in ext4's seeds).
    public static func raw(_ crc: UInt32, le32 value: UInt32) -> UInt32 {
        withUnsafeBytes(of: value.littleEndian) { raw(crc, $0) }
    }

    public static func checksum(_ bytes: UnsafeRawBufferPointer) -> UInt32 { ~raw(0xffff_ffff, bytes) }
}
