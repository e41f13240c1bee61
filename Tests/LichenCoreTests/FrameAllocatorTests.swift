import Testing
@testable import LichenCore

private let MiB: UInt64 = 1 << 20

@Suite struct FrameAllocatorTests {
    let base: UInt64 = 0x4000_0000

    @Test func metadataSizing() {
        #expect(MemoryLayout<FrameInfo>.stride <= 16)
        #expect(FrameAllocatorStats().blockCounts.count == FrameAllocator.maxOrder + 1)
        #expect(FrameAllocator.metadataCount(for: PhysRange(start: PhysAddr(base), size: 8 * MiB)) == 2048)
        // The start rounds down to a 4 MiB block, the end up to a page.
        let odd = PhysRange(start: PhysAddr(base + MiB), size: 0x1800)
        #expect(FrameAllocator.metadataCount(for: odd) == 256 + 2)
        #expect(FrameAllocator.metadataCount(for: PhysRange(start: PhysAddr(base), size: 0)) == 0)
    }

    @Test func everyFrameStartsReserved() {
        let a = FrameArena(span: PhysRange(start: PhysAddr(base), size: 8 * MiB))
        #expect(a.allocator.stats.totalFrames == 0)
        #expect(throws: MemoryError.outOfMemory) { try a.allocator.allocate() }
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(PhysAddr(base)) }
        #expect(a.allocator.checkConsistency())
    }

    @Test func allocationKeepingAReserve() {
        let a = FrameArena(start: base, size: 8 * MiB)      // 2048 frames
        var taken = 0
        while a.allocator.allocate(keeping: 2000) != nil { taken += 1 }
        #expect(taken == 48 && a.allocator.stats.freeFrames == 2000)
        #expect(a.allocator.allocate(keeping: 1999) != nil)   // a smaller reserve still allows one more
        #expect(a.allocator.checkConsistency())
    }

    @Test func freeRangeFormsMaxOrderBlocks() {
        let a = FrameArena(start: base, size: 8 * MiB)
        #expect(a.allocator.stats.totalFrames == 2048)
        #expect(a.allocator.stats.freeFrames == 2048)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])
        // Adding the same memory again changes nothing.
        a.allocator.addFreeRange(PhysRange(start: PhysAddr(base), size: 8 * MiB))
        #expect(a.allocator.stats.totalFrames == 2048)
        #expect(a.allocator.checkConsistency())
    }

    @Test func splitsAndMergesBack() throws {
        let a = FrameArena(start: base, size: 8 * MiB)
        let p = try a.allocator.allocate()
        #expect(a.blocks == [1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1])
        #expect(a.allocator.stats.freeFrames == 2047)
        #expect(a.allocator.checkConsistency())
        try a.allocator.free(p)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])

        // Blocks of every order are naturally aligned; freeing them all merges everything.
        var blocks: [(PhysAddr, Int)] = []
        for order in 0...FrameAllocator.maxOrder {
            let b = try a.allocator.allocate(order: order)
            #expect(b.isAligned(to: UInt64(pageSize) << UInt64(order)))
            blocks.append((b, order))
        }
        #expect(a.allocator.stats.freeFrames == 2048 - 2047)
        #expect(a.allocator.checkConsistency())
        for (b, order) in blocks.reversed() { try a.allocator.free(b, order: order) }
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])
        #expect(a.allocator.stats.allocations == 12 && a.allocator.stats.frees == 12)
        #expect(a.allocator.checkConsistency())
    }

    @Test func fragmentationThenFullMerge() throws {
        let a = FrameArena(start: base, size: 64 * UInt64(pageSize))
        var frames: [PhysAddr] = []
        for _ in 0..<64 { frames.append(try a.allocator.allocate()) }
        #expect(Set(frames).count == 64)
        #expect(throws: MemoryError.outOfMemory) { try a.allocator.allocate() }
        frames.sort()
        for f in stride(from: 0, to: 64, by: 2) { try a.allocator.free(frames[f]) }
        #expect(a.allocator.stats.freeFrames == 32)
        #expect(a.allocator.stats.freeBlocks(order: 0) == 32)
        #expect(throws: MemoryError.outOfMemory) { try a.allocator.allocate(order: 1) }
        for f in stride(from: 1, to: 64, by: 2) { try a.allocator.free(frames[f]) }
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0])
        #expect(a.allocator.checkConsistency())
    }

    @Test func exhaustionAndInvalidOrders() throws {
        let a = FrameArena(start: base, size: 8 * MiB)
        _ = try a.allocator.allocate(order: 10)
        _ = try a.allocator.allocate(order: 10)
        #expect(a.allocator.stats.freeFrames == 0)
        #expect(throws: MemoryError.outOfMemory) { try a.allocator.allocate(order: 0) }
        #expect(throws: MemoryError.invalidOrder) { try a.allocator.allocate(order: 11) }
        #expect(throws: MemoryError.invalidOrder) { try a.allocator.allocate(order: -1) }
        #expect(throws: MemoryError.invalidOrder) { try a.allocator.free(PhysAddr(base), order: 11) }
        #expect(a.allocator.stats.allocations == 2)
    }

    @Test func doubleFrees() throws {
        let a = FrameArena(start: base, size: 8 * MiB)
        let x = try a.allocator.allocate()
        let y = try a.allocator.allocate()
        try a.allocator.free(x)
        #expect(throws: MemoryError.doubleFree) { try a.allocator.free(x) }
        try a.allocator.free(y)  // now merged into a larger block: x and y are tails or heads
        #expect(throws: MemoryError.doubleFree) { try a.allocator.free(y) }
        #expect(throws: MemoryError.doubleFree) { try a.allocator.free(x) }
        let big = try a.allocator.allocate(order: 3)
        try a.allocator.free(big, order: 3)
        #expect(throws: MemoryError.doubleFree) { try a.allocator.free(big, order: 3) }
        #expect(a.allocator.stats.frees == 3)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])
    }

    @Test func invalidAddresses() throws {
        // 4 MiB span, only the upper 2 MiB usable.
        let span = PhysRange(start: PhysAddr(base), size: 4 * MiB)
        let a = FrameArena(span: span, free: [PhysRange(start: PhysAddr(base + 2 * MiB), size: 2 * MiB)])
        let block = try a.allocator.allocate(order: 2)
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(PhysAddr(base)) }            // reserved
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(PhysAddr(base - 0x1000)) }   // below span
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(PhysAddr(base + 4 * MiB)) }  // above span
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(block + 8, order: 2) }        // misaligned
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(block + 0x1000) }            // inside a block
        #expect(throws: MemoryError.orderMismatch) { try a.allocator.free(block, order: 1) }
        // Free but never handed out.
        let untouched = block == PhysAddr(base + 2 * MiB) ? PhysAddr(base + 3 * MiB) : PhysAddr(base + 2 * MiB)
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(untouched) }
        // The failed attempts changed nothing: the block still frees with its real order.
        try a.allocator.free(block, order: 2)
        #expect(a.allocator.stats.frees == 1)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0])
        #expect(a.allocator.checkConsistency())
    }

    @Test func holesAndUnalignedEdges() throws {
        let span = PhysRange(start: PhysAddr(base), size: 16 * MiB)
        let ranges = [
            PhysRange(start: PhysAddr(base + 0x800), end: PhysAddr(base + 2 * MiB)),            // frames 1..<512
            PhysRange(start: PhysAddr(base + 3 * MiB), end: PhysAddr(base + 16 * MiB - 0x800)), // frames 768..<4095
        ]
        let a = FrameArena(span: span, free: ranges)
        #expect(a.allocator.stats.totalFrames == 511 + 3327)
        #expect(a.blocks == [2, 2, 2, 2, 2, 2, 2, 2, 3, 1, 2])
        #expect(a.allocator.checkConsistency())
        var seen = Set<PhysAddr>()
        while let f = try? a.allocator.allocate() {
            let inside = ranges.contains { f >= $0.start.pageAlignedUp && f + 0x1000 <= $0.end }
            #expect(inside, "frame \(f.value) is outside the free ranges")
            seen.insert(f)
        }
        #expect(seen.count == 3838)
        for f in seen { try a.allocator.free(f) }
        #expect(a.blocks == [2, 2, 2, 2, 2, 2, 2, 2, 3, 1, 2])
    }

    @Test func unalignedSpanKeepsNaturalAlignment() throws {
        let a = FrameArena(start: base + MiB, size: 8 * MiB)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 2, 1, 1])
        let big = try a.allocator.allocate(order: 10)
        #expect(big == PhysAddr(base + 4 * MiB))
        #expect(throws: MemoryError.outOfMemory) { try a.allocator.allocate(order: 10) }
        let mid = try a.allocator.allocate(order: 9)
        #expect(mid == PhysAddr(base + 2 * MiB))
    }

    @Test func reserveCarvesFreeBlocks() throws {
        let a = FrameArena(start: base, size: 8 * MiB)
        let hole = PhysRange(start: PhysAddr(base + 0x1800), end: PhysAddr(base + 0x2800))
        #expect(a.allocator.reserve(hole) == 2)  // rounded outward: frames 1 and 2
        #expect(a.allocator.reserve(hole) == 0)
        #expect(a.allocator.stats.totalFrames == 2046)
        #expect(a.allocator.checkConsistency())
        #expect(throws: MemoryError.invalidAddress) { try a.allocator.free(PhysAddr(base + 0x1000)) }
        var all: [PhysAddr] = []
        while let f = try? a.allocator.allocate() { all.append(f) }
        #expect(all.count == 2046)
        #expect(!all.contains(PhysAddr(base + 0x1000)) && !all.contains(PhysAddr(base + 0x2000)))
        // Allocated frames are not taken away.
        #expect(a.allocator.reserve(PhysRange(start: PhysAddr(base), size: 8 * MiB)) == 0)
        for f in all { try a.allocator.free(f) }
        a.allocator.addFreeRange(hole.expandedToPages)
        #expect(a.blocks == [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 2])
        #expect(a.allocator.checkConsistency())
    }
}

fileprivate extension PhysRange {
    var expandedToPages: PhysRange { PhysRange(start: start.pageAlignedDown, end: end.pageAlignedUp) }
}
