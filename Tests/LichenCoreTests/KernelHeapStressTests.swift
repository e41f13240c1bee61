import Testing
@testable import LichenCore

@Suite struct KernelHeapStressTests {
    /// Interleaved allocations, reallocations and frees (fixed seed) with fill patterns checked
    /// before every free, counters checked throughout, and all pages back at the end.
    @Test func interleavedOperationsKeepData() throws {
        var (heap, arena) = makeHeap()
        var rng = SeededGenerator(seed: 0x4EA9)
        var live: [(p: UnsafeMutableRawPointer, size: Int, id: Int)] = []
        var nextID = 0
        for _ in 0..<5000 {
            let roll = rng.next() % 100
            if live.isEmpty || roll < 50 {
                let r = rng.next() % 100
                let size = Int(r < 70 ? rng.next() % 257 : r < 95 ? rng.next() % 2100 : rng.next() % 20_000)
                let alignment = rng.next() % 8 == 0 ? 1 << Int(rng.next() % 13) : 16
                let p = try heap.mustAllocate(size: size, alignment: alignment)
                #expect(isPointerAligned(p, alignment))
                fillPattern(p, size, id: nextID)
                live.append((p, size, nextID))
                nextID += 1
            } else if roll < 60 {
                let i = Int(rng.next() % UInt64(live.count))
                let size = Int(rng.next() % 3000)
                let p = try heap.mustReallocate(live[i].p, size: size)
                #expect(matchesPattern(p, min(size, live[i].size), id: live[i].id))
                fillPattern(p, size, id: nextID)
                live[i] = (p, size, nextID)
                nextID += 1
            } else {
                let victim = live.remove(at: Int(rng.next() % UInt64(live.count)))
                #expect(matchesPattern(victim.p, victim.size, id: victim.id), "allocation \(victim.id) corrupted")
                try heap.free(victim.p)
            }
            #expect(heap.stats.liveAllocations == live.count)
        }
        let usable = try live.reduce(0) { try $0 + heap.usableSize(of: $1.p) }
        #expect(heap.stats.bytesInUse == usable)
        for a in live {
            #expect(matchesPattern(a.p, a.size, id: a.id))
            try heap.free(a.p)
        }
        #expect(heap.stats.liveAllocations == 0 && heap.stats.bytesInUse == 0)
        #expect(heap.stats.pagesHeld <= HeapSizeClass.count)
        heap.releaseSpareSlabs()
        #expect(heap.stats.pagesHeld == 0 && arena.pagesHeld == 0)
    }

    /// Empty slabs go back to the source, keeping one spare per class.
    @Test func emptySlabsAreReturned() throws {
        var (heap, arena) = makeHeap()
        var objects: [UnsafeMutableRawPointer] = []
        for _ in 0..<2000 { objects.append(try heap.mustAllocate(size: 64)) }
        for _ in 0..<500 { objects.append(try heap.mustAllocate(size: 300)) }
        let slabs64 = (2000 + 62) / 63, slabs384 = 50
        #expect(heap.stats.slabs(sizeClass: 3) == slabs64 && heap.stats.slabs(sizeClass: 8) == slabs384)
        #expect(arena.pagesHeld == slabs64 + slabs384)
        var rng = SeededGenerator(seed: 7)
        objects.shuffle(using: &rng)
        for p in objects { try heap.free(p) }
        #expect(heap.stats.slabs(sizeClass: 3) == 1 && heap.stats.slabs(sizeClass: 8) == 1)
        #expect(arena.pagesHeld == 2 && heap.stats.pagesHeld == 2)
        // The spare is reused before any new page is taken.
        let p = try heap.mustAllocate(size: 64)
        #expect(arena.pagesHeld == 2)
        try heap.free(p)
        heap.releaseSpareSlabs()
        #expect(arena.pagesHeld == 0 && heap.stats.pagesHeld == 0)
    }
}
