/// Errors of the physical and kernel-heap allocators (used with typed throws, so no existential).
public enum MemoryError: Error, Equatable, Sendable {
    /// No free block is large enough.
    case outOfMemory
    /// A buddy order outside 0...FrameAllocator.maxOrder.
    case invalidOrder
    /// Misaligned, outside the managed memory, reserved, or not the start of an allocation.
    case invalidAddress
    /// The block was already freed.
    case doubleFree
    /// Freed with a different order than it was allocated with.
    case orderMismatch
}
