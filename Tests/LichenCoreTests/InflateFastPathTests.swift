import Testing
@testable import LichenCore

/// A literal or a match, for encoders that choose them explicitly.
enum Token { case literal(UInt8), match(length: Int, distance: Int) }

/// Dynamic-Huffman blocks with code lengths chosen by the test (canonical codes, RFC 1951 3.2.2).
enum DynamicEncoder {
    static func canonicalCodes(_ lengths: [Int]) -> [Int] {
        var count = [Int](repeating: 0, count: 16)
        for l in lengths where l > 0 { count[l] += 1 }
        var next = [Int](repeating: 0, count: 16)
        var code = 0
        for len in 1...15 { code = (code + count[len - 1]) << 1; next[len] = code }
        return lengths.map { l in
            guard l > 0 else { return 0 }
            defer { next[l] += 1 }
            return next[l]
        }
    }

    static func symbol(length: Int) -> (Int, Int) {
        let li = DeflateEncoder.lengthBase.lastIndex { $0 <= length }!
        return (257 + li, length - DeflateEncoder.lengthBase[li])
    }

    static func symbol(distance: Int) -> (Int, Int) {
        let di = DeflateEncoder.distanceBase.lastIndex { $0 <= distance }!
        return (di, distance - DeflateEncoder.distanceBase[di])
    }

    /// One block. Code lengths are sent with a code-length code of 16 four-bit codes (no repeats).
    static func block(_ tokens: [Token], literalLengths: [Int], distanceLengths: [Int], final: Bool, _ w: inout BitWriter) {
        precondition(literalLengths.count == 286 && distanceLengths.count == 30)
        w.write(final ? 1 : 0, 1)
        w.write(2, 2)
        w.write(286 - 257, 5)
        w.write(30 - 1, 5)
        w.write(19 - 4, 4)
        let order = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]
        for s in order { w.write(s < 16 ? 4 : 0, 3) }
        for l in literalLengths + distanceLengths { w.code(l, 4) }  // symbols 0-15, four-bit codes: code = symbol
        let lit = canonicalCodes(literalLengths), dist = canonicalCodes(distanceLengths)
        for t in tokens {
            switch t {
            case .literal(let b):
                w.code(lit[Int(b)], literalLengths[Int(b)])
            case .match(let length, let distance):
                let (ls, lx) = symbol(length: length)
                w.code(lit[ls], literalLengths[ls])
                w.write(lx, DeflateEncoder.lengthExtra[ls - 257])
                let (ds, dx) = symbol(distance: distance)
                w.code(dist[ds], distanceLengths[ds])
                w.write(dx, DeflateEncoder.distanceExtra[ds])
            }
        }
        w.code(lit[256], literalLengths[256])
    }

    /// What `tokens` decode to, after `history`.
    static func expand(_ tokens: [Token], after history: [UInt8] = []) -> [UInt8] {
        var out = history
        for t in tokens {
            switch t {
            case .literal(let b): out.append(b)
            case .match(let length, let distance): for _ in 0..<length { out.append(out[out.count - distance]) }
            }
        }
        return Array(out[history.count...])
    }
}

/// A complete code over `symbols` chosen symbols: leaves split at random (a lengths multiset that
/// satisfies Kraft with equality), lengths capped at 15.
func randomCompleteLengths(symbols: Int, used: Int, maxLength: Int = 15, _ rng: inout SplitMix64) -> [Int] {
    var leaves = [1, 1]
    while leaves.count < used {
        let candidates = leaves.indices.filter { leaves[$0] < maxLength }
        guard !candidates.isEmpty else { break }
        // Prefer splitting deep leaves, so that long codes appear.
        let i = rng.next() % 3 == 0 ? candidates[Int(rng.next() % UInt64(candidates.count))] : candidates.max { leaves[$0] < leaves[$1] }!
        leaves[i] += 1
        leaves.append(leaves[i])
    }
    var lengths = [Int](repeating: 0, count: symbols)
    var free = Array(0..<symbols)
    for l in leaves {
        let k = Int(rng.next() % UInt64(free.count))
        lengths[free.remove(at: k)] = l
    }
    return lengths
}

@Suite struct InflateFastPathTests {
    /// Every index of a built table decodes to the right symbol, for random complete codes with
    /// codes longer than the root table (subtables) and without.
    @Test func tableBuildMatchesCanonicalCodes() throws {
        var rng = SplitMix64(state: 7)
        var entries = [UInt32](repeating: 0, count: HuffmanTable.capacity(rootBits: 10, symbols: 288))
        var scratch = [UInt16](repeating: 0, count: HuffmanTable.scratchCapacity(symbols: 288))
        let payload = (0..<288).map { UInt32($0) << 16 }
        for round in 0..<60 {
            let rootBits = [10, 8, 7, 5][round % 4]
            let lengths = randomCompleteLengths(symbols: 288, used: 2 + Int(rng.next() % 280), &rng)
            let codes = DynamicEncoder.canonicalCodes(lengths)
            try entries.withUnsafeMutableBufferPointer { e in
                try scratch.withUnsafeMutableBufferPointer { s in
                    let table = HuffmanTable(entries: e, rootBits: rootBits)
                    let l8 = lengths.map { UInt8($0) }
                    try l8.withUnsafeBufferPointer { l in
                        try payload.withUnsafeBufferPointer { p in
                            try Result { () throws(InflateError) in try table.build(l, payload: p, scratch: s, allowsSingleCode: false) }.get()
                        }
                    }
                    for (symbol, len) in lengths.enumerated() where len > 0 {
                        let bits = UInt64(HuffmanTable.reversed(codes[symbol], len)) | UInt64(rng.next() % 4096) << UInt64(len)
                        var entry = e[Int(bits) & (1 << rootBits - 1)]
                        if entry & HuffmanTable.linkFlag != 0 {
                            entry = e[Int(entry >> 16) + Int(bits >> UInt64(rootBits)) & (1 << Int(entry >> 8 & 0x1f) - 1)]
                        }
                        #expect(entry >> 16 == UInt32(symbol) && Int(entry & HuffmanTable.lengthMask) == len,
                                "round \(round): symbol \(symbol) length \(len)")
                    }
                }
            }
        }
    }

    @Test func incrementReversedIsReversedIncrement() {
        for len in 1...15 {
            for code in stride(from: 0, to: (1 << len) - 1, by: max(1, (1 << len) / 300)) {
                #expect(HuffmanTable.incrementReversed(HuffmanTable.reversed(code, len), len) == HuffmanTable.reversed(code + 1, len))
            }
        }
    }

    /// Dynamic blocks whose codes go up to 15 bits in both tables, with every length and distance
    /// symbol, decoded with various output rooms (so blocks resume at many points).
    @Test func longCodesEveryLengthAndDistance() throws {
        var rng = SplitMix64(state: 11)
        var w = BitWriter()
        var expected: [UInt8] = []
        for block in 0..<6 {
            // Literal/length: all 256 bytes, end-of-block and the 29 length symbols used.
            let lit = randomCompleteLengths(symbols: 286, used: 286, &rng)
            let dist = randomCompleteLengths(symbols: 30, used: 30, &rng)
            #expect(lit.max() == 15 || dist.max() == 15)
            var tokens: [Token] = []
            var produced = expected.count
            for _ in 0..<3000 {
                if rng.next() % 3 == 0 || produced < 3 {
                    tokens.append(.literal(UInt8(truncatingIfNeeded: rng.next())))
                    produced += 1
                } else {
                    let length = [3, 4, 10, 11, 18, 34, 66, 130, 257, 258][Int(rng.next() % 10)] - Int(rng.next() % 2)
                    let maxDistance = min(produced, 32768)
                    let distance = rng.next() % 4 == 0 ? min(maxDistance, 24577 + Int(rng.next() % 8192))
                        : 1 + Int(rng.next() % UInt64(min(maxDistance, 300)))
                    tokens.append(.match(length: max(3, length), distance: distance))
                    produced += max(3, length)
                }
            }
            DynamicEncoder.block(tokens, literalLengths: lit, distanceLengths: dist, final: block == 5, &w)
            expected += DynamicEncoder.expand(tokens, after: expected)
        }
        w.alignToByte()
        for room in [258, 300, 1000, 70_000] {
            #expect(try inflate(w.bytes, initialRoom: room).get() == expected)
        }
    }

    /// Every distance 1-40 (the short-period copies) and some far ones, with every length 3-258.
    @Test func everyShortDistanceAndLength() throws {
        var tokens: [Token] = (0..<64).map { .literal(UInt8($0 * 37 & 0xff)) }
        for distance in Array(1...40) + [63, 64, 65, 255, 256, 257] {
            for length in 3...258 { tokens.append(.match(length: length, distance: distance)) }
            tokens.append(.literal(UInt8(truncatingIfNeeded: distance)))
        }
        let lit = (0..<286).map { $0 < 226 ? 8 : 9 }  // 226 / 256 + 60 / 512 = 1
        let dist = (0..<30).map { $0 < 2 ? 4 : 5 }  // 2 / 16 + 28 / 32 = 1
        var w = BitWriter()
        DynamicEncoder.block(tokens, literalLengths: lit, distanceLengths: dist, final: true, &w)
        w.alignToByte()
        let expected = DynamicEncoder.expand(tokens)
        for room in [258, 259, 265, 266, 267, 400, 1 << 20] {
            #expect(try inflate(w.bytes, initialRoom: room).get() == expected, "room \(room)")
        }
    }

    /// Stored blocks between Huffman blocks, resumed at every kind of room, and a match reaching
    /// back across a stored block into the Huffman output before it.
    @Test func storedBlocksBetweenHuffmanBlocks() throws {
        var w = BitWriter()
        let first: [Token] = (0..<500).map { .literal(UInt8(truncatingIfNeeded: $0 * 7)) }
        let lit = (0..<286).map { $0 < 226 ? 8 : 9 }, dist = (0..<30).map { $0 < 2 ? 4 : 5 }
        DynamicEncoder.block(first, literalLengths: lit, distanceLengths: dist, final: false, &w)
        w.write(0, 1); w.write(0, 2); w.alignToByte()
        let stored = (0..<5000).map { UInt8(truncatingIfNeeded: $0 * 13 + 1) }
        var bytes = w.bytes + [0x88, 0x13, 0x77, 0xec] + stored  // LEN 5000
        var w2 = BitWriter()
        let last: [Token] = [.match(length: 258, distance: 5400), .match(length: 100, distance: 1), .literal(9)]
        DynamicEncoder.block(last, literalLengths: lit, distanceLengths: dist, final: true, &w2)
        w2.alignToByte()
        bytes += w2.bytes
        let head = DynamicEncoder.expand(first) + stored
        let expected = head + DynamicEncoder.expand(last, after: head)
        for room in [258, 1000, 4999, 5500, 1 << 16] {
            #expect(try inflate(bytes, initialRoom: room).get() == expected, "room \(room)")
        }
    }

    /// In place, a `grow` that gives up stops with `.outputTooLarge`; one that gives too little
    /// room too.
    @Test func growRefusals() {
        let data = Payload.compressible(50_000, seed: 5)
        let encoded = DeflateEncoder.fixed(data)
        for give in [0, 100, 257] {
            let r = encoded.withUnsafeBytes { i in
                withGrowingBuffer(1000, produced: { $0.produced }) { first, _ in
                    Result { () throws(InflateError) in
                        try Inflate.decompress(i, into: first) { written in
                            give == 0 ? nil : UnsafeMutableRawBufferPointer(start: first.baseAddress, count: min(first.count, written + give))
                        }
                    }
                }
            }
            if case .failure(let e) = r { #expect(e == .outputTooLarge) } else { #expect(Bool(false)) }
        }
    }
}
