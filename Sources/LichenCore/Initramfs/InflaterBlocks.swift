// DEFLATE blocks (RFC 1951 3.2.3-3.2.7): stored, fixed Huffman and dynamic Huffman.

extension Inflater {
    mutating func storedBlock(_ output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) {
        // Drop to the byte boundary, then read LEN and NLEN straight from the input.
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
        var remaining = len
        while remaining > 0 {
            if written >= Self.flushThreshold { makeRoom(output) }
            let n = min(remaining, Self.windowCapacity - written)
            UnsafeMutableRawBufferPointer(UnsafeMutableBufferPointer(rebasing: window[written..<written + n]))
                .copyMemory(from: UnsafeRawBufferPointer(rebasing: input[position..<position + n]))
            written += n
            position += n
            remaining -= n
        }
    }

    mutating func fixedCodes() throws(InflateError) {
        for i in 0..<288 { lengths[i] = i < 144 ? 8 : i < 256 ? 9 : i < 280 ? 7 : 8 }
        try literals.build(UnsafeMutableBufferPointer(rebasing: lengths[0..<288]), allowsSingleCode: false)
        for i in 0..<32 { lengths[i] = 5 }  // 30 and 31 complete the code but are invalid symbols
        try distances.build(UnsafeMutableBufferPointer(rebasing: lengths[0..<32]), allowsSingleCode: false)
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
        try codeLengths.build(UnsafeMutableBufferPointer(rebasing: lengths[0..<19]), allowsSingleCode: false)

        let total = literalCount + distanceCount
        var i = 0
        while i < total {
            refill()
            let symbol = try decode(codeLengths)
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
        try literals.build(UnsafeMutableBufferPointer(rebasing: lengths[0..<literalCount]), allowsSingleCode: true)
        // Moved down so that the distance lengths start at index 0 of their table's input.
        for j in 0..<distanceCount { lengths[j] = lengths[literalCount + j] }
        try distances.build(UnsafeMutableBufferPointer(rebasing: lengths[0..<distanceCount]), allowsSingleCode: true)
    }

    /// Literal, length and distance symbols until end-of-block. After one refill the buffer has at
    /// least 56 bits: enough for the longest length code + extra bits + distance code + extra bits (48).
    /// The literal/length lookup is written out here (not `decode`): this is the hot loop.
    mutating func huffmanBlock(_ output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) {
        let w = window.baseAddress!
        let table = literals.entries.baseAddress!
        let rootMask = (1 << Self.literalRootBits) - 1
        while true {
            if written >= Self.flushThreshold { makeRoom(output) }
            refill()
            var e = table[Int(truncatingIfNeeded: bits) & rootMask]
            if e & HuffmanTable.linkFlag != 0 {
                let index = Int(truncatingIfNeeded: bits >> UInt64(Self.literalRootBits)) & ((1 << Int(e >> 16 & 0xff)) - 1)
                e = table[Int(e & 0xffff) + index]
            }
            let codeLength = Int(e >> 16)
            guard codeLength != 0 else { try checkOverrun(); throw .badSymbol }
            bits >>= UInt64(codeLength)
            bitCount -= codeLength
            let symbol = Int(e & 0xffff)
            if symbol < 256 {
                try checkOverrun()
                w[written] = UInt8(truncatingIfNeeded: symbol)
                written += 1
                continue
            }
            if symbol == 256 { try checkOverrun(); return }
            let li = symbol - 257
            guard li < 29 else { try checkOverrun(); throw .badSymbol }
            let length = Int(Self.lengthBase[li]) + take(Int(Self.lengthExtra[li]))
            let di = try decode(distances)
            guard di < 30 else { try checkOverrun(); throw .badSymbol }
            let distance = Int(Self.distanceBase[di]) + take(Int(Self.distanceExtra[di]))
            try checkOverrun()
            guard distance <= written else { throw .distanceTooFar }
            var from = written - distance
            let end = written + length
            while written < end {
                w[written] = w[from]
                written += 1
                from += 1
            }
        }
    }
}
