import Testing
@testable import LichenCore

private func r(_ start: UInt64, _ end: UInt64) -> PhysRange { PhysRange(start: PhysAddr(start), end: PhysAddr(end)) }

@Suite struct MemoryMapTests {
    @Test func addMergesAndSorts() {
        var m = MemoryMap([r(0x3000, 0x4000), r(0x1000, 0x2000)])
        #expect(m.ranges == [r(0x1000, 0x2000), r(0x3000, 0x4000)])
        m.add(r(0x2000, 0x3000))
        #expect(m.ranges == [r(0x1000, 0x4000)])
        m.add(r(0x800, 0x1800))
        #expect(m.ranges == [r(0x800, 0x4000)])
        #expect(m.totalSize == 0x3800)
    }
    @Test func removeSplits() {
        var m = MemoryMap([r(0x4000_0000, 0x6000_0000)])
        m.remove(r(0x4020_0000, 0x4040_0000))   // kernel image
        m.remove(r(0x4000_0000, 0x4001_0000))   // DTB at the start
        m.remove(r(0x5fff_0000, 0x7000_0000))   // past the end
        #expect(m.ranges == [r(0x4001_0000, 0x4020_0000), r(0x4040_0000, 0x5fff_0000)])
        m.remove(r(0, 0x1_0000_0000))
        #expect(m.ranges.isEmpty)
        #expect(m.span == nil)
    }
    @Test func takeAligned() {
        var m = MemoryMap([r(0x1000, 0x3000), r(0x10_0000, 0x40_0000)])
        let t = m.take(size: 0x20_0000, alignment: 0x20_0000)
        #expect(t == r(0x20_0000, 0x40_0000))
        #expect(m.ranges == [r(0x1000, 0x3000), r(0x10_0000, 0x20_0000)])
        #expect(m.take(size: 0x100_0000) == nil)
        #expect(m.take(size: 0x1000) == r(0x1000, 0x2000))
        #expect(m.span == r(0x2000, 0x20_0000))
    }
}
