import Testing
@testable import LichenCore

private let page = UInt64(pageSize)

@Suite struct MemoryLockTests {
    typealias Map = VirtualMemoryMap<ProcessTestMappedFile>

    @Test func lockSplitsCountsAndMergesBack() throws {
        var m = Map(mmapBase: UserAddr(0x7f00_0000_0000))
        let r = try m.map(length: 8 * page, placement: .anywhere(hint: UserAddr(0)), protection: [.read, .write])
        let s = r.address
        let (populate, failure) = m.setLock(start: s + page, end: s + 3 * page, mode: .populate)
        #expect(failure == nil && populate == [UserRange(start: s + page, end: s + 3 * page)])
        #expect(m.areas.count == 3 && m.lockedBytes == 2 * page)
        #expect(m.lockedBytes(from: s, to: s + 2 * page) == page)
        // RLIMIT_MEMLOCK of 3 pages: 1 more fits, 2 more do not, unless the range is already locked.
        #expect(m.lockFits(page, limit: 3 * page) && !m.lockFits(2 * page, limit: 3 * page))
        #expect(m.lockFits(2 * page, limit: 3 * page, within: UserRange(start: s + page, end: s + 3 * page)))
        _ = m.setLock(start: s, end: s + 8 * page, mode: nil)
        #expect(m.areas.count == 1 && m.lockedBytes == 0)
    }

    @Test func holeStopsWithENOMEMKeepingWhatCameBefore() throws {
        var m = Map(mmapBase: UserAddr(0x7f00_0000_0000))
        let s = try m.map(length: 4 * page, placement: .anywhere(hint: UserAddr(0)), protection: [.read]).address
        _ = try m.unmap(start: s + 2 * page, length: page)
        let (_, failure) = m.setLock(start: s, end: s + 4 * page, mode: .onFault)
        #expect(failure == .ENOMEM && m.lockedBytes == 2 * page)
        #expect(m.setLock(start: s + 2 * page, end: s + 3 * page, mode: .populate).failure == .ENOMEM)
    }

    @Test func lockAllAndFuture() throws {
        var m = Map(mmapBase: UserAddr(0x7f00_0000_0000))
        _ = try m.map(length: 2 * page, placement: .anywhere(hint: UserAddr(0)), protection: [.read])
        #expect(m.setLockAll(current: nil, future: .onFault, unlock: false).isEmpty && m.lockedBytes == 0)
        let f = try m.map(length: 3 * page, placement: .anywhere(hint: UserAddr(0)), protection: [.read, .write])
        #expect(m.lockedBytes == 3 * page && m.area(containing: f.address)?.lockOnFault == true)
        #expect(m.setLockAll(current: .populate, future: nil, unlock: false).count == 2)
        #expect(m.lockedBytes == 5 * page && m.lockFuture == nil)
        _ = m.setLockAll(current: nil, future: nil, unlock: true)
        #expect(m.lockedBytes == 0)
    }
}
