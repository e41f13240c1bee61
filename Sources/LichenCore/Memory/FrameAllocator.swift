/// Buddy allocator of physical 4 KiB frames, in blocks of 2^order frames (order 0...maxOrder).
///
/// It works on the caller-provided `FrameInfo` array only and never touches the frames
/// themselves, so it needs no memory of its own and runs unchanged on the host. Blocks are
/// naturally aligned physically: index 0 of the metadata is the span start rounded down to a
/// max-order block. Not thread-safe; the kernel wraps it in a lock.
public struct FrameAllocator {
    /// Largest block order: 2^10 frames = 4 MiB.
    public static let maxOrder = 10
    static let maxBlockBytes = UInt64(pageSize) << UInt64(maxOrder)

    /// All of RAM, holes included.
    public let span: PhysRange
    public private(set) var stats = FrameAllocatorStats()
    let meta: UnsafeMutableBufferPointer<FrameInfo>
    /// Frame number of metadata index 0.
    let baseFrame: UInt64
    let frameCount: Int
    /// First free block of each order, as a frame index.
    var heads = InlineArray<11, UInt32>(repeating: FrameInfo.noLink)

    /// Metadata entries needed for `span` (from its max-order-aligned start to its end).
    public static func metadataCount(for span: PhysRange) -> Int {
        guard !span.isEmpty else { return 0 }
        let first = span.start.alignedDown(to: maxBlockBytes).frame.value
        return Int(span.end.pageAlignedUp.frame.value - first)
    }

    /// Every frame starts reserved; `addFreeRange` hands memory over.
    public init(span: PhysRange, metadata: UnsafeMutableBufferPointer<FrameInfo>) {
        let count = Self.metadataCount(for: span)
        precondition(metadata.count >= count, "FrameAllocator: metadata too small")
        precondition(count < Int(FrameInfo.noLink), "FrameAllocator: span too large")
        self.span = span
        self.meta = metadata
        self.baseFrame = span.start.alignedDown(to: Self.maxBlockBytes).frame.value
        self.frameCount = count
        UnsafeMutableBufferPointer(rebasing: metadata[0..<count]).initialize(repeating: FrameInfo())
    }

    /// Makes the frames lying wholly inside `r` free. Frames already free or allocated are left
    /// alone, so overlapping ranges are harmless.
    public mutating func addFreeRange(_ r: PhysRange) {
        let lo = max(r.start.pageAlignedUp, span.start.pageAlignedUp)
        let hi = min(r.end.pageAlignedDown, span.end.pageAlignedDown)
        guard lo < hi else { return }
        // Hand over the largest naturally aligned all-reserved blocks at once: boot adds gigabytes,
        // and freeing frame by frame would merge the same buddies over and over.
        var i = index(lo)
        let end = index(hi)
        while i < end {
            guard meta[i].state == .reserved else { i += 1; continue }
            var order = 0
            while order < Self.maxOrder, i & ((2 << order) - 1) == 0, i + (2 << order) <= end,
                  allReserved(from: i + (1 << order), count: 1 << order) {
                order += 1
            }
            for t in (i + 1)..<(i + (1 << order)) { meta[t].state = .tail }
            stats.totalFrames += 1 << order
            release(i, order: order)
            i += 1 << order
        }
    }

    private func allReserved(from start: Int, count: Int) -> Bool {
        for i in start..<(start + count) where meta[i].state != .reserved { return false }
        return true
    }

    /// Withdraws the free frames touching `r` (rounded outward to pages), splitting their
    /// blocks. Allocated frames stay with their owner. Returns the number of frames reserved.
    @discardableResult
    public mutating func reserve(_ r: PhysRange) -> Int {
        let lo = max(r.start.pageAlignedDown, span.start.pageAlignedDown)
        let hi = min(r.end.pageAlignedUp, span.end.pageAlignedUp)
        guard lo < hi else { return 0 }
        var reserved = 0
        for i in index(lo)..<index(hi) {
            guard let (head, order) = block(containing: i), meta[head].state == .free else { continue }
            removeFree(head, order: order)
            // Halve towards frame i, giving the other halves back.
            var h = head
            var o = order
            while o > 0 {
                o -= 1
                if i < h + (1 << o) {
                    pushFree(h + (1 << o), order: o)
                } else {
                    pushFree(h, order: o)
                    h += 1 << o
                }
            }
            meta[i].state = .reserved
            stats.freeFrames -= 1
            stats.totalFrames -= 1
            reserved += 1
        }
        return reserved
    }

    /// Allocates a naturally aligned block of 2^order frames.
    /// A frame only while more than `reserve` are free (nil otherwise): user space may not take the
    /// kernel's reserve. Checked in place, without copying the allocator or its statistics out.
    public mutating func allocate(keeping reserve: Int, order: Int = 0) -> PhysAddr? {
        guard stats.freeFrames >= reserve + (1 << order) else { return nil }
        do throws(MemoryError) { return try allocate(order: order) } catch { return nil }
    }

    public mutating func allocate(order: Int = 0) throws(MemoryError) -> PhysAddr {
        guard (0...Self.maxOrder).contains(order) else { throw .invalidOrder }
        var o = order
        while o <= Self.maxOrder && heads[o] == FrameInfo.noLink { o += 1 }
        guard o <= Self.maxOrder else { throw .outOfMemory }
        let h = Int(heads[o])
        removeFree(h, order: o)
        while o > order {
            o -= 1
            pushFree(h + (1 << o), order: o)
        }
        meta[h].state = .allocated
        meta[h].order = UInt8(order)
        meta[h].wasAllocated = true
        stats.freeFrames -= 1 << order
        stats.allocations += 1
        return address(h)
    }

    /// Frees a block returned by `allocate(order:)`, merging it with free buddies.
    public mutating func free(_ addr: PhysAddr, order: Int = 0) throws(MemoryError) {
        guard (0...Self.maxOrder).contains(order) else { throw .invalidOrder }
        guard addr.isPageAligned, span.contains(addr) else { throw .invalidAddress }
        let i = index(addr)
        switch meta[i].state {
        case .allocated:
            guard Int(meta[i].order) == order else { throw .orderMismatch }
        case .free:
            throw meta[i].wasAllocated ? .doubleFree : .invalidAddress
        case .reserved:
            throw .invalidAddress
        case .tail:
            // Inside a free block: a double free if it was once handed out; inside an
            // allocated block: not the start of an allocation.
            let inFree = block(containing: i).map { meta[$0.head].state == .free } ?? false
            throw inFree && meta[i].wasAllocated ? .doubleFree : .invalidAddress
        }
        stats.frees += 1
        release(i, order: order)
    }

    // MARK: - Internals

    func index(_ a: PhysAddr) -> Int { Int(a.frame.value - baseFrame) }
    func address(_ i: Int) -> PhysAddr { FrameNumber(baseFrame + UInt64(i)).address }

    /// The block (head index, order) that frame `i` belongs to, or nil for a reserved frame.
    /// The head is the first non-tail frame met when aligning `i` down order by order.
    func block(containing i: Int) -> (head: Int, order: Int)? {
        for o in 0...Self.maxOrder {
            let h = i & ~((1 << o) - 1)
            switch meta[h].state {
            case .tail: continue
            case .reserved: return nil
            case .free, .allocated:
                let order = Int(meta[h].order)
                return order >= o ? (h, order) : nil
            }
        }
        return nil
    }

    /// Returns block (i, order) to the free lists, merging with its buddy while possible.
    mutating func release(_ i: Int, order: Int) {
        stats.freeFrames += 1 << order
        var h = i
        var o = order
        while o < Self.maxOrder {
            let buddy = h ^ (1 << o)
            guard buddy < frameCount, meta[buddy].state == .free, Int(meta[buddy].order) == o
            else { break }
            removeFree(buddy, order: o)
            meta[max(h, buddy)].state = .tail
            h = min(h, buddy)
            o += 1
        }
        pushFree(h, order: o)
    }

    mutating func pushFree(_ i: Int, order: Int) {
        let old = heads[order]
        meta[i].state = .free
        meta[i].order = UInt8(order)
        meta[i].prev = FrameInfo.noLink
        meta[i].next = old
        if old != FrameInfo.noLink { meta[Int(old)].prev = UInt32(i) }
        heads[order] = UInt32(i)
        stats.blockCounts[order] += 1
    }

    /// Unlinks free block i; the caller sets its new state.
    mutating func removeFree(_ i: Int, order: Int) {
        let prev = meta[i].prev
        let next = meta[i].next
        if prev == FrameInfo.noLink { heads[order] = next } else { meta[Int(prev)].next = next }
        if next != FrameInfo.noLink { meta[Int(next)].prev = prev }
        stats.blockCounts[order] -= 1
    }
}
