/// tmpfs's mount options (mount(2)'s data string, "size=64m,mode=755,uid=1000"), parsed as Linux's
/// shmem_parse_one does: size in bytes with a k/m/g/t/p/e suffix or a percentage of RAM, nr_inodes
/// with k/m/g, mode in octal, uid and gid in decimal. An unknown option fails the mount (EINVAL).
public struct TmpfsOptions: Equatable, Sendable {
    public var size: Int64?
    public var inodes: Int64?
    public var mode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?

    public init() {}

    /// `ramBytes`: what size=N% is a share of.
    public static func parse(_ data: [UInt8], ramBytes: Int64) throws(Errno) -> TmpfsOptions {
        var o = TmpfsOptions()
        for option in data.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            let parts = option.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = Array(parts[0])
            let value = parts.count > 1 ? Array(parts[1]) : nil
            // Byte comparisons: String's == would pull Unicode normalization into the kernel.
            func named(_ name: StaticString) -> Bool {
                name.withUTF8Buffer { key.elementsEqual($0) }
            }
            if named("size") {
                guard let value else { throw .EINVAL }
                if value.last == UInt8(ascii: "%") {
                    guard let percent = number(value.dropLast(), base: 10), percent <= 100 else { throw .EINVAL }
                    o.size = ramBytes / Int64(pageSize) * percent / 100 * Int64(pageSize)   // in pages, as Linux
                } else {
                    o.size = try withSuffix(value, suffixes: "kmgtpe")
                }
            } else if named("nr_inodes") {
                guard let value else { throw .EINVAL }
                o.inodes = try withSuffix(value, suffixes: "kmg")
            } else if named("mode") {
                guard let value, let m = number(value[...], base: 8), m <= 0o7777 else { throw .EINVAL }
                o.mode = UInt32(m)
            } else if named("uid") || named("gid") {
                guard let value, let id = number(value[...], base: 10), id < Int64(UInt32.max) else { throw .EINVAL }
                if named("uid") { o.uid = UInt32(id) } else { o.gid = UInt32(id) }
            } else if named("inode64") || named("inode32") {
                guard value == nil else { throw .EINVAL }     // Lichen's inode numbers fit either way
            } else if named("huge") {
                guard value == Array("never".utf8) else { throw .EINVAL }   // no huge pages
            } else {
                throw .EINVAL
            }
        }
        return o
    }

    /// Linux's memparse: a decimal number, optionally followed by one binary-power suffix.
    private static func withSuffix(_ text: [UInt8], suffixes: String) throws(Errno) -> Int64 {
        var digits = text[...]
        var shift: Int64 = 0
        if let last = digits.last, let index = suffixes.utf8.firstIndex(of: last | 0x20) {
            shift = Int64(10 * (suffixes.utf8.distance(from: suffixes.utf8.startIndex, to: index) + 1))
            digits = digits.dropLast()
        }
        guard let n = number(digits, base: 10) else { throw .EINVAL }
        let (scaled, overflow) = n.multipliedReportingOverflow(by: Int64(1) << shift)
        guard !overflow else { throw .EINVAL }
        return scaled
    }

    private static func number(_ text: ArraySlice<UInt8>, base: Int64) -> Int64? {
        guard !text.isEmpty else { return nil }
        var n: Int64 = 0
        for c in text {
            let d = Int64(c) - Int64(UInt8(ascii: "0"))
            guard d >= 0, d < base else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            n = s
        }
        return n
    }
}
