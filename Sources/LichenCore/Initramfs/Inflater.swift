// The DEFLATE decoder's state: the input bit reader, the Huffman tables and the output buffer.
// The block decoders are in InflaterBlocks.swift.
//
// The inflater writes into one contiguous buffer (`out[0..<capacity]`) and stops, resumably, when
// fewer than `minimumRoom` bytes are left; its owner then makes room (hands the output on and
// keeps the last 32 KiB, or grows the buffer) and calls `resume` again. Inside a Huffman block, a
// fast loop runs while the input has 16 bytes left and the output `fastRoom` bytes: it reads the
// input 8 bytes at a time without bounds checks and copies matches 8 bytes at a time (it may write
// up to 7 bytes past a match, inside that room); a careful loop does the rest.

struct Inflater {
    static let history = 32768
    /// Room for the longest match: with less, `resume` returns to have room made.
    static let minimumRoom = 258
    /// Room the fast loop needs: the longest match plus what an 8-byte copy may write past it.
    static let fastRoom = 258 + 8
    static let literalRootBits = 10, distanceRootBits = 8, codeLengthRootBits = 7
    static let literalCapacity = HuffmanTable.capacity(rootBits: literalRootBits, symbols: 288)
    static let distanceCapacity = HuffmanTable.capacity(rootBits: distanceRootBits, symbols: 32)
    static let codeLengthCapacity = 1 << codeLengthRootBits  // code-length codes are at most 7 bits
    static let tablesCapacity = literalCapacity + distanceCapacity + codeLengthCapacity
    static let scratchCapacity = HuffmanTable.scratchCapacity(symbols: 320)

    /// Entry payloads (see HuffmanTable): literal/length symbols 0-287, distance symbols 0-31,
    /// code-length symbols 0-18.
    static let literalPayload: [UInt32] = (0..<288).map { s in
        let lengthBase: [UInt32] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                    67, 83, 99, 115, 131, 163, 195, 227, 258]
        let lengthExtra: [UInt32] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
        if s < 256 { return HuffmanTable.literalFlag | UInt32(s) << 16 }
        if s == 256 { return HuffmanTable.endOfBlockFlag }
        if s > 285 { return HuffmanTable.invalidFlag }
        return lengthBase[s - 257] << 16 | lengthExtra[s - 257] << 8
    }
    static let distancePayload: [UInt32] = (0..<32).map { s in
        let distanceBase: [UInt32] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                      1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
        if s > 29 { return HuffmanTable.invalidFlag }
        let extra = s < 4 ? 0 : UInt32(s / 2 - 1)
        return distanceBase[s] << 16 | extra << 8
    }
    static let codeLengthPayload: [UInt32] = (0..<19).map { UInt32($0) << 16 }
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    enum Phase: Equatable {
        case blockHeader
        case stored(remaining: Int)
        case huffman
        case done
    }

    let input: UnsafeRawBufferPointer
    let literals: HuffmanTable, distances: HuffmanTable, codeLengths: HuffmanTable
    let lengths: UnsafeMutableBufferPointer<UInt8>
    let scratch: UnsafeMutableBufferPointer<UInt16>

    /// Bit reader: `bits` holds `bitCount` unread bits, low bit first. Past the end of the input it
    /// reads zeros; `checkOverrun` then notices that more bits were used than the input has.
    var bits: UInt64 = 0
    var bitCount = 0
    var position = 0

    /// The output: out[0..<written] is filled (the last 32 KiB of it, at least, is the history
    /// matches copy from); the owner may move or grow the buffer between calls to `resume`.
    var out: UnsafeMutablePointer<UInt8>
    var capacity: Int
    var written = 0

    var phase = Phase.blockHeader
    var lastBlock = false

    init(input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer, tables: UnsafeMutableBufferPointer<UInt32>,
         lengths: UnsafeMutableBufferPointer<UInt8>, scratch: UnsafeMutableBufferPointer<UInt16>) {
        self.input = input
        out = output.baseAddress!.assumingMemoryBound(to: UInt8.self)
        capacity = output.count
        let l = Self.literalCapacity, d = Self.distanceCapacity
        func region(_ r: Range<Int>) -> UnsafeMutableBufferPointer<UInt32> { UnsafeMutableBufferPointer(rebasing: tables[r]) }
        literals = HuffmanTable(entries: region(0..<l), rootBits: Self.literalRootBits)
        distances = HuffmanTable(entries: region(l..<l + d), rootBits: Self.distanceRootBits)
        codeLengths = HuffmanTable(entries: region(l + d..<tables.count), rootBits: Self.codeLengthRootBits)
        self.lengths = lengths
        self.scratch = scratch
    }

    /// How many input bytes the stream took (its last byte is partially used at most); once done.
    var consumed: Int { (position * 8 - bitCount + 7) / 8 }

    /// Decodes until the end of the stream (true) or until fewer than `minimumRoom` bytes of output
    /// room are left (false: make room and call again).
    mutating func resume() throws(InflateError) -> Bool {
        while true {
            switch phase {
            case .done:
                return true
            case .blockHeader:
                if lastBlock { phase = .done; return true }
                refill()
                lastBlock = take(1) == 1
                switch take(2) {
                case 0: phase = .stored(remaining: try storedHeader())
                case 1: try fixedCodes(); phase = .huffman
                case 2: try dynamicCodes(); phase = .huffman
                default: try checkOverrun(); throw .badBlockType
                }
            case .stored(let remaining):
                let n = min(remaining, capacity - written)
                if remaining > 0 && n == 0 { return false }
                copyStored(n)
                phase = remaining == n ? .blockHeader : .stored(remaining: remaining - n)
            case .huffman:
                guard try huffmanBlock() else { return false }
                phase = .blockHeader
            }
        }
    }

    // MARK: Bits

    @inline(__always) mutating func refill() {
        if position + 8 <= input.count {
            bits |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: position, as: UInt64.self)) &<< UInt64(bitCount)
            position += (63 - bitCount) &>> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 {
                let byte = position < input.count ? input[position] : 0
                bits |= UInt64(byte) &<< UInt64(bitCount)
                bitCount += 8
                position += 1
            }
        }
    }

    /// The next `n` (<= bitCount) bits.
    @inline(__always) mutating func take(_ n: Int) -> Int {
        let v = Int(truncatingIfNeeded: bits & ((1 &<< UInt64(n)) &- 1))
        bits &>>= UInt64(n)
        bitCount -= n
        return v
    }

    @inline(__always) func checkOverrun() throws(InflateError) {
        if position > input.count && (position - input.count) * 8 > bitCount { throw .truncated }
    }

    /// Looks up the entry for the next code (needs at least 15 bits in the buffer), consuming nothing.
    @inline(__always) func lookup(_ table: HuffmanTable) -> UInt32 {
        let t = table.entries.baseAddress!
        var e = t[Int(truncatingIfNeeded: bits) & ((1 << table.rootBits) - 1)]
        if e & HuffmanTable.linkFlag != 0 {
            let index = Int(truncatingIfNeeded: bits &>> UInt64(table.rootBits)) & ((1 &<< Int(e >> 8 & 0x1f)) - 1)
            e = t[Int(e >> 16) + index]
        }
        return e
    }

    /// Decodes one code-length symbol (needs at least 7 bits in the buffer).
    @inline(__always) mutating func decodeCodeLength() throws(InflateError) -> Int {
        let e = lookup(codeLengths)
        guard e & HuffmanTable.invalidFlag == 0 else { try checkOverrun(); throw .badSymbol }
        _ = take(Int(e & HuffmanTable.lengthMask))
        return Int(e >> 16)
    }

    // MARK: Output

    /// Copies a match of `length` bytes from `distance` back (1 <= distance <= at), 8 bytes at a time:
    /// the one place matches touch raw memory. It may write up to 7 bytes past the match, which
    /// the caller has room for (`fastRoom`).
    @inline(__always) static func copyMatch(_ out: UnsafeMutablePointer<UInt8>, at start: Int, distance: Int, length: Int) {
        let raw = UnsafeMutableRawPointer(out)
        let end = start &+ length
        var d = start
        if distance >= 8 {
            // Each word read is already written: it ends at or before `d`.
            repeat {
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: d &- distance, as: UInt64.self), toByteOffset: d, as: UInt64.self)
                d &+= 8
            } while d < end
        } else {
            // A period under 8: the first 8 bytes one by one, then words copied from a whole number
            // of periods (8 to 14 bytes) back, which are written by then.
            for k in 0..<8 { out[d + k] = out[d + k - distance] }
            d &+= 8
            let period = distance * ((8 + distance - 1) / distance)
            while d < end {
                raw.storeBytes(of: raw.loadUnaligned(fromByteOffset: d &- period, as: UInt64.self), toByteOffset: d, as: UInt64.self)
                d &+= 8
            }
        }
    }

    /// Copies `n` bytes of a stored block from the input to the output.
    mutating func copyStored(_ n: Int) {
        guard n > 0 else { return }
        UnsafeMutableRawPointer(out + written).copyMemory(from: input.baseAddress! + position, byteCount: n)
        written += n
        position += n
    }
}
