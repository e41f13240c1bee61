import LichenCore
import AArch64Intrinsics

/// Pages for the kernel heap: a static arena in .bss until the frame allocator exists (the device tree
/// parser already needs the heap), frames through the direct map after.
struct KernelPageSource: HeapPageSource {
    static let arenaSize = Int(BOOTSTRAP_HEAP_SIZE)
    private var arena: UnsafeMutableRawPointer { VirtAddr(address_of_lichen_bootstrap_heap()).pointer }
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
        let arena = address_of_lichen_bootstrap_heap()
        if address >= arena && address < arena + UInt64(KernelPageSource.arenaSize) { return }   // arena pages stay
        PhysicalMemory.free(PhysAddr(address - KernelLayout.directMapBase), order: order)
    }
}

enum Heap {
    nonisolated(unsafe) static var heap = KernelHeap(source: KernelPageSource())
    static var stats: KernelHeapStats { heap.stats }
}

@_cdecl("lichen_heap_allocate")
func lichenHeapAllocate(_ size: Int, _ alignment: Int) -> UnsafeMutableRawPointer? {
    CPU.withInterruptsDisabled { Heap.heap.allocate(size: size, alignment: max(alignment, 16)) }
}

@_cdecl("lichen_heap_free")
func lichenHeapFree(_ p: UnsafeMutableRawPointer) {
    let failed: Bool = CPU.withInterruptsDisabled {
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
