// gzip (RFC 1952): a member is a header, a raw DEFLATE stream, then the CRC-32 and the length
// (mod 2^32) of the data. Members may be concatenated; their outputs are concatenated too.

public struct GzipHeader: Equatable, Sendable {
    static let magic: (UInt8, UInt8) = (0x1f, 0x8b)
    static let text: UInt8 = 1, headerCRC: UInt8 = 2, extra: UInt8 = 4, name: UInt8 = 8, comment: UInt8 = 16

    public let flags: UInt8
    public let modificationTime: UInt32
    public let extraFlags: UInt8
    public let operatingSystem: UInt8
    /// Byte ranges in the input: the FEXTRA field, and FNAME / FCOMMENT without their NUL.
    public let extraField: Range<Int>?
    public let name: Range<Int>?
    public let comment: Range<Int>?
    /// Where the DEFLATE stream starts.
    public let dataOffset: Int

    /// Whether `bytes[offset...]` starts with the gzip magic.
    public static func isGzip(_ bytes: UnsafeRawBufferPointer, at offset: Int = 0) -> Bool {
        offset >= 0 && offset <= bytes.count - 2 && bytes[offset] == magic.0 && bytes[offset + 1] == magic.1
    }

    public init(_ bytes: UnsafeRawBufferPointer, at start: Int = 0) throws(InflateError) {
        guard start >= 0, start <= bytes.count else { throw .truncated }
        guard bytes.count - start >= 10 else {
            throw Self.isGzip(bytes, at: start) || bytes.count - start < 2 ? .truncated : .badGzipHeader
        }
        guard Self.isGzip(bytes, at: start), bytes[start + 2] == 8, bytes[start + 3] & 0xe0 == 0 else {
            throw .badGzipHeader  // not gzip, not deflate, or reserved flags
        }
        flags = bytes[start + 3]
        modificationTime = UInt32(bytes[start + 4]) | UInt32(bytes[start + 5]) << 8
            | UInt32(bytes[start + 6]) << 16 | UInt32(bytes[start + 7]) << 24
        extraFlags = bytes[start + 8]
        operatingSystem = bytes[start + 9]
        var p = start + 10
        if flags & Self.extra != 0 {
            guard bytes.count - p >= 2 else { throw .truncated }
            let length = Int(bytes[p]) | Int(bytes[p + 1]) << 8
            p += 2
            guard bytes.count - p >= length else { throw .truncated }
            extraField = p..<p + length
            p += length
        } else {
            extraField = nil
        }
        func string() throws(InflateError) -> Range<Int> {
            guard let nul = bytes[p...].firstIndex(of: 0) else { throw .truncated }
            defer { p = nul + 1 }
            return p..<nul
        }
        name = flags & Self.name != 0 ? try string() : nil
        comment = flags & Self.comment != 0 ? try string() : nil
        if flags & Self.headerCRC != 0 {
            guard bytes.count - p >= 2 else { throw .truncated }
            let crc = CRC32.checksum(UnsafeRawBufferPointer(rebasing: bytes[start..<p]))
            guard UInt16(bytes[p]) | UInt16(bytes[p + 1]) << 8 == UInt16(truncatingIfNeeded: crc) else {
                throw .badHeaderChecksum
            }
            p += 2
        }
        dataOffset = p
    }
}

public enum Gzip {
    /// Decompresses the gzip members that follow one another from `input[offset...]`, passing the
    /// output in chunks to `output`; each member's CRC-32 and length are checked. Stops at the end
    /// of the input or at the first byte that does not start a member (e.g. zero padding), and
    /// returns that offset. The input must start with a member.
    public static func decompress(_ input: UnsafeRawBufferPointer, at offset: Int = 0,
                                  output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) -> Int {
        var p = offset
        repeat {
            p = try member(input, at: p, output: output)
        } while GzipHeader.isGzip(input, at: p)
        return p
    }

    /// Decompresses into `output` (appending); returns the offset after the last member.
    public static func decompress(_ input: UnsafeRawBufferPointer, at offset: Int = 0,
                                  into output: inout [UInt8]) throws(InflateError) -> Int {
        try decompress(input, at: offset) { output.append(contentsOf: $0) }
    }

    public static func decompress(_ input: [UInt8], into output: inout [UInt8]) throws(InflateError) -> Int {
        let r = input.withUnsafeBytes { i in Result { () throws(InflateError) -> Int in try decompress(i, into: &output) } }
        return try r.get()
    }

    /// One member; returns the offset after its trailer.
    public static func member(_ input: UnsafeRawBufferPointer, at start: Int,
                       output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) -> Int {
        let header = try GzipHeader(input, at: start)
        var crc = CRC32()
        var size: UInt32 = 0
        let stream = UnsafeRawBufferPointer(rebasing: input[header.dataOffset...])
        let used = try Inflate.decompress(stream) { chunk in
            crc.update(chunk)
            size &+= UInt32(truncatingIfNeeded: chunk.count)
            output(chunk)
        }
        return try checkTrailer(input, at: header.dataOffset + used, crc: crc.value, size: size)
    }

    /// One member, decompressed straight into `buffer` (see `Inflate.decompress(_:into:grow:)`:
    /// `grow` is asked for more room as needed); returns the offset after its trailer, and the
    /// output: the first `produced` bytes of the last buffer `grow` returned (or of `buffer`).
    public static func member(_ input: UnsafeRawBufferPointer, at start: Int, into buffer: UnsafeMutableRawBufferPointer,
                              grow: (_ written: Int) -> UnsafeMutableRawBufferPointer?)
        throws(InflateError) -> (end: Int, produced: Int) {
        let header = try GzipHeader(input, at: start)
        var last = buffer
        let stream = UnsafeRawBufferPointer(rebasing: input[header.dataOffset...])
        let (used, produced) = try Inflate.decompress(stream, into: buffer) { written in
            let b = grow(written)
            if let b { last = b }
            return b
        }
        let crc = CRC32.checksum(UnsafeRawBufferPointer(start: last.baseAddress, count: produced))
        let end = try checkTrailer(input, at: header.dataOffset + used, crc: crc, size: UInt32(truncatingIfNeeded: produced))
        return (end, produced)
    }

    /// Checks the CRC-32 and ISIZE trailer at `trailer`; returns the offset after it.
    static func checkTrailer(_ input: UnsafeRawBufferPointer, at trailer: Int, crc: UInt32, size: UInt32) throws(InflateError) -> Int {
        guard input.count - trailer >= 8 else { throw .truncated }
        func word(_ o: Int) -> UInt32 {
            UInt32(input[o]) | UInt32(input[o + 1]) << 8 | UInt32(input[o + 2]) << 16 | UInt32(input[o + 3]) << 24
        }
        guard word(trailer) == crc else { throw .badChecksum }
        guard word(trailer + 4) == size else { throw .badLength }
        return trailer + 8
    }
}
