/// `withUnsafeBytes` with a closure that throws Errno (the standard one rethrows untyped errors).
func withBytes<R>(_ array: [UInt8], _ body: (UnsafeRawBufferPointer) throws(Errno) -> R) throws(Errno) -> R {
    var value: R? = nil
    var failure: Errno? = nil
    array.withUnsafeBytes { b in
        do throws(Errno) { value = try body(b) } catch { failure = error }
    }
    if let failure { throw failure }
    return value!
}

/// Little-endian field access on a block or inode image being edited (the write path). The
/// callers compute every offset from checked geometry; these trap on a mistake like any index.
extension Array where Element == UInt8 {
    func get16(_ at: Int) -> UInt16 { UInt16(self[at]) | UInt16(self[at + 1]) << 8 }
    func get32(_ at: Int) -> UInt32 { UInt32(get16(at)) | UInt32(get16(at + 2)) << 16 }
    mutating func put16(_ at: Int, _ v: UInt16) {
        self[at] = UInt8(truncatingIfNeeded: v)
        self[at + 1] = UInt8(truncatingIfNeeded: v >> 8)
    }
    mutating func put32(_ at: Int, _ v: UInt32) {
        put16(at, UInt16(truncatingIfNeeded: v))
        put16(at + 2, UInt16(truncatingIfNeeded: v >> 16))
    }
    func crc32c(_ seed: UInt32, _ range: Range<Int>) -> UInt32 {
        withUnsafeBytes { CRC32C.raw(seed, UnsafeRawBufferPointer(rebasing: $0[range])) }
    }
}
