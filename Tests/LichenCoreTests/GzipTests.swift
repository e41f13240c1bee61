import Testing
@testable import LichenCore

@Suite struct GzipTests {
    let hello = Array(String(repeating: "hello, initramfs\n", count: 3).utf8)

    func error(_ input: [UInt8]) -> InflateError? {
        if case .failure(let e) = gunzip(input) { return e }
        return nil
    }

    func header(_ input: [UInt8]) throws(InflateError) -> GzipHeader {
        try input.withUnsafeBytes { i in Result { () throws(InflateError) in try GzipHeader(i) } }.get()
    }

    /// A member with every optional header field, around a fixed-Huffman stream.
    var fullMember: [UInt8] {
        GzipEncoder.member(DeflateEncoder.fixed(hello), of: hello, name: "hello.txt", comment: "a comment",
                           extra: [0x41, 0x42, 4, 0, 1, 2, 3, 4], headerCRC: true)
    }

    @Test func gzipToolOutput() throws {
        #expect(try gunzip(InflateVectors.gzipTool).get() == hello)
        let h = try header(InflateVectors.gzipTool)
        #expect(h.flags == 8)
        #expect(h.operatingSystem == 3)
        #expect(h.name.map { Array(InflateVectors.gzipTool[$0]) } == Array("hello.txt".utf8))
        #expect(h.comment == nil && h.extraField == nil)
        #expect(h.dataOffset == 10 + 10)
    }

    @Test func allHeaderFields() throws {
        let m = fullMember
        #expect(try gunzip(m).get() == hello)
        let h = try header(m)
        #expect(h.flags == 2 | 4 | 8 | 16)
        #expect(h.modificationTime == 0x5f5e_1000 && h.extraFlags == 2 && h.operatingSystem == 3)
        #expect(h.extraField.map { Array(m[$0]) } == [0x41, 0x42, 4, 0, 1, 2, 3, 4])
        #expect(h.name.map { Array(m[$0]) } == Array("hello.txt".utf8))
        #expect(h.comment.map { Array(m[$0]) } == Array("a comment".utf8))
        #expect(h.dataOffset == 10 + 10 + 10 + 10 + 2)
    }

    @Test func concatenatedMembers() throws {
        let two = InflateVectors.gzipTool + InflateVectors.gzipSecond
        #expect(try gunzip(two).get() == hello + Array("second member\n".utf8))
        let stored = GzipEncoder.member(DeflateEncoder.stored(hello), of: hello)
        #expect(try gunzip(two + stored + fullMember).get() == hello + Array("second member\n".utf8) + hello + hello)
    }

    @Test func stopsAtPaddingAndReportsTheOffset() throws {
        let input = InflateVectors.gzipTool + InflateVectors.gzipSecond + [0, 0, 0, 0, 0x42]
        var out: [UInt8] = []
        let end = try input.withUnsafeBytes { i in
            try Result { () throws(InflateError) -> Int in try Gzip.decompress(i, into: &out) }.get()
        }
        #expect(end == InflateVectors.gzipTool.count + InflateVectors.gzipSecond.count)
        #expect(out.count == hello.count + 14)
    }

    @Test func largeMembers() throws {
        let data = Payload.compressible(1_000_000, seed: 9)
        let member = GzipEncoder.member(DeflateEncoder.fixed(data), of: data)
        let stored = GzipEncoder.member(DeflateEncoder.stored(data), of: data, name: "big")
        #expect(try gunzip(member + stored).get() == data + data)
    }

    @Test func headerErrors() {
        var m = InflateVectors.gzipTool
        m[0] = 0x1e
        #expect(error(m) == .badGzipHeader)
        m = InflateVectors.gzipTool
        m[2] = 7
        #expect(error(m) == .badGzipHeader)  // not deflate
        for reserved in [0x20, 0x40, 0x80] as [UInt8] {
            m = InflateVectors.gzipTool
            m[3] |= reserved
            #expect(error(m) == .badGzipHeader)
        }
        m = fullMember
        m[12 + 3] ^= 1  // inside FEXTRA
        #expect(error(m) == .badHeaderChecksum)
        #expect(error([]) == .truncated)
        #expect(error([0x1f]) == .truncated)
        #expect(error(Array("hello there".utf8)) == .badGzipHeader)
        // FEXTRA length past the end.
        #expect(error([0x1f, 0x8b, 8, 4, 0, 0, 0, 0, 0, 3, 0xff, 0xff, 1, 2]) == .truncated)
    }

    @Test func trailerErrors() {
        var m = InflateVectors.gzipTool
        m[m.count - 8] ^= 0x10
        #expect(error(m) == .badChecksum)
        m = InflateVectors.gzipTool
        m[m.count - 4] ^= 1
        #expect(error(m) == .badLength)
    }

    @Test func everyTruncation() {
        for member in [InflateVectors.gzipTool, fullMember, InflateVectors.gzipTool + InflateVectors.gzipSecond] {
            // Cut at a member boundary, or one byte after (a lone 0x1f is not a member: decoding stops there).
            for n in 0..<member.count where n != InflateVectors.gzipTool.count && n != InflateVectors.gzipTool.count + 1 {
                #expect(error(Array(member[0..<n])) == .truncated, "length \(n)")
            }
        }
    }

    /// With FHCRC every header bit is covered; data bits by the CRC-32 or the decoder; only the
    /// unused bits of the last DEFLATE byte may flip harmlessly.
    @Test func everyBitFlip() {
        let m = fullMember
        var harmless = 0
        for bit in 0..<m.count * 8 {
            var v = m
            v[bit / 8] ^= 1 << UInt8(bit % 8)
            switch gunzip(v) {
            case .failure: break
            case .success(let out):
                #expect(out == hello, "bit \(bit)")
                harmless += 1
            }
        }
        #expect(harmless < 8)
    }

    @Test func seededRandomCorruption() {
        var rng = SplitMix64(state: 0x1f8b)
        let sources = [fullMember, InflateVectors.gzipTool + InflateVectors.gzipSecond]
        for i in 0..<2000 {
            var v = sources[i % 2]
            for _ in 0..<Int.random(in: 1...6, using: &rng) {
                v[Int.random(in: 0..<v.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
            }
            if Bool.random(using: &rng) { v = Array(v.prefix(Int.random(in: 0...v.count, using: &rng))) }
            _ = gunzip(v)
        }
    }
}
