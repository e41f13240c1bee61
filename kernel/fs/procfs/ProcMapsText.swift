import LichenCore

/// The text of /proc/<pid>/maps lines and /proc/<pid>/smaps fields, written byte by byte into the
/// output buffer: building them through String concatenation cost ~10-20x Linux's per line (issue 13).
enum ProcMapsText {
    typealias Area = VirtualMemoryArea<SharedMemoryObject>

    static let space = UInt8(ascii: " "), newline = UInt8(ascii: "\n")
    /// Runs of spaces and fixed pieces appended whole (one copy each, not a byte at a time).
    static let spaces = [UInt8](repeating: UInt8(ascii: " "), count: 80)
    static let anonymousDevice = Array(" 00:00 0".utf8), kilobytes = Array(" kB\n".utf8)

    /// `v` in lower-case hex, at least `digits` digits (zero-padded, Linux's %0*lx).
    static func appendHex(_ v: UInt64, digits: Int, to o: inout [UInt8]) {
        var shift = max(digits, (64 - v.leadingZeroBitCount + 3) / 4) * 4
        while shift > 0 {
            shift -= 4
            let d = UInt8(truncatingIfNeeded: v >> UInt64(shift)) & 0xf
            o.append(d < 10 ? 0x30 + d : 0x57 + d)
        }
    }

    /// `v` in decimal, right-aligned in `width` columns (at most 80): the columns are appended as
    /// spaces in one copy, then the digits written over their end.
    static func appendDecimal(_ v: UInt64, width: Int, to o: inout [UInt8]) {
        var digits = 1, rest = v / 10
        while rest > 0 { digits += 1; rest /= 10 }
        o.append(contentsOf: spaces[0..<min(max(width, digits), spaces.count)])   // digits <= 20
        var i = o.count, x = v
        repeat { i -= 1; o[i] = 0x30 + UInt8(x % 10); x /= 10 } while x > 0
    }

    /// Spaces up to column `column` of the line that began at `lineStart` (nothing if past it).
    static func pad(_ o: inout [UInt8], from lineStart: Int, to column: Int) {
        let n = column - (o.count - lineStart)
        if n > 0 { o.append(contentsOf: spaces[0..<min(n, spaces.count)]) }
    }

    /// "start-end perms offset dev inode   path\n" (Linux's show_map_vma).
    static func appendLine(_ area: Area, to o: inout [UInt8]) {
        let lineStart = o.count
        let prot = area.protection
        appendHex(area.start.value, digits: 8, to: &o)
        o.append(UInt8(ascii: "-"))
        appendHex(area.end.value, digits: 8, to: &o)
        o.append(space)
        o.append(prot.contains(.read) ? UInt8(ascii: "r") : UInt8(ascii: "-"))
        o.append(prot.contains(.write) ? UInt8(ascii: "w") : UInt8(ascii: "-"))
        o.append(prot.contains(.execute) ? UInt8(ascii: "x") : UInt8(ascii: "-"))
        o.append(area.sharing == .shared ? UInt8(ascii: "s") : UInt8(ascii: "p"))
        o.append(space)
        appendHex(area.fileOffset, digits: 8, to: &o)
        if let name = area.backing?.mapsName, !name.isEmpty {       // a file mapping: "dev inode path"
            let split = name.firstIndex(of: space).flatMap { name[($0 + 1)...].firstIndex(of: space) } ?? name.count
            o.append(space)
            o.append(contentsOf: name[..<split])
            pad(&o, from: lineStart, to: 72)
            o.append(space)
            o.append(contentsOf: name[min(split + 1, name.count)...])
            o.append(newline)
            return
        }
        o.append(contentsOf: anonymousDevice)
        let label: StaticString
        switch area.kind {
        case .heap: label = "[heap]"
        case .stack: label = "[stack]"
        case .vvar: label = "[vvar]"
        case .vdso: label = "[vdso]"
        default: o.append(newline); return
        }
        pad(&o, from: lineStart, to: 73)
        label.withUTF8Buffer { o.append(contentsOf: $0) }
        o.append(newline)
    }

    /// "Name:" padded to 16 columns, the size in kB right-aligned in 8, " kB" (Linux's SEQ_PUT_DEC).
    static func appendSize(_ name: StaticString, _ bytes: UInt64, to o: inout [UInt8]) {
        let lineStart = o.count
        name.withUTF8Buffer { o.append(contentsOf: $0) }
        o.append(UInt8(ascii: ":"))
        pad(&o, from: lineStart, to: 16)
        appendDecimal(bytes / 1024, width: 8, to: &o)
        o.append(contentsOf: kilobytes)
    }
}
