// An initramfs image as Linux's unpack_to_rootfs reads it: a sequence of cpio newc archives, each
// plain or inside gzip members, with zero padding between them. A compressed member holds whole
// archives (its own alignment starts at 0), so the decompressed output is parsed member by member.

public enum InitramfsError: Error, Equatable, Sendable {
    case cpio(CpioError, offset: Int)          // offset in the image, or in the member's output
    case compressed(InflateError, offset: Int) // offset of the gzip member in the image
    case junkInCompressedArchive(offset: Int)  // a member's output holds more than cpio archives
    case unknownFormat(offset: Int)            // neither cpio, padding nor gzip (other compressors)
}

public enum Initramfs {
    /// Calls `visit` with every entry of every archive, in order (trailers excluded), and the buffer
    /// the entry's ranges index (the image, or a member's decompressed output), valid only during
    /// the call. Decompressed output is held one member at a time.
    public static func forEachEntry(_ image: UnsafeRawBufferPointer,
                                    _ visit: (CpioEntry, UnsafeRawBufferPointer) -> Void) throws(InitramfsError) {
        var offset = 0
        var output: [UInt8] = []
        while offset < image.count {
            var reader = CpioReader(image, offset: offset)
            do {
                while let entry = try reader.next() { visit(entry, image) }
            } catch {
                throw .cpio(error, offset: reader.offset)
            }
            if reader.isAtEnd { return }
            offset = reader.offset
            guard GzipHeader.isGzip(image, at: offset) else { throw .unknownFormat(offset: offset) }
            output.removeAll(keepingCapacity: true)
            do {
                offset = try Gzip.member(image, at: offset) { output.append(contentsOf: $0) }
            } catch {
                throw .compressed(error, offset: offset)
            }
            let result = output.withUnsafeBytes { out in
                Result { () throws(InitramfsError) in try visitArchives(out, visit) }
            }
            try result.get()
        }
    }

    public static func forEachEntry(_ image: [UInt8],
                                    _ visit: (CpioEntry, UnsafeRawBufferPointer) -> Void) throws(InitramfsError) {
        let result = image.withUnsafeBytes { i in Result { () throws(InitramfsError) in try forEachEntry(i, visit) } }
        try result.get()
    }

    /// The archives of one decompressed member: only cpio and zero padding are allowed inside.
    static func visitArchives(_ data: UnsafeRawBufferPointer,
                              _ visit: (CpioEntry, UnsafeRawBufferPointer) -> Void) throws(InitramfsError) {
        var reader = CpioReader(data)
        do {
            while let entry = try reader.next() { visit(entry, data) }
        } catch {
            throw .cpio(error, offset: reader.offset)
        }
        guard reader.isAtEnd else { throw .junkInCompressedArchive(offset: reader.offset) }
    }
}
