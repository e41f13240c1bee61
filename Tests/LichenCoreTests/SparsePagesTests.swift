import Testing
@testable import LichenCore

@Suite struct SparsePagesTests {
    @Test func storesAndFindsByIndexInAnyOrder() {
        var p = SparsePages<Int>()
        for index: UInt64 in [5, 1, 1 << 40, 3, UInt64.max, 0] { p.set(Int(truncatingIfNeeded: index % 1000), at: index) }
        #expect(p.count == 6 && p[3] == 3 && p[1 << 40] == Int((1 << 40) % 1000) && p[0] == 0 && p[UInt64.max] != nil)
        #expect(p[2] == nil && p[4] == nil && p[1 << 41] == nil)
        p.set(42, at: 3)
        #expect(p.count == 6 && p[3] == 42)
        #expect(p.remove(1..<6) == [1, 42, 5] && p.count == 3 && p[3] == nil && p[0] == 0)
        #expect(p.remove(7..<8).isEmpty && p.count == 3)
    }
}
