import Testing
@testable import LichenCore

private let MiB: UInt64 = 1 << 20

@Suite struct FrameAllocatorStressTests {
    /// Random allocations and frees (fixed seed) on memory with a hole and ragged edges,
    /// checking the invariants, the counters and that no two live blocks overlap.
    @Test func randomizedAllocFree() throws {
        let base: UInt64 = 0x8000_0000
        let span = PhysRange(start: PhysAddr(base), size: 16 * MiB)
        let ranges = [
            PhysRange(start: PhysAddr(base), end: PhysAddr(base + 5 * MiB + 0x3000)),
            PhysRange(start: PhysAddr(base + 6 * MiB + 0x1000), end: PhysAddr(base + 16 * MiB)),
        ]
        let a = FrameArena(span: span, free: ranges)
        let initialBlocks = a.blocks
        let total = a.allocator.stats.totalFrames
        var owned = [Bool](repeating: false, count: 4096)  // by frame index in the span
        var live: [(addr: PhysAddr, order: Int)] = []
        var liveFrames = 0
        var rng = SeededGenerator(seed: 0x11C4E7)

        for step in 0..<6000 {
            if live.isEmpty || rng.next() % 100 < 55 {
                let r = rng.next() % 100
                let order = r < 50 ? 0 : r < 85 ? Int(1 + rng.next() % 3) : Int(4 + rng.next() % 7)
                do {
                    let addr = try a.allocator.allocate(order: order)
                    #expect(addr.isAligned(to: UInt64(pageSize) << UInt64(order)))
                    #expect(ranges.contains { addr >= $0.start && addr + (UInt64(pageSize) << UInt64(order)) <= $0.end })
                    let first = Int((addr - span.start) >> UInt64(pageShift))
                    for f in first..<(first + (1 << order)) {
                        #expect(!owned[f], "frame \(f) handed out twice")
                        owned[f] = true
                    }
                    live.append((addr, order))
                    liveFrames += 1 << order
                } catch {
                    #expect(error == .outOfMemory)
                    for o in order...FrameAllocator.maxOrder { #expect(a.allocator.stats.freeBlocks(order: o) == 0) }
                }
            } else {
                let victim = live.remove(at: Int(rng.next() % UInt64(live.count)))
                try a.allocator.free(victim.addr, order: victim.order)
                let first = Int((victim.addr - span.start) >> UInt64(pageShift))
                for f in first..<(first + (1 << victim.order)) { owned[f] = false }
                liveFrames -= 1 << victim.order
            }
            let stats = a.allocator.stats
            #expect(stats.freeFrames + liveFrames == total)
            #expect(stats.allocations - stats.frees == live.count)
            let blockFrames = (0...FrameAllocator.maxOrder).reduce(0) { $0 + stats.freeBlocks(order: $1) << $1 }
            #expect(blockFrames == stats.freeFrames)
            if step % 250 == 0 { #expect(a.allocator.checkConsistency()) }
        }
        for b in live { try a.allocator.free(b.addr, order: b.order) }
        #expect(a.blocks == initialBlocks)
        #expect(a.allocator.stats.freeFrames == total)
        #expect(a.allocator.checkConsistency())
    }
}
