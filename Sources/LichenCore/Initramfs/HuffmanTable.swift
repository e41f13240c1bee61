// Table-driven decoding of canonical Huffman codes (RFC 1951 3.2.2). A root table indexed by the
// next `rootBits` input bits resolves short codes in one lookup; a longer code's root entry links
// to a subtable indexed by the following bits. DEFLATE sends codes most-significant bit first
// into a least-significant-bit-first stream, so table indices are bit-reversed codes.
//
// Entry: a symbol in bits 0-15 and its full code length in bits 16-23; or, with bit 31 set, a
// subtable's offset (bits 0-15) and index width (bits 16-23). 0 marks an unassigned code.

struct HuffmanTable {
    static let linkFlag: UInt32 = 1 << 31
    static let maximumCodeLength = 15

    /// Room for the worst case: every root slot, plus one subtable of the widest kind per symbol.
    static func capacity(rootBits: Int, symbols: Int) -> Int {
        (1 << rootBits) + symbols << (maximumCodeLength - rootBits)
    }

    let entries: UnsafeMutableBufferPointer<UInt32>
    let rootBits: Int

    /// Builds the table for the code lengths `lengths` (one per symbol, 0 = unused). Incomplete
    /// codes are refused except, where `allowsSingleCode`, a lone code of length 1 (RFC 1951
    /// 3.2.7 for distances; zlib allows it for literals too); no codes at all is allowed (every
    /// lookup then fails).
    func build(_ lengths: UnsafeMutableBufferPointer<UInt8>, allowsSingleCode: Bool) throws(InflateError) {
        var count = [Int](repeating: 0, count: Self.maximumCodeLength + 1)
        for l in lengths { count[Int(l)] += 1 }
        count[0] = 0
        var left = 1
        var longest = 0
        for len in 1...Self.maximumCodeLength {
            left = left << 1 - count[len]
            guard left >= 0 else { throw .badCodeLengths }  // over-subscribed
            if count[len] > 0 { longest = len }
        }
        guard left == 0 || longest == 0 || (allowsSingleCode && longest == 1) else { throw .badCodeLengths }

        // Canonical first codes per length.
        var next = [Int](repeating: 0, count: Self.maximumCodeLength + 1)
        var code = 0
        for len in 1...Self.maximumCodeLength {
            code = (code + count[len - 1]) << 1
            next[len] = code
        }
        // Pass 1: the width of each subtable (the longest code under that root prefix).
        let rootSize = 1 << rootBits, rootMask = rootSize - 1
        var subBits = [UInt8](repeating: 0, count: rootSize)
        var codes = next
        for l in lengths where Int(l) > rootBits {
            let len = Int(l)
            let r = Self.reversed(codes[len], len)
            codes[len] += 1
            subBits[r & rootMask] = max(subBits[r & rootMask], UInt8(len - rootBits))
        }
        var total = rootSize
        for p in 0..<rootSize { total += subBits[p] > 0 ? 1 << Int(subBits[p]) : 0 }
        guard total <= entries.count else { throw .badCodeLengths }  // cannot happen: capacity() bounds it
        for i in 0..<total { entries[i] = 0 }
        var offset = rootSize
        for p in 0..<rootSize where subBits[p] > 0 {
            entries[p] = Self.linkFlag | UInt32(subBits[p]) << 16 | UInt32(offset)
            offset += 1 << Int(subBits[p])
        }
        // Pass 2: replicate each code's entry over every index whose low bits are the code.
        codes = next
        for symbol in 0..<lengths.count where lengths[symbol] > 0 {
            let len = Int(lengths[symbol])
            let r = Self.reversed(codes[len], len)
            codes[len] += 1
            let leaf = UInt32(len) << 16 | UInt32(symbol)
            if len <= rootBits {
                var i = r
                while i < rootSize { entries[i] = leaf; i += 1 << len }
            } else {
                let link = entries[r & rootMask]
                let base = Int(link & 0xffff), width = Int(link >> 16 & 0xff)
                var i = r >> rootBits
                while i < 1 << width { entries[base + i] = leaf; i += 1 << (len - rootBits) }
            }
        }
    }

    static func reversed(_ code: Int, _ length: Int) -> Int {
        var c = code, r = 0
        for _ in 0..<length { r = r << 1 | c & 1; c >>= 1 }
        return r
    }
}
