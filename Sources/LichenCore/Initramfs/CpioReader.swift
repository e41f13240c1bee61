// Iterates the entries of cpio newc archives in one buffer, as Linux's initramfs unpacker reads
// them: archives may follow one another, with zero bytes between them (after the padding, the next
// header must be 4-byte aligned); each ends with a TRAILER!!! entry, which is not reported.
// Offsets and alignment are relative to the start of the buffer. Allocates nothing.

public struct CpioReader {
    static let headerSize = 110
    static let pathMax = 4096
    static let magic: [UInt8] = [0x30, 0x37, 0x30, 0x37, 0x30]  // "07070", then '1' or '2'
    static let trailer: [UInt8] = [0x54, 0x52, 0x41, 0x49, 0x4c, 0x45, 0x52, 0x21, 0x21, 0x21]  // TRAILER!!!

    public let bytes: UnsafeRawBufferPointer
    /// Where the next header (or padding) is read.
    public private(set) var offset: Int
    /// Inside an archive: its TRAILER!!! has not been seen yet.
    public private(set) var inArchive = false

    public init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        self.bytes = bytes
        self.offset = max(0, min(offset, bytes.count))
    }

    /// Whether the whole buffer has been consumed. After `next()` returned nil with this false,
    /// `offset` is at data that is neither an archive nor padding (e.g. a compressed archive).
    public var isAtEnd: Bool { offset >= bytes.count }

    /// The bytes of an entry's name or data.
    public subscript(range: Range<Int>) -> UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[range]) }

    /// The next entry, or nil at the end of the buffer or at foreign data between archives.
    public mutating func next() throws(CpioError) -> CpioEntry? {
        while true {
            if !inArchive {
                while offset < bytes.count && bytes[offset] == 0 { offset += 1 }
                if offset >= bytes.count { return nil }
                guard bytes[offset] == 0x30 else { return nil }  // not '0': not a cpio header
                guard offset & 3 == 0 else { throw .badPadding }
            } else if offset >= bytes.count {
                throw .missingTrailer
            }
            let entry = try header(at: offset)
            inArchive = true
            offset = min(Self.aligned(entry.data.upperBound), bytes.count)
            if self[entry.name].elementsEqual(Self.trailer) {
                inArchive = false
                continue
            }
            return entry
        }
    }

    @inline(__always) static func aligned(_ n: Int) -> Int { (n + 3) & ~3 }

    func header(at h: Int) throws(CpioError) -> CpioEntry {
        guard h <= bytes.count - Self.headerSize else {
            // Say "not cpio" rather than "truncated" for a short foreign blob.
            let n = min(bytes.count - h, Self.magic.count)
            throw self[h..<h + n].elementsEqual(Self.magic.prefix(n)) ? .truncatedHeader : .badMagic
        }
        guard self[h..<h + 5].elementsEqual(Self.magic), bytes[h + 5] == 0x31 || bytes[h + 5] == 0x32 else {
            throw .badMagic
        }
        let hasChecksum = bytes[h + 5] == 0x32
        // Fields in header order: ino mode uid gid nlink mtime filesize devmajor devminor
        // rdevmajor rdevminor namesize check. All are validated before anything is used.
        func field(_ i: Int) throws(CpioError) -> UInt32 { try hex(at: h + 6 + 8 * i) }
        let inode = try field(0), mode = try field(1), uid = try field(2), gid = try field(3)
        let linkCount = try field(4), mtime = try field(5), fileSize = try field(6)
        let devMajor = try field(7), devMinor = try field(8), rdevMajor = try field(9), rdevMinor = try field(10)
        let nameSizeField = try field(11), check = try field(12)

        let nameSize = Int(nameSizeField)
        guard nameSize >= 1, nameSize <= Self.pathMax else { throw .badNameSize }
        let nameStart = h + Self.headerSize
        guard nameSize <= bytes.count - nameStart else { throw .truncatedName }
        let nameEnd = nameStart + nameSize - 1
        guard bytes[nameEnd] == 0, !self[nameStart..<nameEnd].contains(0) else { throw .badName }

        let dataStart = min(Self.aligned(nameStart + nameSize), bytes.count)
        let size = Int(fileSize)
        guard size <= bytes.count - dataStart else { throw .truncatedData }
        let data = dataStart..<dataStart + size
        if hasChecksum {
            var sum: UInt32 = 0
            for b in self[data] { sum &+= UInt32(b) }
            guard sum == check else { throw .badChecksum }
        }
        return CpioEntry(inode: inode, mode: mode, uid: uid, gid: gid, linkCount: linkCount, modificationTime: mtime,
                         fileSize: fileSize, deviceMajor: devMajor, deviceMinor: devMinor, rdevMajor: rdevMajor,
                         rdevMinor: rdevMinor, checksum: check, hasChecksum: hasChecksum, name: nameStart..<nameEnd,
                         data: data)
    }

    /// Eight ASCII hex digits (either case); the header is known to be in the buffer.
    func hex(at o: Int) throws(CpioError) -> UInt32 {
        var v: UInt32 = 0
        for i in 0..<8 {
            let c = bytes[o + i]
            let d: UInt8
            switch c {
            case 0x30...0x39: d = c - 0x30
            case 0x41...0x46: d = c - 0x41 + 10
            case 0x61...0x66: d = c - 0x61 + 10
            default: throw .badHexDigit
            }
            v = v << 4 | UInt32(d)
        }
        return v
    }
}
