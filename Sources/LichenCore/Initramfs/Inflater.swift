// The DEFLATE decoder's state: the input bit reader, the Huffman tables and the output window.
// The block decoders are in InflaterBlocks.swift.

struct Inflater {
    static let history = 32768
    /// Flushing when the fill reaches 64 KiB leaves room for one more match (at most 258 bytes).
    static let flushThreshold = 2 * history
    static let windowCapacity = flushThreshold + 258
    static let literalRootBits = 10, distanceRootBits = 8, codeLengthRootBits = 7
    static let literalCapacity = HuffmanTable.capacity(rootBits: literalRootBits, symbols: 288)
    static let distanceCapacity = HuffmanTable.capacity(rootBits: distanceRootBits, symbols: 32)
    static let codeLengthCapacity = 1 << codeLengthRootBits  // code-length codes are at most 7 bits
    static let tablesCapacity = literalCapacity + distanceCapacity + codeLengthCapacity

    static let lengthBase: [UInt16] = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59,
                                       67, 83, 99, 115, 131, 163, 195, 227, 258]
    static let lengthExtra: [UInt8] = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0]
    static let distanceBase: [UInt16] = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769,
                                         1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577]
    static let distanceExtra: [UInt8] = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10,
                                         11, 11, 12, 12, 13, 13]
    static let codeLengthOrder: [Int] = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15]

    let input: UnsafeRawBufferPointer
    let window: UnsafeMutableBufferPointer<UInt8>
    let literals: HuffmanTable, distances: HuffmanTable, codeLengths: HuffmanTable
    let lengths: UnsafeMutableBufferPointer<UInt8>

    /// Bit reader: `bits` holds `bitCount` unread bits, low bit first. Past the end of the input it
    /// reads zeros; `checkOverrun` then notices that more bits were used than the input has.
    var bits: UInt64 = 0
    var bitCount = 0
    var position = 0
    /// window[0..<written] is filled; window[flushed..<written] not yet passed to the caller.
    var written = 0
    var flushed = 0

    init(input: UnsafeRawBufferPointer, window: UnsafeMutableBufferPointer<UInt8>,
         tables: UnsafeMutableBufferPointer<UInt32>, lengths: UnsafeMutableBufferPointer<UInt8>) {
        self.input = input
        self.window = window
        let l = Self.literalCapacity, d = Self.distanceCapacity
        func region(_ r: Range<Int>) -> UnsafeMutableBufferPointer<UInt32> { UnsafeMutableBufferPointer(rebasing: tables[r]) }
        literals = HuffmanTable(entries: region(0..<l), rootBits: Self.literalRootBits)
        distances = HuffmanTable(entries: region(l..<l + d), rootBits: Self.distanceRootBits)
        codeLengths = HuffmanTable(entries: region(l + d..<tables.count), rootBits: Self.codeLengthRootBits)
        self.lengths = lengths
    }

    mutating func run(_ output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) -> Int {
        var final = false
        while !final {
            refill()
            final = take(1) == 1
            switch take(2) {
            case 0: try storedBlock(output)
            case 1: try fixedCodes(); try huffmanBlock(output)
            case 2: try dynamicCodes(); try huffmanBlock(output)
            default: try checkOverrun(); throw .badBlockType
            }
        }
        flush(output)
        return (position * 8 - bitCount + 7) / 8
    }

    // MARK: Bits

    @inline(__always) mutating func refill() {
        if position + 8 <= input.count {
            bits |= UInt64(littleEndian: input.loadUnaligned(fromByteOffset: position, as: UInt64.self)) << bitCount
            position += (63 - bitCount) >> 3
            bitCount |= 56
        } else {
            while bitCount <= 56 {
                let byte = position < input.count ? input[position] : 0
                bits |= UInt64(byte) << bitCount
                bitCount += 8
                position += 1
            }
        }
    }

    /// The next `n` (<= bitCount) bits.
    @inline(__always) mutating func take(_ n: Int) -> Int {
        let v = Int(truncatingIfNeeded: bits & ((1 << UInt64(n)) - 1))
        bits >>= UInt64(n)
        bitCount -= n
        return v
    }

    @inline(__always) func checkOverrun() throws(InflateError) {
        if position > input.count && (position - input.count) * 8 > bitCount { throw .truncated }
    }

    /// Decodes one symbol; needs at least 15 bits in the buffer.
    @inline(__always) mutating func decode(_ table: HuffmanTable) throws(InflateError) -> Int {
        var e = table.entries[Int(truncatingIfNeeded: bits) & ((1 << table.rootBits) - 1)]
        if e & HuffmanTable.linkFlag != 0 {
            let width = Int(e >> 16 & 0xff)
            let index = Int(truncatingIfNeeded: bits >> UInt64(table.rootBits)) & ((1 << width) - 1)
            e = table.entries[Int(e & 0xffff) + index]
        }
        let length = Int(e >> 16)
        guard length != 0 else { try checkOverrun(); throw .badSymbol }
        bits >>= UInt64(length)
        bitCount -= length
        return Int(e & 0xffff)
    }

    // MARK: Output

    mutating func flush(_ output: (UnsafeRawBufferPointer) -> Void) {
        if written > flushed {
            output(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: window[flushed..<written])))
        }
        flushed = written
    }

    /// Hands out pending output and keeps only the last 32 KiB as history.
    mutating func makeRoom(_ output: (UnsafeRawBufferPointer) -> Void) {
        flush(output)
        let base = window.baseAddress!
        (base).update(from: base + (written - Self.history), count: Self.history)
        written = Self.history
        flushed = written
    }
}
