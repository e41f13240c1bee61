// DEFLATE decoder (RFC 1951) over a whole input buffer. Two ways to take the output:
// - through a callback, in chunks, from a fixed window holding the last 32 KiB (the longest
//   back-reference distance) plus room for the next chunk, so memory use is fixed whatever the
//   output size;
// - straight into one contiguous buffer the caller grows on request (no copy at all: the kernel
//   decompresses the initramfs this way, into memory mapped as it fills).
// Truncated or corrupt input throws.

public enum Inflate {
    /// The window for callback output: 32 KiB history plus 96 KiB for new output.
    static let windowCapacity = 128 * 1024

    /// Decodes the raw DEFLATE stream at the start of `input`, passing the output to `output` in
    /// order, in chunks of at most 128 KiB (each valid only during the call). Returns how many
    /// input bytes the stream took (its last byte is partially used at most).
    public static func decompress(_ input: UnsafeRawBufferPointer,
                                  output: (UnsafeRawBufferPointer) -> Void) throws(InflateError) -> Int {
        var window = [UInt8](repeating: 0, count: windowCapacity)
        let result = window.withUnsafeMutableBytes { w in
            Result { () throws(InflateError) -> Int in
                try withInflater(input, output: w) { (inflater: inout Inflater) throws(InflateError) -> Int in
                    var flushed = 0
                    while true {
                        let done = try inflater.resume()
                        if inflater.written > flushed {
                            output(UnsafeRawBufferPointer(start: inflater.out + flushed, count: inflater.written - flushed))
                        }
                        if done { return inflater.consumed }
                        // Keep the last 32 KiB as history.
                        let keep = min(inflater.written, Inflater.history)
                        inflater.out.update(from: inflater.out + (inflater.written - keep), count: keep)
                        inflater.written = keep
                        flushed = keep
                    }
                }
            }
        }
        return try result.get()
    }

    /// Decodes the raw DEFLATE stream at the start of `input` straight into `buffer`. When less than
    /// 258 bytes of room are left, `grow(written)` is asked for a buffer of more than `written` + 258
    /// bytes whose first `written` bytes are the output so far (the same memory made longer, or a
    /// copy); nil stops with `.outputTooLarge`. The output is in the last buffer returned (or
    /// `buffer`), `produced` bytes long, possibly followed by a few bytes of scratch; `consumed`
    /// is the input the stream took.
    public static func decompress(_ input: UnsafeRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer,
                                  grow: (_ written: Int) -> UnsafeMutableRawBufferPointer?)
        throws(InflateError) -> (consumed: Int, produced: Int) {
        var first = buffer
        if first.count < Inflater.minimumRoom {
            guard let b = grow(0), b.count >= Inflater.minimumRoom else { throw .outputTooLarge }
            first = b
        }
        return try withInflater(input, output: first) { (inflater: inout Inflater) throws(InflateError) -> (consumed: Int, produced: Int) in
            while try !inflater.resume() {
                guard let b = grow(inflater.written), b.count - inflater.written >= Inflater.minimumRoom else {
                    throw .outputTooLarge
                }
                inflater.out = b.baseAddress!.assumingMemoryBound(to: UInt8.self)
                inflater.capacity = b.count
            }
            return (inflater.consumed, inflater.written)
        }
    }

    /// Decodes into `output` (appending). Returns the input bytes used.
    public static func decompress(_ input: UnsafeRawBufferPointer, into output: inout [UInt8]) throws(InflateError) -> Int {
        try decompress(input) { output.append(contentsOf: $0) }
    }

    /// Runs `body` with an inflater over `input` writing into `output`, and its tables.
    static func withInflater<R>(_ input: UnsafeRawBufferPointer, output: UnsafeMutableRawBufferPointer,
                                _ body: (inout Inflater) throws(InflateError) -> R) throws(InflateError) -> R {
        var tables = [UInt32](repeating: 0, count: Inflater.tablesCapacity)
        var lengths = [UInt8](repeating: 0, count: 320)
        var scratch = [UInt16](repeating: 0, count: Inflater.scratchCapacity)
        let result = tables.withUnsafeMutableBufferPointer { t in
            lengths.withUnsafeMutableBufferPointer { l in
                scratch.withUnsafeMutableBufferPointer { s in
                    Result { () throws(InflateError) -> R in
                        var inflater = Inflater(input: input, output: output, tables: t, lengths: l, scratch: s)
                        return try body(&inflater)
                    }
                }
            }
        }
        return try result.get()
    }
}
