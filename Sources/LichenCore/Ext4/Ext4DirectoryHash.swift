// The htree name hashes of ext3/ext4 (Linux's fs/ext4/hash.c): legacy, half_md4 and tea, each
// with the name's bytes taken as signed or unsigned chars, seeded by the superblock's s_hash_seed.

public enum Ext4DirectoryHash {
    public static let legacy: UInt8 = 0, halfMD4: UInt8 = 1, tea: UInt8 = 2
    /// The unsigned variants (the version plus 3), chosen by s_flags' EXT2_FLAGS_UNSIGNED_HASH.
    public static let unsignedOffset: UInt8 = 3

    /// The version a directory's root names, adjusted for the filesystem's char signedness.
    /// nil for versions Lichen does not hash (siphash needs casefold, refused at mount).
    public static func effectiveVersion(_ rootVersion: UInt8, sb: Ext4Superblock) -> UInt8? {
        guard rootVersion <= tea else { return nil }
        return rootVersion + (sb.unsignedHash ? unsignedOffset : 0)
    }

    /// The (major) hash, low bit clear; the low bit of index entries marks a collision run.
    public static func hash(_ name: [UInt8], version: UInt8, seed: [UInt32]) -> UInt32 {
        var buf: (UInt32, UInt32, UInt32, UInt32) = (0x6745_2301, 0xefcd_ab89, 0x98ba_dcfe, 0x1032_5476)
        if seed.count == 4, seed.contains(where: { $0 != 0 }) { buf = (seed[0], seed[1], seed[2], seed[3]) }
        let unsigned = version >= unsignedOffset
        var h: UInt32
        switch version % unsignedOffset {
        case legacy:
            h = legacyHash(name, unsigned: unsigned)
        case halfMD4:
            var p = 0
            repeat {
                let words = pack(name, from: p, words: 8, unsigned: unsigned)
                halfMD4Transform(&buf, words)
                p += 32
            } while p < name.count
            h = buf.1
        default:
            var p = 0
            repeat {
                let words = pack(name, from: p, words: 4, unsigned: unsigned)
                teaTransform(&buf, words)
                p += 16
            } while p < name.count
            h = buf.0
        }
        h &= ~1
        if h == 0x7fff_ffff << 1 { h = (0x7fff_ffff - 1) << 1 }    // the 32-bit end-of-directory cookie
        return h
    }

    private static func char(_ b: UInt8, unsigned: Bool) -> UInt32 {
        unsigned ? UInt32(b) : UInt32(bitPattern: Int32(Int8(bitPattern: b)))
    }

    private static func legacyHash(_ name: [UInt8], unsigned: Bool) -> UInt32 {
        var h0: UInt32 = 0x12a3_fe2d, h1: UInt32 = 0x37ab_e8f9
        for b in name {
            var h = h1 &+ (h0 ^ (char(b, unsigned: unsigned) &* 7_152_373))
            if h & 0x8000_0000 != 0 { h &-= 0x7fff_ffff }
            h1 = h0
            h0 = h
        }
        return h0 << 1
    }

    /// Up to words*4 name bytes from `from`, big-endian into words, padded with the remaining
    /// length repeated in every byte (Linux's str2hashbuf).
    private static func pack(_ name: [UInt8], from: Int, words: Int, unsigned: Bool) -> [UInt32] {
        let remaining = name.count - from
        var pad = UInt32(truncatingIfNeeded: remaining) | UInt32(truncatingIfNeeded: remaining) << 8
        pad |= pad << 16
        var out: [UInt32] = []
        var value = pad
        let n = min(remaining, words * 4)
        for i in 0..<n {
            value = char(name[from + i], unsigned: unsigned) &+ (value << 8)
            if i % 4 == 3 {
                out.append(value)
                value = pad
            }
        }
        if out.count < words && n % 4 != 0 { out.append(value) }
        while out.count < words { out.append(pad) }
        return out
    }

    private static func teaTransform(_ buf: inout (UInt32, UInt32, UInt32, UInt32), _ w: [UInt32]) {
        var sum: UInt32 = 0, b0 = buf.0, b1 = buf.1
        for _ in 0..<16 {
            sum &+= 0x9e37_79b9
            b0 &+= ((b1 << 4) &+ w[0]) ^ (b1 &+ sum) ^ ((b1 >> 5) &+ w[1])
            b1 &+= ((b0 << 4) &+ w[2]) ^ (b0 &+ sum) ^ ((b0 >> 5) &+ w[3])
        }
        buf.0 &+= b0
        buf.1 &+= b1
    }

    private static func rotl(_ x: UInt32, _ s: UInt32) -> UInt32 { (x << s) | (x >> (32 - s)) }

    /// MD4's three rounds cut to eight words (Linux's half_md4_transform).
    private static func halfMD4Transform(_ buf: inout (UInt32, UInt32, UInt32, UInt32), _ w: [UInt32]) {
        var a = buf.0, b = buf.1, c = buf.2, d = buf.3
        func f(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { z ^ (x & (y ^ z)) }
        func g(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { (x & y) &+ ((x ^ y) & z) }
        func h(_ x: UInt32, _ y: UInt32, _ z: UInt32) -> UInt32 { x ^ y ^ z }
        let k2: UInt32 = 0o13240474631, k3: UInt32 = 0o15666365641
        // Each step: a = rotl(a + fn(b, c, d) + word + k, s), with the variables rotating.
        let rounds: [(Int, UInt32, Int, UInt32)] = [      // (function, constant, word, shift)
            (0, 0, 0, 3), (0, 0, 1, 7), (0, 0, 2, 11), (0, 0, 3, 19), (0, 0, 4, 3), (0, 0, 5, 7), (0, 0, 6, 11), (0, 0, 7, 19),
            (1, k2, 1, 3), (1, k2, 3, 5), (1, k2, 5, 9), (1, k2, 7, 13), (1, k2, 0, 3), (1, k2, 2, 5), (1, k2, 4, 9), (1, k2, 6, 13),
            (2, k3, 3, 3), (2, k3, 7, 9), (2, k3, 2, 11), (2, k3, 6, 15), (2, k3, 1, 3), (2, k3, 5, 9), (2, k3, 0, 11), (2, k3, 4, 15),
        ]
        for (i, r) in rounds.enumerated() {
            let fn: (UInt32, UInt32, UInt32) -> UInt32 = r.0 == 0 ? f : (r.0 == 1 ? g : h)
            switch i % 4 {
            case 0: a = rotl(a &+ fn(b, c, d) &+ w[r.2] &+ r.1, r.3)
            case 1: d = rotl(d &+ fn(a, b, c) &+ w[r.2] &+ r.1, r.3)
            case 2: c = rotl(c &+ fn(d, a, b) &+ w[r.2] &+ r.1, r.3)
            default: b = rotl(b &+ fn(c, d, a) &+ w[r.2] &+ r.1, r.3)
            }
        }
        buf.0 &+= a
        buf.1 &+= b
        buf.2 &+= c
        buf.3 &+= d
    }
}
