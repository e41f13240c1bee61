// Table-driven decoding of canonical Huffman codes (RFC 1951 3.2.2). A root table indexed by the
// next `rootBits` input bits resolves short codes in one lookup; a longer code's root entry links
// to a subtable indexed by the following bits. DEFLATE sends codes most-significant bit first
// into a least-significant-bit-first stream, so table indices are bit-reversed codes.
//
// An entry is what the decoder needs without further lookups (UInt32):
//   bits 0-4    the code's full length (bits to drop for the code itself)
//   bits 8-12   extra bits that follow (lengths, distances); for a link, the subtable's index width
//   bit 13      link: bits 16-31 are the subtable's offset in `entries`
//   bit 14      literal: bits 16-23 are the byte
//   bit 15      end of block
//   bit 7       invalid: an unassigned code, or a symbol DEFLATE never allows (286-287, 30-31)
//   bits 16-31  the value: literal byte, length or distance base, or the symbol (code lengths)
// The per-symbol part (everything but the length) comes from a `payload` table.

struct HuffmanTable {
    static let lengthMask: UInt32 = 0x1f
    static let invalidFlag: UInt32 = 1 << 7
    static let linkFlag: UInt32 = 1 << 13
    static let literalFlag: UInt32 = 1 << 14
    static let endOfBlockFlag: UInt32 = 1 << 15
    static let maximumCodeLength = 15
    /// Scratch a build needs: a count and an offset per length, and the symbols sorted (UInt16s).
    static func scratchCapacity(symbols: Int) -> Int { 2 * (maximumCodeLength + 1) + symbols }

    /// Room for the worst case: every root slot, plus one subtable of the widest kind per symbol.
    static func capacity(rootBits: Int, symbols: Int) -> Int {
        (1 << rootBits) + symbols << (maximumCodeLength - rootBits)
    }

    let entries: UnsafeMutableBufferPointer<UInt32>
    let rootBits: Int

    /// Builds the table for the code lengths `lengths` (one per symbol, 0 = unused; each at most 15),
    /// symbol s getting `payload[s]`. Incomplete codes are refused except, where `allowsSingleCode`,
    /// a lone code of length 1 (RFC 1951 3.2.7 for distances; zlib allows it for literals too); no
    /// codes at all is allowed (every lookup then finds an invalid entry).
    func build(_ lengths: UnsafeBufferPointer<UInt8>, payload: UnsafeBufferPointer<UInt32>,
               scratch: UnsafeMutableBufferPointer<UInt16>, allowsSingleCode: Bool) throws(InflateError) {
        let maxLength = Self.maximumCodeLength
        let n = lengths.count
        guard n <= payload.count, scratch.count >= Self.scratchCapacity(symbols: n) else { throw .badCodeLengths }
        let count = UnsafeMutableBufferPointer(rebasing: scratch[0...maxLength])
        let offset = UnsafeMutableBufferPointer(rebasing: scratch[maxLength + 1...2 * maxLength + 1])
        let sorted = UnsafeMutableBufferPointer(rebasing: scratch[2 * maxLength + 2..<2 * maxLength + 2 + n])
        for len in 0...maxLength { count[len] = 0 }
        for l in lengths { count[Int(l & 0xf)] += 1 }  // the callers only give lengths 0-15
        count[0] = 0
        var left = 1
        var longest = 0
        for len in 1...maxLength {
            left = left << 1 - Int(count[len])
            guard left >= 0 else { throw .badCodeLengths }  // over-subscribed
            if count[len] > 0 { longest = len }
        }
        guard left == 0 || longest == 0 || (allowsSingleCode && longest == 1) else { throw .badCodeLengths }

        // The used symbols in canonical order: by length, then by symbol.
        offset[1] = 0
        for len in 1..<maxLength { offset[len + 1] = offset[len] + count[len] }
        for symbol in 0..<n where lengths[symbol] != 0 {
            let len = Int(lengths[symbol] & 0xf)
            sorted[Int(offset[len])] = UInt16(symbol)
            offset[len] += 1
        }

        let rootSize = 1 << rootBits, rootMask = rootSize - 1
        let table = entries
        if left != 0 {  // incomplete (no codes, or one): the holes must decode as invalid
            for i in 0..<rootSize { table[i] = Self.invalidFlag }
        }
        // Walk the codes in canonical order; `code` is the current code bit-reversed, which is the
        // table index (a longer code of the next length appends a 0 on the right of the code, a
        // bit above the reversed value, so only the increment needs care).
        var code = 0
        var i = 0
        var len = 1
        while len <= min(rootBits, longest) {
            var k = Int(count[len])
            while k > 0 {
                let entry = payload[Int(sorted[i])] | UInt32(len)
                var j = code
                while j < rootSize { table[j] = entry; j += 1 << len }
                code = Self.incrementReversed(code, len)
                i += 1
                k -= 1
            }
            len += 1
        }
        // Longer codes: one subtable per root prefix, as wide as the codes under that prefix need.
        var next = rootSize
        var prefix = -1, subBase = 0, subSize = 0
        while len <= longest {
            while count[len] > 0 {
                let p = code & rootMask
                if p != prefix {
                    // The codes from here on fill this prefix's space in order: widen until the
                    // remaining codes up to that length cover it.
                    var width = len - rootBits
                    var room = 1 << width
                    while width + rootBits < longest {
                        room -= Int(count[width + rootBits])
                        if room <= 0 { break }
                        width += 1
                        room <<= 1
                    }
                    guard next + 1 << width <= table.count else { throw .badCodeLengths }  // capacity() bounds it
                    table[p] = Self.linkFlag | UInt32(next) << 16 | UInt32(width) << 8
                    prefix = p
                    subBase = next
                    subSize = 1 << width
                    next += subSize
                }
                let entry = payload[Int(sorted[i])] | UInt32(len)
                var j = code >> rootBits
                while j < subSize { table[subBase + j] = entry; j += 1 << (len - rootBits) }
                code = Self.incrementReversed(code, len)
                i += 1
                count[len] -= 1
            }
            len += 1
        }
    }

    /// The next `length`-bit code, both bit-reversed: clear the run of ones from the top, set the
    /// zero under it (past the last code of a complete code, 0).
    @inline(__always) static func incrementReversed(_ code: Int, _ length: Int) -> Int {
        var bit = 1 << (length - 1)
        while code & bit != 0 { bit >>= 1 }
        return bit == 0 ? 0 : (code & (bit - 1)) | bit
    }

    static func reversed(_ code: Int, _ length: Int) -> Int {
        var c = code, r = 0
        for _ in 0..<length { r = r << 1 | c & 1; c >>= 1 }
        return r
    }
}
