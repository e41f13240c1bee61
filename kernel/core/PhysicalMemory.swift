import LichenCore

/// The kernel's physical frame allocator (a buddy allocator from LichenCore), set up once the memory
/// map is known. Callable with IRQs on or off; single CPU for now (SMP locking comes with the async core).
enum PhysicalMemory {
    nonisolated(unsafe) static var allocator: FrameAllocator? = nil
    nonisolated(unsafe) static var totalRAM: UInt64 = 0

    static func allocate(order: Int = 0) -> PhysAddr? {
        CPU.withInterruptsDisabled {
            guard allocator != nil else { return nil }
            do throws(MemoryError) { return try allocator!.allocate(order: order) } catch { return nil }
        }
    }

    static func free(_ frame: PhysAddr, order: Int = 0) {
        let failed: Bool = CPU.withInterruptsDisabled {
            do throws(MemoryError) { try allocator?.free(frame, order: order); return false } catch { return true }
        }
        if failed { Panic.halt("frame allocator: bad free of " + Format.hex(frame.value)) }
    }

    static var stats: FrameAllocatorStats? { allocator?.stats }

    /// Builds the allocator over `usable` RAM; its metadata (like Linux's struct page array) is carved
    /// out of that RAM first and reached through the direct map.
    static func initialize(usable: MemoryMap, span: PhysRange) -> Bool {
        var free = usable
        let count = FrameAllocator.metadataCount(for: span)
        let bytes = UInt64(count * MemoryLayout<FrameInfo>.stride)
        guard let metadataRange = free.take(size: (bytes + UInt64(pageSize) - 1) & ~UInt64(pageSize - 1)) else { return false }
        let metadata = KernelLayout.directMap(metadataRange.start).pointer.bindMemory(to: FrameInfo.self, capacity: count)
        var frames = FrameAllocator(span: span, metadata: UnsafeMutableBufferPointer(start: metadata, count: count))
        for range in free.ranges { frames.addFreeRange(range) }
        allocator = frames
        return true
    }
}
