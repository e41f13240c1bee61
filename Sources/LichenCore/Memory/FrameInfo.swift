/// Per-frame metadata, one entry per 4 KiB frame of the managed span (like Linux's struct page).
/// The caller provides the storage, so the allocator itself never needs memory.
///
/// Only the first frame (head) of a block carries its order and state; the other frames of a
/// block are `.tail`, which keeps splitting and merging O(1) per level.
public struct FrameInfo: Sendable {
    /// Free-list links as frame indices (`FrameInfo.noLink` ends a list); valid on free heads.
    var prev: UInt32
    var next: UInt32
    var order: UInt8
    var state: FrameState
    /// Set once a frame has been handed out as a block head, so that freeing a frame that was
    /// never allocated is told apart from a double free.
    var wasAllocated: Bool

    static let noLink = UInt32.max

    /// A reserved (unusable) frame: the state every frame starts in.
    public init() {
        prev = Self.noLink; next = Self.noLink; order = 0; state = .reserved; wasAllocated = false
    }
}

enum FrameState: UInt8, Sendable {
    /// Not managed: a hole, firmware, the kernel image, this metadata...
    case reserved
    /// Head of a free block of `order`, linked into that order's free list.
    case free
    /// Head of an allocated block of `order`.
    case allocated
    /// Any other frame of a free or allocated block.
    case tail
}
