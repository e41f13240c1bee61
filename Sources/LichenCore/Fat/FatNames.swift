/// Linux's vfat name rules with Debian's defaults (utf8, codepage 437, shortname=mixed): which
/// names may be created, the 8.3 alias a long name gets (upper case, `~N` tails), how a short
/// name is shown, and ASCII-case-insensitive matching.
public enum FatNames {
    /// Trailing dots are dropped (vfat_striptail_len): "a." names "a".
    public static func stripped(_ name: [UInt8]) -> [UInt8] {
        var n = name.count
        while n > 0 && name[n - 1] == UInt8(ascii: ".") { n -= 1 }
        return Array(name[0..<n])
    }

    /// UTF-16 of a UTF-8 name (EINVAL when malformed), checked as vfat_is_used_badchars (control
    /// characters, `*?<>|":\` and a trailing space are EINVAL) and no longer than 255 units.
    public static func creatable(_ name: [UInt8]) throws(Errno) -> [UInt16] {
        let u = try utf16(name)
        guard u.count <= 255 else { throw .ENAMETOOLONG }
        for c in u where c < 0x20 || isBad(c) { throw .EINVAL }
        if u.last == 0x20 { throw .EINVAL }
        return u
    }

    static func isBad(_ c: UInt16) -> Bool {
        switch c {
        case 0x2a, 0x3f, 0x3c, 0x3e, 0x7c, 0x22, 0x3a, 0x2f, 0x5c: return true    // * ? < > | " : / \
        default: return false
        }
    }

    public static func utf16(_ s: [UInt8]) throws(Errno) -> [UInt16] {
        var out: [UInt16] = []
        var i = 0
        while i < s.count {
            let b = s[i]
            var scalar: UInt32
            var extra: Int
            if b < 0x80 { scalar = UInt32(b); extra = 0 }
            else if b & 0xe0 == 0xc0 { scalar = UInt32(b & 0x1f); extra = 1 }
            else if b & 0xf0 == 0xe0 { scalar = UInt32(b & 0x0f); extra = 2 }
            else if b & 0xf8 == 0xf0 { scalar = UInt32(b & 0x07); extra = 3 }
            else { throw .EINVAL }
            guard i + extra < s.count else { throw .EINVAL }
            for k in stride(from: 1, through: extra, by: 1) {
                guard s[i + k] & 0xc0 == 0x80 else { throw .EINVAL }
                scalar = scalar << 6 | UInt32(s[i + k] & 0x3f)
            }
            i += extra + 1
            if scalar >= 0x10000 {
                guard scalar <= 0x10ffff else { throw .EINVAL }
                let v = scalar - 0x10000
                out.append(UInt16(0xd800 + (v >> 10)))
                out.append(UInt16(0xdc00 + (v & 0x3ff)))
            } else {
                out.append(UInt16(scalar))
            }
        }
        return out
    }

    public static func utf8(_ units: [UInt16]) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        while i < units.count {
            var c = UInt32(units[i])
            if c >= 0xd800 && c < 0xdc00 && i + 1 < units.count && units[i + 1] >= 0xdc00 && units[i + 1] < 0xe000 {
                c = 0x10000 + ((c - 0xd800) << 10) + (UInt32(units[i + 1]) - 0xdc00)
                i += 1
            }
            i += 1
            appendUTF8(c, to: &out)
        }
        return out
    }

    static func appendUTF8(_ c: UInt32, to out: inout [UInt8]) {
        if c < 0x80 { out.append(UInt8(c)) }
        else if c < 0x800 { out.append(UInt8(0xc0 | c >> 6)); out.append(UInt8(0x80 | c & 0x3f)) }
        else if c < 0x10000 {
            out.append(UInt8(0xe0 | c >> 12)); out.append(UInt8(0x80 | c >> 6 & 0x3f)); out.append(UInt8(0x80 | c & 0x3f))
        } else {
            out.append(UInt8(0xf0 | c >> 18)); out.append(UInt8(0x80 | c >> 12 & 0x3f))
            out.append(UInt8(0x80 | c >> 6 & 0x3f)); out.append(UInt8(0x80 | c & 0x3f))
        }
    }

    /// Names compare as vfat's with iocharset ascii: ASCII letters without case, other bytes exactly.
    public static func matches(_ a: [UInt8], _ b: [UInt8]) -> Bool {
        guard a.count == b.count else { return false }
        for i in 0..<a.count where lower(a[i]) != lower(b[i]) { return false }
        return true
    }

    static func lower(_ c: UInt8) -> UInt8 { c >= 0x41 && c <= 0x5a ? c + 32 : c }
    static func upper(_ c: UInt8) -> UInt8 { c >= 0x61 && c <= 0x7a ? c - 32 : c }

    /// How a short entry's name is shown (shortname=mixed displays as Windows NT: the case bits
    /// apply), the bytes of codepage 437 converted to UTF-8.
    public static func display(_ name: [UInt8], lowerCase: UInt8) -> [UInt8] {
        var base = Array(name[0..<8]), ext = Array(name[8..<11])
        if base[0] == 0x05 { base[0] = 0xe5 }
        while base.last == 0x20 { base.removeLast() }
        while ext.last == 0x20 { ext.removeLast() }
        var out: [UInt8] = []
        func add(_ part: [UInt8], _ lowered: Bool) {
            for c in part {
                if c < 0x80 { out.append(lowered ? lower(c) : c) } else { appendUTF8(UInt32(cp437High[Int(c) - 0x80]), to: &out) }
            }
        }
        add(base, lowerCase & FatShortEntry.lowerBase != 0)
        if !ext.isEmpty {
            out.append(UInt8(ascii: "."))
            add(ext, lowerCase & FatShortEntry.lowerExtension != 0)
        }
        return out
    }

    /// The 8.3 alias Linux's vfat_create_shortname makes for `name` (shortname=mixed creates as
    /// Windows 95): `alone` when the name is a valid all-upper-case 8.3 name that needs no long
    /// name. `taken` says whether an 11-byte short name is in use in the directory. Characters
    /// outside ASCII become '_' (Linux would map those codepage 437 has; a divergence).
    public static func shortAlias(_ name: [UInt16], taken: ([UInt8]) -> Bool) throws(Errno) -> (name: [UInt8], alone: Bool) {
        let dot: UInt16 = 0x2e, space: UInt16 = 0x20
        var extStart: Int? = nil
        var baseEnd = name.count
        if let d = name.lastIndex(of: dot), d != name.count - 1 {
            // A name made only of dots and spaces before its last dot has no extension (".profile").
            if name[0..<d].contains(where: { $0 != dot && $0 != space }) {
                extStart = d + 1
                baseEnd = d
            }
        }
        var valid = (base: true, ext: true), upperOK = (base: true, ext: true)
        var isShort = true
        func convert(_ c: UInt16, base: Bool) -> UInt8? {
            if c == dot || c == space {
                if base { valid.base = false } else { valid.ext = false }
                return nil
            }
            if c == 0x2b || c == 0x2c || c == 0x3b || c == 0x3d || c == 0x5b || c == 0x5d || c >= 0x80 {  // + , ; = [ ]
                if base { valid.base = false } else { valid.ext = false }
                return UInt8(ascii: "_")
            }
            let b = UInt8(c), u = upper(b)
            if (u >= 0x41 && u <= 0x5a) {
                if u != b { if base { upperOK.base = false } else { upperOK.ext = false } }
            }
            return u
        }
        var base: [UInt8] = []
        var numtailBase = 6, numtail2Base = 2
        for i in 0..<baseEnd {
            guard let c = convert(name[i], base: true) else { continue }
            if base.count < 2 && base.count + 1 > 2 { numtail2Base = base.count }
            if base.count < 6 && base.count + 1 > 6 { numtailBase = base.count }
            base.append(c)
            if base.count >= 8 {
                if i + 1 < baseEnd { isShort = false }
                break
            }
        }
        guard !base.isEmpty else { throw .EINVAL }
        var ext: [UInt8] = []
        if let extStart {
            var i = extStart
            while ext.count < 3 && i < name.count {
                if let c = convert(name[i], base: false) {
                    ext.append(c)
                    if ext.count >= 3 && i + 1 != name.count { isShort = false }
                }
                i += 1
            }
        }
        if base[0] == 0xe5 { base[0] = 0x05 }
        var result = [UInt8](repeating: 0x20, count: 11)
        for (i, c) in base.enumerated() { result[i] = c }
        for (i, c) in ext.enumerated() { result[8 + i] = c }
        if isShort && valid.base && valid.ext {
            if taken(result) { throw .EEXIST }
            return (result, upperOK.base && upperOK.ext)
        }
        var baseLength = base.count
        if baseLength > 6 {
            baseLength = numtailBase
            result[7] = 0x20
        }
        result[baseLength] = UInt8(ascii: "~")
        for i in 1..<10 {
            result[baseLength + 1] = UInt8(ascii: "0") + UInt8(i)
            if !taken(result) { return (result, false) }
        }
        // Linux tries random hex tails here; Lichen counts down from a fixed start, as deterministic.
        if baseLength > 2 {
            baseLength = numtail2Base
            result[7] = 0x20
        }
        result[baseLength + 4] = UInt8(ascii: "~")
        result[baseLength + 5] = UInt8(ascii: "1")
        var n = 0xffff
        while n >= 0 {
            let hex: [UInt8] = Array("0123456789ABCDEF".utf8)
            for k in 0..<4 { result[baseLength + k] = hex[(n >> (12 - 4 * k)) & 0xf] }
            if !taken(result) { return (result, false) }
            n -= 11
        }
        throw .EEXIST
    }

    static let cp437High: [UInt16] = [
        0x00c7, 0x00fc, 0x00e9, 0x00e2, 0x00e4, 0x00e0, 0x00e5, 0x00e7, 0x00ea, 0x00eb, 0x00e8, 0x00ef, 0x00ee, 0x00ec, 0x00c4, 0x00c5,
        0x00c9, 0x00e6, 0x00c6, 0x00f4, 0x00f6, 0x00f2, 0x00fb, 0x00f9, 0x00ff, 0x00d6, 0x00dc, 0x00a2, 0x00a3, 0x00a5, 0x20a7, 0x0192,
        0x00e1, 0x00ed, 0x00f3, 0x00fa, 0x00f1, 0x00d1, 0x00aa, 0x00ba, 0x00bf, 0x2310, 0x00ac, 0x00bd, 0x00bc, 0x00a1, 0x00ab, 0x00bb,
        0x2591, 0x2592, 0x2593, 0x2502, 0x2524, 0x2561, 0x2562, 0x2556, 0x2555, 0x2563, 0x2551, 0x2557, 0x255d, 0x255c, 0x255b, 0x2510,
        0x2514, 0x2534, 0x252c, 0x251c, 0x2500, 0x253c, 0x255e, 0x255f, 0x255a, 0x2554, 0x2569, 0x2566, 0x2560, 0x2550, 0x256c, 0x2567,
        0x2568, 0x2564, 0x2565, 0x2559, 0x2558, 0x2552, 0x2553, 0x256b, 0x256a, 0x2518, 0x250c, 0x2588, 0x2584, 0x258c, 0x2590, 0x2580,
        0x03b1, 0x00df, 0x0393, 0x03c0, 0x03a3, 0x03c3, 0x00b5, 0x03c4, 0x03a6, 0x0398, 0x03a9, 0x03b4, 0x221e, 0x03c6, 0x03b5, 0x2229,
        0x2261, 0x00b1, 0x2265, 0x2264, 0x2320, 0x2321, 0x00f7, 0x2248, 0x00b0, 0x2219, 0x00b7, 0x221a, 0x207f, 0x00b2, 0x25a0, 0x00a0,
    ]
}
