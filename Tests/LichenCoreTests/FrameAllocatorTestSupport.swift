import Testing
@testable import LichenCore


/// Owns the metadata of a FrameAllocator for the length of a test.
final class FrameArena {
    let metadata: UnsafeMutableBufferPointer<FrameInfo>
    var allocator: FrameAllocator

    init(span: PhysRange, free: [PhysRange] = []) {
        metadata = .allocate(capacity: FrameAllocator.metadataCount(for: span))
        allocator = FrameAllocator(span: span, metadata: metadata)
        for r in free { allocator.addFreeRange(r) }
    }

    /// A span that is all free RAM.
    convenience init(start: UInt64, size: UInt64) {
        let span = PhysRange(start: PhysAddr(start), size: size)
        self.init(span: span, free: [span])
    }

    deinit { metadata.deallocate() }

    /// Free block counts for orders 0...maxOrder.
    var blocks: [Int] { (0...FrameAllocator.maxOrder).map { allocator.stats.freeBlocks(order: $0) } }
}

/// Deterministic generator for reproducible stress tests.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
