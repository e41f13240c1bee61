/// Counters of a `KernelHeap`.
public struct KernelHeapStats: Sendable {
    /// Usable bytes of the live allocations (size-class sizes and page-run payloads).
    public internal(set) var bytesInUse = 0
    public internal(set) var liveAllocations = 0
    /// Live allocations served by whole page runs.
    public internal(set) var largeAllocations = 0
    /// Pages currently taken from the page source (slabs, spares and runs).
    public internal(set) var pagesHeld = 0
    /// Per size class; 14 is HeapSizeClass.count (generic arguments must be literals).
    var classLive = InlineArray<14, Int>(repeating: 0)
    var classSlabs = InlineArray<14, Int>(repeating: 0)

    /// Live objects of a size class (see `HeapSizeClass`).
    public func liveAllocations(sizeClass c: Int) -> Int {
        (0..<HeapSizeClass.count).contains(c) ? classLive[c] : 0
    }

    /// Slab pages of a size class, spare included.
    public func slabs(sizeClass c: Int) -> Int {
        (0..<HeapSizeClass.count).contains(c) ? classSlabs[c] : 0
    }
}
