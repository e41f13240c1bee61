// Test-only DEFLATE and gzip writers, so large inputs need no fixtures: stored blocks, and a
// greedy LZ77 with the fixed Huffman code (back-references up to 32 KiB, lengths up to 258).
import Testing
@testable import LichenCore

struct BitWriter {
    var bytes: [UInt8] = []
    var bits: UInt64 = 0
    var count = 0

    /// `n` bits of `value`, least significant first (how DEFLATE sends everything but Huffman codes).
    mutating func write(_ value: Int, _ n: Int) {
        bits |= UInt64(value) << UInt64(count)
        count += n
        while count >= 8 { bytes.append(UInt8(truncatingIfNeeded: bits)); bits >>= 8; count -= 8 }
    }

    /// A Huffman code, most significant bit first.
    mutating func code(_ code: Int, _ length: Int) {
        for i in stride(from: length - 1, through: 0, by: -1) { write(code >> i & 1, 1) }
    }

    mutating func alignToByte() { if count > 0 { write(0, 8 - count) } }
}

enum DeflateEncoder {
    /// Stored blocks of at most `blockSize` (<= 65535) bytes.
    static func stored(_ data: [UInt8], blockSize: Int = 65535) -> [UInt8] {
        var out: [UInt8] = []
        var i = 0
        repeat {
            let n = min(blockSize, data.count - i)
            let final = i + n == data.count
            out.append(final ? 1 : 0)
            out += [UInt8(n & 0xff), UInt8(n >> 8), UInt8(~n & 0xff), UInt8((~n >> 8) & 0xff)]
            out += data[i..<i + n]
            i += n
        } while i < data.count
        return out
    }

    static let lengthBase = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115,
                             131, 163, 195, 227, 258]
    static let lengthExtra = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025,
                               1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11,
                                12, 12, 13, 13]

    /// The fixed literal/length code of RFC 1951 3.2.6.
    static func literal(_ symbol: Int, _ w: inout BitWriter) {
        switch symbol {
        case 0..<144: w.code(0x30 + symbol, 8)
        case 144..<256: w.code(0x190 + symbol - 144, 9)
        case 256..<280: w.code(symbol - 256, 7)
        default: w.code(0xc0 + symbol - 280, 8)
        }
    }

    /// One fixed-Huffman block per `blockSize` input bytes; matches may reach into earlier blocks.
    static func fixed(_ data: [UInt8], blockSize: Int = 100_000) -> [UInt8] {
        var w = BitWriter()
        var head = [Int](repeating: -1, count: 1 << 15)
        func hash(_ i: Int) -> Int { (Int(data[i]) << 10 ^ Int(data[i + 1]) << 5 ^ Int(data[i + 2])) & 0x7fff }
        var i = 0
        repeat {
            let end = min(i + blockSize, data.count)
            w.write(end == data.count ? 1 : 0, 1)
            w.write(1, 2)
            while i < end {
                var length = 0, distance = 0
                if i + 3 <= end {
                    let h = hash(i), candidate = head[h]
                    head[h] = i
                    if candidate >= 0 && i - candidate <= 32768 {
                        while length < 258 && i + length < end && data[candidate + length] == data[i + length] { length += 1 }
                        distance = i - candidate
                    }
                }
                if length >= 3 {
                    let li = lengthBase.lastIndex { $0 <= length }!
                    literal(257 + li, &w)
                    w.write(length - lengthBase[li], lengthExtra[li])
                    let di = distanceBase.lastIndex { $0 <= distance }!
                    w.code(di, 5)
                    w.write(distance - distanceBase[di], distanceExtra[di])
                    for k in 1..<length where i + k + 3 <= end { head[hash(i + k)] = i + k }
                    i += length
                } else {
                    literal(Int(data[i]), &w)
                    i += 1
                }
            }
            literal(256, &w)
        } while i < data.count
        w.alignToByte()
        return w.bytes
    }
}

enum GzipEncoder {
    /// A member around a raw DEFLATE stream; optional header fields to exercise the parser.
    static func member(_ deflated: [UInt8], of data: [UInt8], name: String? = nil, comment: String? = nil,
                       extra: [UInt8]? = nil, headerCRC: Bool = false, mtime: UInt32 = 0x5f5e_1000) -> [UInt8] {
        var flags: UInt8 = 0
        if headerCRC { flags |= 2 }
        if extra != nil { flags |= 4 }
        if name != nil { flags |= 8 }
        if comment != nil { flags |= 16 }
        var out: [UInt8] = [0x1f, 0x8b, 8, flags]
        out += le32(mtime) + [2, 3]  // XFL: best compression; OS: Unix
        if let extra { out += [UInt8(extra.count & 0xff), UInt8(extra.count >> 8)] + extra }
        if let name { out += Array(name.utf8) + [0] }
        if let comment { out += Array(comment.utf8) + [0] }
        if headerCRC {
            let crc = out.withUnsafeBytes { CRC32.checksum($0) }
            out += [UInt8(crc & 0xff), UInt8(crc >> 8 & 0xff)]
        }
        out += deflated
        out += le32(data.withUnsafeBytes { CRC32.checksum($0) }) + le32(UInt32(truncatingIfNeeded: data.count))
        return out
    }

    static func le32(_ v: UInt32) -> [UInt8] { (0..<4).map { UInt8(truncatingIfNeeded: v >> (8 * UInt32($0))) } }
}

/// Deterministic test payloads (the same formulas as the Python generator of InflateVectors).
enum Payload {
    static func text() -> [UInt8] {
        let words = ["lichen", "kernel", "swift", "arm", "page", "table", "inode", "buffer", "stack", "vector", "the", "of"]
        var out = ""
        for i in 0..<300 {
            out += words[(i * 7 + i / 3) % 12]
            out += i % 8 == 7 ? "\n" : " "
        }
        return Array(out.utf8)
    }

    static func pseudo(_ n: Int) -> [UInt8] {
        (0..<n).map { i in UInt8(truncatingIfNeeded: (i * 251 + (i * i) % 97) ^ (i >> 3)) }
    }

    /// Compressible but not trivially: words from a seeded generator, with random-length runs.
    static func compressible(_ n: Int, seed: UInt64) -> [UInt8] {
        var rng = SplitMix64(state: seed)
        let words = text()
        var out: [UInt8] = []
        out.reserveCapacity(n)
        while out.count < n {
            switch rng.next() % 4 {
            case 0: out += (0..<Int(rng.next() % 20)).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
            case 1: out += [UInt8](repeating: UInt8(truncatingIfNeeded: rng.next()), count: Int(rng.next() % 300))
            default:
                let start = Int(rng.next() % UInt64(words.count - 64))
                out += words[start..<start + Int(rng.next() % 64)]
            }
        }
        return Array(out.prefix(n))
    }
}

/// Inflates through the callback (window) API, and also straight into a growing buffer starting at
/// `initialRoom` bytes (resuming many times, so the careful loop and the room checks run); both
/// must agree on the output, the input used and the error.
func inflate(_ input: [UInt8], initialRoom: Int = 300) -> Result<[UInt8], InflateError> {
    var out: [UInt8] = []
    let r = input.withUnsafeBytes { i in Result { () throws(InflateError) -> Int in try Inflate.decompress(i, into: &out) } }
    let direct = input.withUnsafeBytes { i in
        withGrowingBuffer(initialRoom, produced: { $0.produced }) { first, grow in
            Result { () throws(InflateError) in try Inflate.decompress(i, into: first, grow: grow) }
        }
    }
    switch (r, direct) {
    case (.success(let used), .success(let (d, bytes))):
        #expect(d.consumed == used && d.produced == out.count && bytes == out, "direct output differs")
    case (.failure(let a), .failure(let b)):
        #expect(a == b, "direct error differs")
    default:
        #expect(Bool(false), "direct and callback inflate disagree: \(r) \(direct.map { $0.0 })")
    }
    return r.map { _ in out }
}

/// Runs `body` with a buffer of `initialRoom` bytes and a `grow` that copies into a bigger one
/// (a few KiB, or a quarter, more); returns its result and the first `produced` bytes of the last buffer.
func withGrowingBuffer<T>(_ initialRoom: Int, produced: (T) -> Int,
                          _ body: (UnsafeMutableRawBufferPointer, (Int) -> UnsafeMutableRawBufferPointer?) -> Result<T, InflateError>)
    -> Result<(T, [UInt8]), InflateError> {
    var buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: initialRoom, alignment: 1)
    defer { buffer.deallocate() }
    let r = body(buffer) { written in
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: written + 300 + max(3000, written / 4), alignment: 1)
        bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<written]))
        buffer.deallocate()
        buffer = bigger
        return bigger
    }
    return r.map { value in
        (value, Array(buffer[0..<produced(value)]))
    }
}

/// Gunzips through the callback API and straight into a growing buffer (`Gzip.member`, member by
/// member); both must agree.
func gunzip(_ input: [UInt8]) -> Result<[UInt8], InflateError> {
    var out: [UInt8] = []
    let r = Result { () throws(InflateError) in _ = try Gzip.decompress(input, into: &out); return out }
    let direct = input.withUnsafeBytes { i in
        Result { () throws(InflateError) -> [UInt8] in
            var all: [UInt8] = []
            var offset = 0
            repeat {
                let member = withGrowingBuffer(100, produced: { $0.produced }) { first, grow in
                    Result { () throws(InflateError) in try Gzip.member(i, at: offset, into: first, grow: grow) }
                }
                let (m, bytes) = try member.get()
                all += bytes
                offset = m.end
            } while GzipHeader.isGzip(i, at: offset)
            return all
        }
    }
    switch (r, direct) {
    case (.success(let a), .success(let b)): #expect(a == b, "direct gunzip differs")
    case (.failure(let a), .failure(let b)): #expect(a == b, "direct gunzip error differs")
    default: #expect(Bool(false), "direct and callback gunzip disagree: \(r) \(direct)")
    }
    return r
}
