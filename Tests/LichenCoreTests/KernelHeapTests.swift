import Testing
@testable import LichenCore

@Suite struct KernelHeapTests {
    @Test func pageLayout() {
        #expect(MemoryLayout<SlabHeader>.size <= HeapSizeClass.headerBytes)
        #expect(MemoryLayout<LargeHeader>.size <= HeapSizeClass.headerBytes)
        #expect(MemoryLayout<SlabHeader>.offset(of: \.magic) == 0)
        #expect(MemoryLayout<SlabHeader>.offset(of: \.bitmap) == SlabHeader.bitmapOffset)
        #expect(MemoryLayout<LargeHeader>.offset(of: \.magic) == 0)
        #expect(KernelHeapStats().classLive.count == HeapSizeClass.count)
        var previous = 0
        for c in 0..<HeapSizeClass.count {
            let size = HeapSizeClass.size(c), first = HeapSizeClass.firstOffset(c), cap = HeapSizeClass.capacity(c)
            #expect(size > previous && size % HeapSizeClass.minAlignment == 0)
            #expect(first >= HeapSizeClass.headerBytes && first % HeapSizeClass.alignment(c) == 0)
            #expect(cap >= 2 && cap <= 256 && first + cap * size <= pageSize)
            previous = size
        }
    }

    /// `index` computes the class; a plain search over the classes is the reference.
    @Test func sizeClassIndexMatchesSearch() {
        var mismatches = 0
        for size in 1...2100 {
            for shift in 0...12 {
                let alignment = 1 << shift
                var expected: Int? = nil
                for c in 0..<HeapSizeClass.count
                where HeapSizeClass.size(c) >= size && HeapSizeClass.alignment(c) >= alignment {
                    expected = c
                    break
                }
                if HeapSizeClass.index(size: size, alignment: alignment) != expected { mismatches += 1 }
            }
        }
        #expect(mismatches == 0)
    }

    @Test func everySizeClass() throws {
        var (heap, arena) = makeHeap()
        var previous = 0
        for c in 0..<HeapSizeClass.count {
            let size = HeapSizeClass.size(c)
            for request in [previous + 1, size] {
                let p = try heap.mustAllocate(size: request)
                #expect(try heap.usableSize(of: p) == size)
                #expect(isPointerAligned(p, HeapSizeClass.alignment(c)) && !isPointerAligned(p, pageSize))
                #expect(heap.stats.liveAllocations(sizeClass: c) == 1)
                #expect(heap.stats.bytesInUse == size)
                fillPattern(p, size, id: c)
                #expect(matchesPattern(p, size, id: c))
                try heap.free(p)
                #expect(heap.stats.liveAllocations(sizeClass: c) == 0)
            }
            previous = size
        }
        #expect(heap.stats.liveAllocations == 0 && heap.stats.bytesInUse == 0)
        #expect(heap.stats.pagesHeld == HeapSizeClass.count)  // one spare slab per class
        heap.releaseSpareSlabs()
        #expect(heap.stats.pagesHeld == 0 && arena.pagesHeld == 0)
    }

    @Test func alignmentsUpToAPage() throws {
        var (heap, arena) = makeHeap()
        var live: [(UnsafeMutableRawPointer, Int)] = []
        for shift in 0...12 {
            for size in [0, 1, 24, 100, 1000, 2016, 3000, 4096, 5000, 70000] {
                let alignment = 1 << shift
                let p = try heap.mustAllocate(size: size, alignment: alignment)
                #expect(isPointerAligned(p, max(alignment, 16)), "size \(size) alignment \(alignment)")
                #expect(try heap.usableSize(of: p) >= size)
                fillPattern(p, size, id: live.count)
                live.append((p, size))
            }
        }
        #expect(heap.stats.liveAllocations == live.count)
        for (id, (p, size)) in live.enumerated() {
            #expect(matchesPattern(p, size, id: id))
            try heap.free(p)
        }
        heap.releaseSpareSlabs()
        #expect(heap.stats.pagesHeld == 0 && arena.pagesHeld == 0)
    }

    @Test func largeRuns() throws {
        var (heap, arena) = makeHeap()
        // (size, alignment, expected order)
        for (size, alignment, order) in [(2017, 16, 0), (4032, 16, 0), (4033, 16, 1), (100_000, 16, 5),
                                         (16, 4096, 1), (4096, 4096, 1), (4097, 4096, 2), (3000, 2048, 1)] {
            let p = try heap.mustAllocate(size: size, alignment: alignment)
            #expect(heap.stats.pagesHeld == 1 << order, "size \(size) alignment \(alignment)")
            #expect(heap.stats.largeAllocations == 1)
            let offset = max(64, alignment)
            #expect(try heap.usableSize(of: p) == (pageSize << order) - offset)
            #expect(isPointerAligned(p, alignment))
            fillPattern(p, size, id: size)
            try heap.free(p)
            #expect(heap.stats.pagesHeld == 0 && arena.pagesHeld == 0 && heap.stats.largeAllocations == 0)
        }
        // The largest run is 4 MiB including the header.
        let largest = try heap.mustAllocate(size: (4 << 20) - 64)
        #expect(heap.stats.pagesHeld == 1024)
        try heap.free(largest)
    }

    @Test func invalidRequestsReturnNil() {
        var (heap, arena) = makeHeap()
        for alignment in [0, -16, 3, 24, 8192] { #expect(heap.allocate(size: 16, alignment: alignment) == nil) }
        #expect(heap.allocate(size: -1) == nil)
        #expect(heap.allocate(size: Int.max) == nil)
        #expect(heap.allocate(size: 4 << 20) == nil)
        #expect(heap.stats.pagesHeld == 0 && arena.pagesHeld == 0 && heap.stats.liveAllocations == 0)
    }

    @Test func zeroSizeAllocationsAreUnique() throws {
        var (heap, _) = makeHeap()
        var seen = Set<UnsafeMutableRawPointer>()
        for _ in 0..<300 {
            let p = try heap.mustAllocate(size: 0)
            #expect(try heap.usableSize(of: p) == 16)
            seen.insert(p)
        }
        #expect(seen.count == 300 && heap.stats.liveAllocations == 300)
        for p in seen { try heap.free(p) }
        #expect(heap.stats.liveAllocations == 0)
    }

    @Test func doubleFreeOfObject() throws {
        var (heap, _) = makeHeap()
        let a = try heap.mustAllocate(size: 32)
        let b = try heap.mustAllocate(size: 32)
        fillPattern(b, 32, id: 7)
        try heap.free(a)
        #expect(throws: MemoryError.doubleFree) { try heap.free(a) }
        #expect(throws: MemoryError.doubleFree) { try heap.usableSize(of: a) }
        #expect(heap.stats.liveAllocations == 1 && matchesPattern(b, 32, id: 7))
        // The free list is intact: the next two allocations are distinct and not b.
        let c = try heap.mustAllocate(size: 32)
        let d = try heap.mustAllocate(size: 32)
        #expect(c == a && d != b && d != c)
    }

    @Test func doubleFreeAfterPagesWentBack() throws {
        var (heap, _) = makeHeap(quarantine: true)
        // Two slabs of the 1024 class; emptying both gives one back to the source.
        let objects = (0..<4).compactMap { _ in heap.allocate(size: 1024) }
        #expect(objects.count == 4 && heap.stats.slabs(sizeClass: 11) == 2)
        for p in objects { try heap.free(p) }
        #expect(heap.stats.slabs(sizeClass: 11) == 1)
        for p in objects { #expect(throws: MemoryError.doubleFree) { try heap.free(p) } }

        for alignment in [16, 4096] {
            let big = try heap.mustAllocate(size: 50_000, alignment: alignment)
            try heap.free(big)
            #expect(throws: MemoryError.doubleFree) { try heap.free(big) }
        }
        #expect(heap.stats.liveAllocations == 0)
    }

    @Test func foreignAndInteriorPointers() throws {
        var (heap, arena) = makeHeap()
        let foreign = try #require(arena.allocate(order: 0))
        foreign.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
        #expect(throws: MemoryError.invalidAddress) { try heap.free(foreign + 64) }
        #expect(throws: MemoryError.invalidAddress) { try heap.free(foreign + pageSize) }
        let obj = try heap.mustAllocate(size: 48)
        #expect(throws: MemoryError.invalidAddress) { try heap.free(obj + 8) }   // misaligned
        #expect(throws: MemoryError.invalidAddress) { try heap.free(obj + 16) }  // inside the object
        let big = try heap.mustAllocate(size: 10_000)
        #expect(throws: MemoryError.invalidAddress) { try heap.free(big + 16) }
        #expect(throws: MemoryError.invalidAddress) { try heap.free(big + pageSize) }
        #expect(throws: MemoryError.invalidAddress) { try heap.usableSize(of: big + 32) }
        #expect(heap.stats.liveAllocations == 2)
        try heap.free(obj)
        try heap.free(big)
        arena.free(foreign, order: 0)
    }

    @Test func exhaustionReturnsNil() throws {
        var (heap, arena) = makeHeap(capPages: 4)
        var objects: [UnsafeMutableRawPointer] = []
        while let p = heap.allocate(size: 64) { objects.append(p) }
        #expect(objects.count == 4 * HeapSizeClass.capacity(3))
        #expect(heap.stats.pagesHeld == 4 && arena.pagesHeld == 4)
        #expect(heap.allocate(size: 16) == nil)
        #expect(heap.allocate(size: 10_000) == nil)
        try heap.free(objects.removeLast())
        #expect(heap.allocate(size: 64) != nil)  // room again in the same slab
        #expect(heap.allocate(size: 64) == nil)

        var (small, _) = makeHeap(capPages: 8)
        let run = try small.mustAllocate(size: 30_000)  // order 3: all 8 pages
        #expect(small.allocate(size: 1) == nil)
        try small.free(run)
        #expect(small.allocate(size: 1) != nil)
    }

    @Test func reallocateKeepsContents() throws {
        var (heap, _) = makeHeap()
        let p = try heap.mustAllocate(size: 40)
        fillPattern(p, 40, id: 1)
        let same = try heap.mustReallocate(p, size: 30)
        #expect(same == p)
        let grown = try heap.mustReallocate(p, size: 500)
        #expect(grown != p && matchesPattern(grown, 40, id: 1))
        #expect(throws: MemoryError.doubleFree) { _ = try heap.reallocate(p, size: 8) }
        let large = try heap.mustReallocate(grown, size: 9000)
        #expect(matchesPattern(large, 40, id: 1))
        let aligned = try heap.mustReallocate(large, size: 100, alignment: 4096)
        #expect(isPointerAligned(aligned, 4096) && matchesPattern(aligned, 40, id: 1))
        #expect(heap.stats.liveAllocations == 1)
        try heap.free(aligned)
    }

    @Test func corruptedFreeListIsRebuilt() throws {
        var (heap, _) = makeHeap()
        let objects = (0..<4).compactMap { _ in heap.allocate(size: 64) }
        try heap.free(objects[1])
        try heap.free(objects[2])
        // Use after free: scribble over the links kept in the freed objects.
        objects[1].initializeMemory(as: UInt8.self, repeating: 0xFF, count: 64)
        objects[2].initializeMemory(as: UInt8.self, repeating: 0x00, count: 64)
        let again = (0..<3).compactMap { _ in heap.allocate(size: 64) }
        #expect(again.count == 3)
        #expect(Set(again + [objects[0], objects[3]]).count == 5)
        for p in again + [objects[0], objects[3]] { try heap.free(p) }
        #expect(heap.stats.liveAllocations == 0)
    }
}
