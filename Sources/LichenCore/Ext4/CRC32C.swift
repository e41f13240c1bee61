// CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), as ext4's metadata_csum uses it. ext4
// chains the raw register (Linux's crc32c(seed, data): no inversion before or after), so `raw`
// is the primitive; `checksum` is the standard CRC-32C (both inversions) for test vectors.

public enum CRC32C {
    /// Slicing-by-8 tables (eight of 256 entries, table k at k * 256): table 0 advances the register
    /// by one byte, table k by a byte followed by k zero bytes, so eight bytes take eight lookups
    /// instead of eight dependent steps (a 4 KiB bitmap or directory block is checksummed on every
    /// change of it).
    static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xff)]
            }
        }
        return t
    }()

    /// Continues the register `crc` over `bytes`.
    public static func raw(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        tables.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while n - i >= 8 {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self))
                let low = UInt32(truncatingIfNeeded: word) ^ c, high = UInt32(truncatingIfNeeded: word >> 32)
                c = t[7 * 256 + Int(low & 0xff)] ^ t[6 * 256 + Int((low >> 8) & 0xff)]
                    ^ t[5 * 256 + Int((low >> 16) & 0xff)] ^ t[4 * 256 + Int(low >> 24)]
                    ^ t[3 * 256 + Int(high & 0xff)] ^ t[2 * 256 + Int((high >> 8) & 0xff)]
                    ^ t[256 + Int((high >> 16) & 0xff)] ^ t[Int(high >> 24)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xff)] ^ (c >> 8)
                i += 1
            }
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
