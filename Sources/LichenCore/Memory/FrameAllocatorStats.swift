/// A snapshot of the frame allocator's counters.
public struct FrameAllocatorStats: Sendable {
    /// Frames made usable by `addFreeRange` (minus those reserved again).
    public internal(set) var totalFrames = 0
    public internal(set) var freeFrames = 0
    /// Successful `allocate` and `free` calls since creation.
    public internal(set) var allocations = 0
    public internal(set) var frees = 0
    /// Free blocks per order; 11 is maxOrder + 1 (generic arguments must be literals).
    var blockCounts = InlineArray<11, Int>(repeating: 0)

    public var usedFrames: Int { totalFrames - freeFrames }

    /// Number of free blocks of exactly `order` (0 for an order out of range).
    public func freeBlocks(order: Int) -> Int {
        (0...FrameAllocator.maxOrder).contains(order) ? blockCounts[order] : 0
    }
}
