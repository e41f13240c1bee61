import Testing
@testable import LichenCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Host memory standing in for the frame allocator: page-aligned runs from posix_memalign,
/// counted so leaks show, optionally capped, and optionally quarantined (kept mapped after
/// being freed) so tests may probe freed pages like the kernel's always-mapped memory.
final class HostPageArena {
    let capPages: Int
    let quarantine: Bool
    private(set) var pagesHeld = 0
    private var live: [UInt: Int] = [:]  // address -> order
    private var quarantined: [UnsafeMutableRawPointer] = []

    init(capPages: Int = .max, quarantine: Bool = false) {
        self.capPages = capPages
        self.quarantine = quarantine
    }

    deinit {
        for p in live.keys { releaseHostMemory(UnsafeMutableRawPointer(bitPattern: p)) }
        for p in quarantined { releaseHostMemory(p) }
    }

    func allocate(order: Int) -> UnsafeMutableRawPointer? {
        #expect((0...FrameAllocator.maxOrder).contains(order))
        guard pagesHeld + (1 << order) <= capPages else { return nil }
        var p: UnsafeMutableRawPointer?
        guard posix_memalign(&p, pageSize, pageSize << order) == 0, let p else { return nil }
        memset(p, 0xA5, pageSize << order)  // no reliance on zeroed pages
        live[UInt(bitPattern: p)] = order
        pagesHeld += 1 << order
        return p
    }

    func free(_ p: UnsafeMutableRawPointer, order: Int) {
        let recorded = live.removeValue(forKey: UInt(bitPattern: p))
        #expect(recorded == order, "freePages of an unknown run or with the wrong order")
        guard recorded != nil else { return }
        pagesHeld -= 1 << order
        if quarantine { quarantined.append(p) } else { releaseHostMemory(p) }
    }
}

private func releaseHostMemory(_ p: UnsafeMutableRawPointer?) { free(p) }

struct HostPageSource: HeapPageSource {
    let arena: HostPageArena
    mutating func allocatePages(order: Int) -> UnsafeMutableRawPointer? { arena.allocate(order: order) }
    mutating func freePages(_ p: UnsafeMutableRawPointer, order: Int) { arena.free(p, order: order) }
}

typealias HostHeap = KernelHeap<HostPageSource>

func makeHeap(capPages: Int = .max, quarantine: Bool = false) -> (HostHeap, HostPageArena) {
    let arena = HostPageArena(capPages: capPages, quarantine: quarantine)
    return (HostHeap(source: HostPageSource(arena: arena)), arena)
}

/// The byte expected at `offset` of allocation `id`: differs between neighbours so overlaps show.
func heapPattern(_ id: Int, _ offset: Int) -> UInt8 { UInt8(truncatingIfNeeded: id &* 131 &+ offset &* 7 &+ 1) }

func fillPattern(_ p: UnsafeMutableRawPointer, _ size: Int, id: Int) {
    for i in 0..<size { p.storeBytes(of: heapPattern(id, i), toByteOffset: i, as: UInt8.self) }
}

func matchesPattern(_ p: UnsafeMutableRawPointer, _ size: Int, id: Int) -> Bool {
    (0..<size).allSatisfy { p.load(fromByteOffset: $0, as: UInt8.self) == heapPattern(id, $0) }
}

func isPointerAligned(_ p: UnsafeMutableRawPointer, _ alignment: Int) -> Bool {
    UInt(bitPattern: p) & UInt(alignment - 1) == 0
}

extension KernelHeap {
    /// `allocate`, failing the test on nil (`#require` cannot wrap a mutating call).
    mutating func mustAllocate(size: Int, alignment: Int = 16,
                               sourceLocation: SourceLocation = #_sourceLocation) throws -> UnsafeMutableRawPointer {
        let p = allocate(size: size, alignment: alignment)
        return try #require(p, sourceLocation: sourceLocation)
    }

    mutating func mustReallocate(_ old: UnsafeMutableRawPointer, size: Int, alignment: Int = 16,
                                 sourceLocation: SourceLocation = #_sourceLocation) throws -> UnsafeMutableRawPointer {
        let p = try reallocate(old, size: size, alignment: alignment)
        return try #require(p, sourceLocation: sourceLocation)
    }
}
