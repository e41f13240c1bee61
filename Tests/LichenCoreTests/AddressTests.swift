import Testing
@testable import LichenCore

@Suite struct AddressTests {
    @Test func alignment() {
        let a = PhysAddr(0x4000_1234)
        #expect(a.pageAlignedDown == PhysAddr(0x4000_1000))
        #expect(a.pageAlignedUp == PhysAddr(0x4000_2000))
        #expect(a.pageOffset == 0x234)
        #expect(!a.isPageAligned)
        #expect(PhysAddr(0x4000_0000).isAligned(to: 1 << 21))
        #expect(VirtAddr(UInt64.max).alignedUp(to: 4096) == VirtAddr(0))
    }
    @Test func framesAndPages() {
        #expect(PhysAddr(0x4000_3fff).frame == FrameNumber(0x40003))
        #expect(FrameNumber(0x40003).address == PhysAddr(0x4000_3000))
        #expect(UserAddr(0x40_0123).page.userAddress == UserAddr(0x40_0000))
    }
    @Test func userRanges() {
        #expect(UserAddr(0x40_0000).rangeIsUser(count: 4096))
        #expect(UserAddr(UserAddr.limit - 8).rangeIsUser(count: 8))
        #expect(!UserAddr(UserAddr.limit - 8).rangeIsUser(count: 9))
        #expect(!UserAddr(0x0000_ff80_0000_0000).rangeIsUser(count: 1))   // the kernel image
        #expect(!UserAddr(UInt64.max - 1).rangeIsUser(count: 4))            // wraps
        #expect(!UserAddr(0x1000).rangeIsUser(count: -1))
    }
    @Test func ranges() {
        let r = PhysRange(start: PhysAddr(0x1000), size: 0x2000)
        #expect(r.end == PhysAddr(0x3000))
        #expect(r.contains(PhysAddr(0x2fff)) && !r.contains(PhysAddr(0x3000)))
        #expect(r.overlaps(PhysRange(start: PhysAddr(0x2000), size: 0x10)))
        #expect(!r.overlaps(PhysRange(start: PhysAddr(0x3000), size: 0x10)))
        #expect(PhysAddr(0x3000) - PhysAddr(0x1000) == 0x2000)
    }
}
