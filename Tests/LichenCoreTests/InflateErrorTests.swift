import Testing
@testable import LichenCore

@Suite struct InflateErrorTests {
    func error(_ input: [UInt8]) -> InflateError? {
        if case .failure(let e) = inflate(input) { return e }
        return nil
    }

    /// A stream from explicit bits (each pair: value, width), padded to a byte.
    func bits(_ fields: [(Int, Int)]) -> [UInt8] {
        var w = BitWriter()
        for (v, n) in fields { w.write(v, n) }
        w.alignToByte()
        return w.bytes
    }

    @Test func blockType() {
        #expect(error(bits([(1, 1), (3, 2)])) == .badBlockType)
    }

    @Test func storedLength() {
        #expect(error([1, 5, 0, 0xfa, 0xfe, 1, 2, 3, 4, 5]) == .badStoredLength)  // NLEN off by 0x100
        #expect(error([1, 5, 0, 0xfa, 0xff, 1, 2, 3, 4]) == .truncated)
        #expect(error([1, 5, 0, 0xfa]) == .truncated)
    }

    @Test func fixedBlockErrors() {
        // Literal/length symbol 286 (fixed code 0xc6, 8 bits): never valid.
        var w = BitWriter()
        w.write(1, 1); w.write(1, 2)
        DeflateEncoder.literal(286, &w)
        w.alignToByte()
        #expect(error(w.bytes) == .badSymbol)
        // Distance symbol 30.
        w = BitWriter()
        w.write(1, 1); w.write(1, 2)
        DeflateEncoder.literal(0x41, &w)
        DeflateEncoder.literal(257, &w)
        w.code(30, 5)
        DeflateEncoder.literal(256, &w)
        w.alignToByte()
        #expect(error(w.bytes) == .badSymbol)
        // Distance 2 after one byte of output.
        w = BitWriter()
        w.write(1, 1); w.write(1, 2)
        DeflateEncoder.literal(0x41, &w)
        DeflateEncoder.literal(257, &w)
        w.code(1, 5)
        DeflateEncoder.literal(256, &w)
        w.alignToByte()
        #expect(error(w.bytes) == .distanceTooFar)
        // Any distance with no output at all.
        w = BitWriter()
        w.write(1, 1); w.write(1, 2)
        DeflateEncoder.literal(257, &w)
        w.code(0, 5)
        DeflateEncoder.literal(256, &w)
        w.alignToByte()
        #expect(error(w.bytes) == .distanceTooFar)
    }

    /// Dynamic header: HLIT, HDIST, HCLEN, then 3-bit code-length code lengths in the RFC's order.
    func dynamicHeader(literals: Int = 257, distances: Int = 1, codeLengthLengths: [Int]) -> [(Int, Int)] {
        [(1, 1), (2, 2), (literals - 257, 5), (distances - 1, 5), (codeLengthLengths.count - 4, 4)]
            + codeLengthLengths.map { ($0, 3) }
    }

    @Test func dynamicHeaderErrors() {
        #expect(error(bits(dynamicHeader(literals: 287, codeLengthLengths: [2, 2, 2, 2]))) == .badCodeLengths)
        #expect(error(bits(dynamicHeader(distances: 31, codeLengthLengths: [2, 2, 2, 2]))) == .badCodeLengths)
        // Code-length code over-subscribed (three codes of length 1) and incomplete (one code of length 2).
        #expect(error(bits(dynamicHeader(codeLengthLengths: [1, 1, 1, 0]))) == .badCodeLengths)
        #expect(error(bits(dynamicHeader(codeLengthLengths: [0, 0, 0, 2]))) == .badCodeLengths)
        // Symbols 16 (code 0), 17 (code 1): code lengths 1 and 1 for symbols 16 and 17 (order 16, 17, 18, 0).
        // "Repeat previous" as the very first length has nothing to repeat.
        #expect(error(bits(dynamicHeader(codeLengthLengths: [1, 1, 0, 0]) + [(0, 1), (0, 2)])) == .badCodeLengths)
        // 17 (3 + 7 = 10 zeros) repeated past HLIT + HDIST = 258 lengths.
        let zeros = [(Int, Int)](repeating: (1, 1), count: 26).flatMap { [$0, (7, 3)] }
        #expect(error(bits(dynamicHeader(codeLengthLengths: [1, 1, 0, 0]) + zeros)) == .badCodeLengths)
        // All 258 lengths zero, so no end-of-block code: 17 (code 0) and 18 (code 1) have length 1.
        let exactZeros = [(1, 1), (127, 7), (1, 1), (106, 7), (0, 1), (0, 3)]  // 138 + 117 + 3 = 258
        #expect(error(bits(dynamicHeader(codeLengthLengths: [0, 1, 1, 0]) + exactZeros)) == .missingEndOfBlock)
    }

    @Test func everyTruncationOfEveryVector() {
        for vector in [InflateVectors.stored, InflateVectors.fixed, InflateVectors.dynamic, InflateVectors.far,
                       InflateVectors.multiblock, InflateVectors.empty] {
            for n in 0..<vector.count {
                #expect(error(Array(vector[0..<n])) == .truncated, "length \(n) of \(vector.count)")
            }
        }
    }

    /// Every single-bit flip either fails or (in the unused bits after the last block) changes nothing.
    @Test func everyBitFlip() throws {
        for vector in [InflateVectors.stored, InflateVectors.fixed, InflateVectors.dynamic, InflateVectors.multiblock] {
            let original = try inflate(vector).get()
            var changed = 0
            for bit in 0..<vector.count * 8 {
                var v = vector
                v[bit / 8] ^= 1 << UInt8(bit % 8)
                switch inflate(v) {
                case .failure: break
                case .success(let out): if out != original { changed += 1 }
                }
            }
            // Raw DEFLATE has no checksum: flips in literals decode to other data (gzip's CRC catches those).
            #expect(changed < vector.count * 8)
        }
    }

    @Test func seededRandomGarbageAndCorruption() {
        var rng = SplitMix64(state: 0xdef1a7e)
        let sources = [InflateVectors.fixed, InflateVectors.dynamic, InflateVectors.multiblock, InflateVectors.far]
        for i in 0..<3000 {
            var v: [UInt8]
            if i % 4 == 0 {
                v = (0..<Int.random(in: 0..<400, using: &rng)).map { _ in UInt8.random(in: 0...255, using: &rng) }
            } else {
                v = sources[i % sources.count]
                for _ in 0..<Int.random(in: 1...8, using: &rng) {
                    v[Int.random(in: 0..<v.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            if case .success(let out) = inflate(v) { #expect(out.count <= 258 * 8 * v.count) }
        }
    }
}
