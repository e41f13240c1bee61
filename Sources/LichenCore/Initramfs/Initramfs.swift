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
    /// the call: `InitramfsWalk` with host memory, one member's output at a time.
    public static func forEachEntry(_ image: UnsafeRawBufferPointer,
                                    _ visit: (CpioEntry, UnsafeRawBufferPointer) -> Void) throws(InitramfsError) {
        var walk = InitramfsWalk(image, output: InitramfsHeapOutput())
        while let item = try walk.next() { visit(item.entry, item.bytes) }
    }

    public static func forEachEntry(_ image: [UInt8],
                                    _ visit: (CpioEntry, UnsafeRawBufferPointer) -> Void) throws(InitramfsError) {
        let result = image.withUnsafeBytes { i in Result { () throws(InitramfsError) in try forEachEntry(i, visit) } }
        try result.get()
    }
}
