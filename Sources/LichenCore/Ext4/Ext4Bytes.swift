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
