/// The 32-byte directory entries of FAT: the 8.3 "short" entry that holds a file's attributes,
/// first cluster, size and times, and the long-name (LFN) slots that precede it, 13 UTF-16 units
/// each, tied to it by a checksum of the short name.
public struct FatShortEntry: Equatable, Sendable {
    public var name: [UInt8]              // 11 bytes: base (8) and extension (3), space-padded
    public var attributes: UInt8
    /// Windows NT's case bits: 0x08 base, 0x10 extension shown in lower case.
    public var lowerCase: UInt8
    public var createCentiseconds: UInt8
    public var createTime: UInt16
    public var createDate: UInt16
    public var accessDate: UInt16
    public var start: UInt32
    public var time: UInt16
    public var date: UInt16
    public var size: UInt32

    public static let readOnly: UInt8 = 0x01, hidden: UInt8 = 0x02, system: UInt8 = 0x04, volume: UInt8 = 0x08
    public static let directory: UInt8 = 0x10, archive: UInt8 = 0x20, longName: UInt8 = 0x0f
    public static let deleted: UInt8 = 0xe5
    public static let lowerBase: UInt8 = 0x08, lowerExtension: UInt8 = 0x10

    public init(name: [UInt8], attributes: UInt8, start: UInt32 = 0, size: UInt32 = 0, created: Timespec) {
        self.name = name
        self.attributes = attributes
        lowerCase = 0
        let f = FatTime.fat(created)
        createCentiseconds = f.centiseconds
        createTime = f.time
        createDate = f.date
        accessDate = f.date
        self.start = start
        time = f.time
        date = f.date
        self.size = size
    }

    public init(_ b: UnsafeRawBufferPointer, at o: Int) {
        func u16(_ i: Int) -> UInt16 { UInt16(b[o + i]) | UInt16(b[o + i + 1]) << 8 }
        name = Array(b[o..<o + 11])
        attributes = b[o + 11]
        lowerCase = b[o + 12]
        createCentiseconds = b[o + 13]
        createTime = u16(14)
        createDate = u16(16)
        accessDate = u16(18)
        start = UInt32(u16(20)) << 16 | UInt32(u16(26))
        time = u16(22)
        date = u16(24)
        size = UInt32(u16(28)) | UInt32(u16(30)) << 16
    }

    /// The 32 bytes on disk. `fat32`: the high half of the start cluster is kept (FAT12/16 write 0 there).
    public func encoded(fat32: Bool) -> [UInt8] {
        var b = name
        b.append(attributes)
        b.append(lowerCase)
        b.append(createCentiseconds)
        func put(_ v: UInt16) { b.append(UInt8(v & 0xff)); b.append(UInt8(v >> 8)) }
        put(createTime)
        put(createDate)
        put(accessDate)
        put(fat32 ? UInt16(start >> 16) : 0)
        put(time)
        put(date)
        put(UInt16(start & 0xffff))
        put(UInt16(size & 0xffff))
        put(UInt16(size >> 16))
        return b
    }

    public var isDirectory: Bool { attributes & Self.directory != 0 }
    public var modified: Timespec { FatTime.unix(date: date, time: time) }
    public var created: Timespec { FatTime.unix(date: createDate, time: createTime, centiseconds: createCentiseconds) }
    public var accessed: Timespec { FatTime.unix(date: accessDate, time: 0) }

    public mutating func setModified(_ t: Timespec) { let f = FatTime.fat(t); time = f.time; date = f.date }
    public mutating func setCreated(_ t: Timespec) {
        let f = FatTime.fat(t)
        createTime = f.time
        createDate = f.date
        createCentiseconds = f.centiseconds
    }
    public mutating func setAccessed(_ t: Timespec) { accessDate = FatTime.fat(t).date }

    /// The checksum an LFN slot carries of its short name.
    public static func checksum(_ name: [UInt8]) -> UInt8 {
        var sum: UInt8 = 0
        for c in name.prefix(11) { sum = (sum & 1 != 0 ? 0x80 : 0) &+ (sum >> 1) &+ c }
        return sum
    }
}

/// Long-name slots: 13 UTF-16 units each at byte offsets 1, 14 and 28, the first on disk
/// holding the last part of the name (sequence number with 0x40).
public enum FatLongName {
    static let unitOffsets: [Int] = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30]

    /// The slots for `name` (UTF-16) in disk order: the name is ended by 0x0000 and padded with
    /// 0xFFFF to a multiple of 13 units, as Linux's xlate_to_uni.
    public static func slots(_ name: [UInt16], checksum: UInt8) -> [[UInt8]] {
        var units = name
        if units.count % 13 != 0 {
            units.append(0)
            while units.count % 13 != 0 { units.append(0xffff) }
        }
        let count = units.count / 13
        var out: [[UInt8]] = []
        for n in stride(from: count, through: 1, by: -1) {
            var b = [UInt8](repeating: 0, count: 32)
            b[0] = UInt8(n) | (n == count ? 0x40 : 0)
            b[11] = FatShortEntry.longName
            b[13] = checksum
            for (k, at) in unitOffsets.enumerated() {
                let u = units[(n - 1) * 13 + k]
                b[at] = UInt8(u & 0xff)
                b[at + 1] = UInt8(u >> 8)
            }
            out.append(b)
        }
        return out
    }

    /// The 13 units of a slot, up to its end (0x0000).
    static func units(_ b: UnsafeRawBufferPointer, at o: Int) -> (units: [UInt16], ended: Bool) {
        var out: [UInt16] = []
        for at in unitOffsets {
            let u = UInt16(b[o + at]) | UInt16(b[o + at + 1]) << 8
            if u == 0 { return (out, true) }
            out.append(u)
        }
        return (out, false)
    }
}
