// DEFLATE blocks (RFC 1951 3.2.3-3.2.7): stored, fixed Huffman and dynamic Huffman.

extension Inflater {
    /// A stored block's header: drops to the byte boundary, reads LEN and NLEN; returns LEN once
    /// the block's bytes are known to be in the input.
    mutating func storedHeader() throws(InflateError) -> Int {
        _ = take(bitCount & 7)
        position -= bitCount >> 3
        bits = 0
        bitCount = 0
        guard position <= input.count, input.count - position >= 4 else { throw .truncated }
        let len = Int(input[position]) | Int(input[position + 1]) << 8
        let nlen = Int(input[position + 2]) | Int(input[position + 3]) << 8
        guard len == nlen ^ 0xffff else { throw .badStoredLength }
        position += 4
        guard input.count - position >= len else { throw .truncated }
        return len
    }

    mutating func fixedCodes() throws(InflateError) {
        for i in 0..<288 { lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8 }
        try build(literals, 0..<288, Self.literalPayload, allowsSingleCode: false)
        for i in 0..<32 { lengths[i] = 5 }  // 30 and 31 complete the code but are invalid symbols
        try build(distances, 0..<32, Self.distancePayload, allowsSingleCode: false)
    }

    func build(_ table: HuffmanTable, _ range: Range<Int>, _ payload: [UInt32], allowsSingleCode: Bool) throws(InflateError) {
        let l = UnsafeBufferPointer(rebasing: lengths[range])
        let result = payload.withUnsafeBufferPointer { p in
            Result { () throws(InflateError) in try table.build(l, payload: p, scratch: scratch, allowsSingleCode: allowsSingleCode) }
        }
        try result.get()
    }

    /// A dynamic block's header: code-length code, then the literal/length and distance code lengths.
    mutating func dynamicCodes() throws(InflateError) {
        refill()
        let literalCount = take(5) + 257, distanceCount = take(5) + 1, codeLengthCount = take(4) + 4
        guard literalCount <= 286, distanceCount <= 30 else { try checkOverrun(); throw .badCodeLengths }
        for i in 0..<19 { lengths[i] = 0 }
        refill()  // 19 * 3 = 57 bits: two refills
        for i in 0..<codeLengthCount {
            if i == 10 { refill() }
            lengths[Self.codeLengthOrder[i]] = UInt8(take(3))
        }
        try checkOverrun()
        try build(codeLengths, 0..<19, Self.codeLengthPayload, allowsSingleCode: false)

        let total = literalCount + distanceCount
        var i = 0
        while i < total {
            refill()
            let symbol = try decodeCodeLength()
            if symbol < 16 {
                lengths[i] = UInt8(symbol)
                i += 1
                continue
            }
            var value: UInt8 = 0, repeatCount: Int
            switch symbol {
            case 16:
                guard i > 0 else { try checkOverrun(); throw .badCodeLengths }
                value = lengths[i - 1]
                repeatCount = 3 + take(2)
            case 17: repeatCount = 3 + take(3)
            default: repeatCount = 11 + take(7)
            }
            guard repeatCount <= total - i else { try checkOverrun(); throw .badCodeLengths }
            for _ in 0..<repeatCount { lengths[i] = value; i += 1 }
        }
        try checkOverrun()
        guard lengths[256] != 0 else { throw .missingEndOfBlock }
        try build(literals, 0..<literalCount, Self.literalPayload, allowsSingleCode: true)
        // Moved down so that the distance lengths start at index 0 of their table's input.
        for j in 0..<distanceCount { lengths[j] = lengths[literalCount + j] }
        try build(distances, 0..<distanceCount, Self.distancePayload, allowsSingleCode: true)
    }

    /// Literals and matches until end-of-block (true), or until the output room is under
    /// `minimumRoom` (false; the block resumes at the next symbol).
    mutating func huffmanBlock() throws(InflateError) -> Bool {
        if try fastSymbols() { return true }
        return try carefulSymbols()
    }

    /// The fast loop: while at least 16 input bytes are left (a refill reads 8 bytes, unchecked) and
    /// `fastRoom` bytes of output room. After one refill the buffer has at least 56 bits: enough for
    /// the longest length code + extra bits + distance code + extra bits (48). Returns true at the
    /// end of the block, false when it gets near either end (the careful loop goes on from there).
    /// The state lives in locals here, written back on the way out.
    mutating func fastSymbols() throws(InflateError) -> Bool {
        let inputEnd = input.count - 16, outputEnd = capacity - Self.fastRoom
        guard position <= inputEnd, written <= outputEnd else { return false }
        let source = input.baseAddress!
        let out = self.out
        let literalTable = literals.entries.baseAddress!, distanceTable = distances.entries.baseAddress!
        let literalMask = UInt64(1 << Self.literalRootBits - 1), distanceMask = UInt64(1 << Self.distanceRootBits - 1)
        var bits = self.bits, bitCount = UInt64(self.bitCount), position = self.position, written = self.written
        defer {
            self.bits = bits
            self.bitCount = Int(bitCount)
            self.position = position
            self.written = written
        }
        while position <= inputEnd && written <= outputEnd {
            bits |= UInt64(littleEndian: source.loadUnaligned(fromByteOffset: position, as: UInt64.self)) &<< bitCount
            position &+= Int(truncatingIfNeeded: (63 &- bitCount) &>> 3)
            bitCount |= 56

            var e = literalTable[Int(truncatingIfNeeded: bits & literalMask)]
            if e & HuffmanTable.linkFlag != 0 {
                let index = (bits &>> UInt64(Self.literalRootBits)) & ((1 &<< UInt64(e >> 8 & 0x1f)) &- 1)
                e = literalTable[Int(e >> 16) &+ Int(truncatingIfNeeded: index)]
            }
            var n = UInt64(e & HuffmanTable.lengthMask)
            bits &>>= n
            bitCount &-= n
            if e & HuffmanTable.literalFlag != 0 {
                out[written] = UInt8(truncatingIfNeeded: e >> 16)
                written &+= 1
                // A second literal needs no refill (at least 41 bits are left).
                e = literalTable[Int(truncatingIfNeeded: bits & literalMask)]
                if e & HuffmanTable.literalFlag != 0 {
                    n = UInt64(e & HuffmanTable.lengthMask)
                    bits &>>= n
                    bitCount &-= n
                    out[written] = UInt8(truncatingIfNeeded: e >> 16)
                    written &+= 1
                }
                continue
            }
            if e & (HuffmanTable.endOfBlockFlag | HuffmanTable.invalidFlag) != 0 {
                if e & HuffmanTable.invalidFlag != 0 { throw .badSymbol }
                return true
            }
            n = UInt64(e >> 8 & 0x1f)
            let length = Int(e >> 16) &+ Int(truncatingIfNeeded: bits & ((1 &<< n) &- 1))
            bits &>>= n
            bitCount &-= n

            e = distanceTable[Int(truncatingIfNeeded: bits & distanceMask)]
            if e & HuffmanTable.linkFlag != 0 {
                let index = (bits &>> UInt64(Self.distanceRootBits)) & ((1 &<< UInt64(e >> 8 & 0x1f)) &- 1)
                e = distanceTable[Int(e >> 16) &+ Int(truncatingIfNeeded: index)]
            }
            if e & HuffmanTable.invalidFlag != 0 { throw .badSymbol }
            n = UInt64(e & HuffmanTable.lengthMask)
            bits &>>= n
            bitCount &-= n
            n = UInt64(e >> 8 & 0x1f)
            let distance = Int(e >> 16) &+ Int(truncatingIfNeeded: bits & ((1 &<< n) &- 1))
            bits &>>= n
            bitCount &-= n
            guard distance <= written else { throw .distanceTooFar }
            Self.copyMatch(out, at: written, distance: distance, length: length)
            written &+= length
        }
        return false
    }

    /// The careful loop, near the end of the input or of the output room: bounds-checked refills
    /// (zeros past the end, then `checkOverrun`) and bytewise match copies.
    mutating func carefulSymbols() throws(InflateError) -> Bool {
        while true {
            if capacity - written < Self.minimumRoom { return false }
            refill()
            var e = lookup(literals)
            guard e & HuffmanTable.invalidFlag == 0 else { try checkOverrun(); throw .badSymbol }
            _ = take(Int(e & HuffmanTable.lengthMask))
            if e & HuffmanTable.literalFlag != 0 {
                try checkOverrun()
                out[written] = UInt8(truncatingIfNeeded: e >> 16)
                written += 1
                continue
            }
            if e & HuffmanTable.endOfBlockFlag != 0 { try checkOverrun(); return true }
            let length = Int(e >> 16) + take(Int(e >> 8 & 0x1f))
            e = lookup(distances)
            guard e & HuffmanTable.invalidFlag == 0 else { try checkOverrun(); throw .badSymbol }
            _ = take(Int(e & HuffmanTable.lengthMask))
            let distance = Int(e >> 16) + take(Int(e >> 8 & 0x1f))
            try checkOverrun()
            guard distance <= written else { throw .distanceTooFar }
            for k in 0..<length { out[written + k] = out[written + k - distance] }
            written += length
        }
    }
}
