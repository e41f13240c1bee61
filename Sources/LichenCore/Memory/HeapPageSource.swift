/// Where the kernel heap gets its pages: in the kernel, the frame allocator seen through the
/// linear map; on the host, test doubles.
public protocol HeapPageSource {
    /// 2^order contiguous pages, at least 4 KiB-aligned, or nil when exhausted.
    mutating func allocatePages(order: Int) -> UnsafeMutableRawPointer?
    /// Gives back a run obtained from `allocatePages` with the same order.
    mutating func freePages(_ p: UnsafeMutableRawPointer, order: Int)
}
