// DEFLATE decoder (RFC 1951) over a whole input buffer, producing output through a callback in
// chunks. Output goes through a 64 KiB window holding the last 32 KiB (the longest back-reference
// distance), so memory use is fixed whatever the output size. Truncated or corrupt input throws.

public enum Inflate {
    /// Decodes the raw DEFLATE stream at the start of `input`, passing the output to `output` in
    /// order, in chunks of at most 64 KiB + 258 bytes (each valid only during the call). Returns
    /// how many input bytes the stream took (its last byte is partially used at most).
    public static func decompress(_ input: UnsafeRawBufferPointer,
                                  output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) -> Int {
        var window = [UInt8](repeating: 0, count: Inflater.windowCapacity)
        var tables = [UInt32](repeating: 0, count: Inflater.tablesCapacity)
        var lengths = [UInt8](repeating: 0, count: 320)
        let result = window.withUnsafeMutableBufferPointer { w in
            tables.withUnsafeMutableBufferPointer { t in
                lengths.withUnsafeMutableBufferPointer { l in
                    Result { () throws(InflateError) -> Int in
                        var inflater = Inflater(input: input, window: w, tables: t, lengths: l)
                        return try inflater.run(output)
                    }
                }
            }
        }
        return try result.get()
    }

    /// Decodes into `output` (appending). Returns the input bytes used.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(InflateError) -> Int {
        try decompress(input) { output.append(contentsOf: $0) }
    }
}
