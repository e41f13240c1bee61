import LichenCore
import LichenAsyncRuntime

/// Pages for the kernel heap: a static arena in .bss until the frame allocator exists (the device tree
/// parser already needs the heap), frames through the direct map after.
struct KernelPageSource: HeapPageSource {
    static var arenaSize: Int { KernelLayout.bootstrapHeap.count }
    private var arena: UnsafeMutableRawPointer { KernelLayout.bootstrapHeap.baseAddress! }
    private var arenaUsed = 0

    mutating func allocatePages(order: Int) -> UnsafeMutableRawPointer? {
        if let frame = PhysicalMemory.allocate(order: order) {
            return KernelLayout.directMap(frame).pointer
        }
        let bytes = pageSize << order
        guard PhysicalMemory.allocator == nil, arenaUsed + bytes <= KernelPageSource.arenaSize else { return nil }
        defer { arenaUsed += bytes }
        return arena + arenaUsed
    }

    mutating func freePages(_ p: UnsafeMutableRawPointer, order: Int) {
        let address = UInt64(UInt(bitPattern: p))
        let arena = UInt64(UInt(bitPattern: KernelLayout.bootstrapHeap.baseAddress!))
        if address >= arena && address < arena + UInt64(KernelPageSource.arenaSize) { return }   // arena pages stay
        PhysicalMemory.free(PhysAddr(address - KernelLayout.directMapBase), order: order)
    }
}

enum Heap {
    nonisolated(unsafe) static var heap = KernelHeap(source: KernelPageSource())
    /// One lock for the whole heap (IRQ-saving): tasks on every CPU allocate.
    nonisolated(unsafe) static var lock = LichenSpinLock()
    static var stats: KernelHeapStats { locked { heap.stats } }

    nonisolated(unsafe) private static var owner = -1

    @inline(__always) static func locked<T>(_ body: () -> T) -> T {
        let cpu = PerCPU.currentIndex
        // Re-entered on the CPU that holds the lock: only a fault inside the heap, whose panic report
        // allocates. Let it through rather than deadlock the panic.
        if owner == cpu { return body() }
        let daif = lichen_spin_lock_irqsave(&lock)
        owner = cpu
        defer {
            owner = -1
            lichen_spin_unlock_irqrestore(&lock, daif)
        }
        return body()
    }
}

@_cdecl("lichen_heap_allocate")
func lichenHeapAllocate(_ size: Int, _ alignment: Int) -> UnsafeMutableRawPointer? {
    Heap.locked { Heap.heap.allocate(size: size, alignment: max(alignment, 16)) }
}

@_cdecl("lichen_heap_free")
func lichenHeapFree(_ p: UnsafeMutableRawPointer) {
    let failed: Bool = Heap.locked {
        do throws(MemoryError) { try Heap.heap.free(p); return false } catch { return true }
    }
    if failed { Panic.halt("kernel heap: invalid free of " + Format.hex(UInt64(UInt(bitPattern: p))) + " (double free?)",
                           framePointer: currentFramePointer()) }
}

/// Seeds Swift's hashing. Not cryptographic: the counter is all the entropy there is at boot
/// (a real RNG comes with getrandom).
@_cdecl("lichen_fill_random")
func lichenFillRandom(_ buffer: UnsafeMutableRawPointer, _ count: Int) {
    var state = Clock.ticks &+ 0x9e37_79b9_7f4a_7c15
    for i in 0..<count {
        state = state &* 6364136223846793005 &+ 1442695040888963407
        buffer.storeBytes(of: UInt8(truncatingIfNeeded: state >> 56), toByteOffset: i, as: UInt8.self)
    }
}
