// The walk over an initramfs image, one entry at a time: what the kernel unpacks (awaiting between
// entries, as it creates each file) and what the host tests and fuzz/ drive, through
// `Initramfs.forEachEntry`. Only where a gzip member's output goes differs (`InitramfsOutput`).

/// Memory for one gzip member's output at a time: the kernel maps pages into one reserved range
/// (grown in place), the host allocates and copies.
public protocol InitramfsOutput {
    /// A buffer of at least `bytes` for a new member; the previous member's output may go. nil when
    /// out of memory.
    mutating func start(atLeast bytes: Int) -> UnsafeMutableRawBufferPointer?
    /// A buffer of at least `bytes` whose first `written` bytes are the output so far (the same
    /// memory made longer, or a copy). nil when out of memory.
    mutating func grow(keeping written: Int, atLeast bytes: Int) -> UnsafeMutableRawBufferPointer?
}

/// The entries of every archive in the image, in order (trailers excluded), as Linux's
/// unpack_to_rootfs finds them: plain archives and gzip members holding whole archives (their own
/// alignment starts at 0), zero padding between them. An error ends the walk.
public struct InitramfsWalk<Output: InitramfsOutput> {
    public let image: UnsafeRawBufferPointer
    private var output: Output
    private var reader: CpioReader
    /// Where the image continues after the member being read; nil while reading the image itself.
    private var resumeAt: Int?

    public init(_ image: UnsafeRawBufferPointer, output: Output) {
        self.image = image
        self.output = output
        reader = CpioReader(image)
    }

    /// The next entry and the buffer its ranges index (the image, or the current member's output:
    /// valid until the next call), or nil after the last.
    public mutating func next() throws(InitramfsError) -> (entry: CpioEntry, bytes: UnsafeRawBufferPointer)? {
        while true {
            let entry: CpioEntry?
            do { entry = try reader.next() } catch { throw .cpio(error, offset: reader.offset) }
            if let entry { return (entry, reader.bytes) }
            if let resume = resumeAt {
                // A member's output holds only archives and padding.
                guard reader.isAtEnd else { throw .junkInCompressedArchive(offset: reader.offset) }
                resumeAt = nil
                reader = CpioReader(image, offset: resume)
                continue
            }
            if reader.isAtEnd { return nil }
            let member = reader.offset
            guard GzipHeader.isGzip(image, at: member) else { throw .unknownFormat(offset: member) }
            reader = CpioReader(try decompress(at: member))
        }
    }

    /// Decompresses the member at `start` and notes where the image goes on.
    private mutating func decompress(at start: Int) throws(InitramfsError) -> UnsafeRawBufferPointer {
        // The output is usually a few times the input: start at twice the image, double as needed.
        guard let first = output.start(atLeast: image.count * 2) else { throw .compressed(.outputTooLarge, offset: start) }
        var last = first
        do {
            let (end, produced) = try Gzip.member(image, at: start, into: first) { written in
                let b = output.grow(keeping: written, atLeast: written * 2)
                if let b { last = b }
                return b
            }
            resumeAt = end
            return UnsafeRawBufferPointer(start: last.baseAddress, count: produced)
        } catch {
            throw .compressed(error, offset: start)
        }
    }
}

/// Host memory for a member's output, up to `limit` bytes (a gzip bomb gets `.outputTooLarge`).
public final class InitramfsHeapOutput: InitramfsOutput {
    private var buffer = UnsafeMutableRawBufferPointer(start: nil, count: 0)
    private let limit: Int

    public init(limit: Int = 1 << 28) { self.limit = limit }

    deinit { buffer.deallocate() }

    public func start(atLeast bytes: Int) -> UnsafeMutableRawBufferPointer? {
        grow(keeping: 0, atLeast: bytes)
    }

    public func grow(keeping written: Int, atLeast bytes: Int) -> UnsafeMutableRawBufferPointer? {
        guard bytes <= limit else { return nil }
        let bigger = UnsafeMutableRawBufferPointer.allocate(byteCount: max(bytes, 512), alignment: 16)
        if written > 0 { bigger.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<written])) }
        buffer.deallocate()
        buffer = bigger
        return bigger
    }
}
