import Testing
@testable import LichenCore

final class ProcessTestMappedFile {}

private let page = UInt64(pageSize)
private func a(_ v: UInt64) -> UserAddr { UserAddr(v) }

@Suite struct ProcessMemoryMapTests {
    typealias Map = VirtualMemoryMap<ProcessTestMappedFile>
    static let base = UserAddr(0x7f00_0000_0000)

    func map() -> Map { Map(mmapBase: ProcessMemoryMapTests.base) }

    @Test func mmapPlacesTopDownBelowTheBase() throws {
        var m = map()
        let r1 = try m.map(length: 3 * page, placement: .anywhere(hint: a(0)), protection: [.read, .write])
        #expect(r1.address == ProcessMemoryMapTests.base - 3 * page && r1.replaced.isEmpty)
        let r2 = try m.map(length: 1, placement: .anywhere(hint: a(0)), protection: [.read])
        #expect(r2.address == r1.address - page)
        #expect(m.areas.count == 2)   // different protections: no merge
        let r3 = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read])
        #expect(r3.address == r2.address - page)
        #expect(m.areas.count == 2)   // merged with r2: same attributes, adjacent
        #expect(m.areas[0].start == r3.address && m.areas[0].end == r1.address)
        #expect(m.totalSize == 5 * page)
    }

    @Test func fullyMappedSeesHoles() throws {
        var m = map()
        let r1 = try m.map(length: 2 * page, placement: .anywhere(hint: a(0)), protection: [.read])
        let r2 = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read, .write])
        #expect(m.isFullyMapped(r2.address, r1.address + 2 * page))          // two adjacent areas
        #expect(m.isFullyMapped(r1.address + 1, r1.address + 2))
        _ = try m.unmap(start: r1.address, length: page)
        #expect(!m.isFullyMapped(r2.address, r1.address + 2 * page))         // a hole in the middle
        #expect(!m.isFullyMapped(r1.address + 2 * page, r1.address + 3 * page))
    }

    @Test func accessibleLengthStopsAtHolesAndForbiddenAreas() throws {
        var m = map()
        let r1 = try m.map(length: 2 * page, placement: .anywhere(hint: a(0)), protection: [.read])
        let r2 = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read, .write])
        // r2 (rw) then r1 (r): a write stops at r1, a read goes through both.
        #expect(m.accessibleLength(from: r2.address + 100, count: 10 * Int(page), access: .write) == Int(page) - 100)
        #expect(m.accessibleLength(from: r2.address + 100, count: 10 * Int(page), access: .read) == 3 * Int(page) - 100)
        #expect(m.accessibleLength(from: r2.address, count: 5, access: .read) == 5)
        #expect(m.accessibleLength(from: r1.address, count: 5, access: .write) == 0)
        #expect(m.accessibleLength(from: r2.address, count: 0, access: .read) == 0)
        _ = try m.protect(start: r1.address + page, length: page, protection: [])
        #expect(m.accessibleLength(from: r2.address, count: 10 * Int(page), access: .read) == 2 * Int(page))
        _ = try m.unmap(start: r1.address, length: page)                   // a hole after r2
        #expect(m.accessibleLength(from: r2.address + 1, count: 2 * Int(page), access: .read) == Int(page) - 1)
        #expect(m.accessibleLength(from: r1.address, count: 2 * Int(page), access: .read) == 0)
        #expect(m.accessibleLength(from: UserAddr(UserAddr.limit - 8), count: 100, access: .read) == 0)
        // Below a stack, within the room it may grow into: accessible (the fault grows it).
        var s = map()
        let top = ProcessMemoryMapTests.base + 64 * page
        s.add(.init(start: top - 4 * page, end: top, protection: [.read, .write], kind: .stack, growsDown: true))
        #expect(s.accessibleLength(from: top - 6 * page, count: 3 * Int(page), access: .write) == 3 * Int(page))
        #expect(s.accessibleLength(from: top - 6 * page, count: 10 * Int(page), access: .write) == 6 * Int(page))
        #expect(s.accessibleLength(from: top - 9 * page * 1024, count: 8, access: .write) == 0)   // beyond the limit
    }

    @Test func mmapHonoursAFreeHintOnly() throws {
        var m = map()
        let hinted = try m.map(length: page, placement: .anywhere(hint: a(0x1234_5678)), protection: [.read])
        #expect(hinted.address == a(0x1234_5000))
        // Occupied hint: top-down instead.
        let again = try m.map(length: page, placement: .anywhere(hint: a(0x1234_5000)), protection: [.read])
        #expect(again.address == ProcessMemoryMapTests.base - page)
        // A hint below mmap_min_addr is ignored.
        let low = try m.map(length: page, placement: .anywhere(hint: a(0x1000)), protection: [.read])
        #expect(low.address == ProcessMemoryMapTests.base - 2 * page)
    }

    @Test func mmapErrors() {
        var m = map()
        #expect(throws: Errno.EINVAL) { try m.map(length: 0, placement: .anywhere(hint: a(0)), protection: [.read]) }
        #expect(throws: Errno.ENOMEM) { try m.map(length: UInt64.max, placement: .anywhere(hint: a(0)), protection: [.read]) }
        #expect(throws: Errno.ENOMEM) { try m.map(length: UserAddr.limit + page, placement: .anywhere(hint: a(0)), protection: [.read]) }
        #expect(throws: Errno.EINVAL) { try m.map(length: page, placement: .fixed(a(0x10_0001)), protection: [.read]) }
        #expect(throws: Errno.ENOMEM) { try m.map(length: 2 * page, placement: .fixed(a(UserAddr.limit - page)), protection: [.read]) }
        #expect(throws: Errno.EPERM) { try m.map(length: page, placement: .fixed(a(0x1000)), protection: [.read]) }
        let f = ProcessTestMappedFile()
        #expect(throws: Errno.EINVAL) {
            try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read], backing: f, fileOffset: 100)
        }
        #expect(throws: Errno.EOVERFLOW) {
            try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read], backing: f,
                      fileOffset: UInt64.max & ~(page - 1))
        }
        #expect(m.areas.isEmpty)
    }

    @Test func mapFixedReplacesAndNoReplaceRefuses() throws {
        var m = map()
        let f = ProcessTestMappedFile()
        _ = try m.map(length: 4 * page, placement: .fixed(a(0x40_0000)), protection: [.read], backing: f, fileOffset: 0)
        #expect(throws: Errno.EEXIST) {
            try m.map(length: page, placement: .fixedNoReplace(a(0x40_1000)), protection: [.read, .write])
        }
        _ = try m.map(length: page, placement: .fixedNoReplace(a(0x40_4000)), protection: [.read, .write])
        let r = try m.map(length: page, placement: .fixed(a(0x40_1000)), protection: [.read, .write])
        #expect(r.replaced.count == 1 && r.replaced[0].start == a(0x40_1000) && r.replaced[0].end == a(0x40_2000))
        #expect(r.replaced[0].fileOffset == page && r.replaced[0].backing === f)
        // file [0x400000,0x401000) anon [0x401000,0x402000) file [0x402000,0x404000) offset 2 pages, anon 0x404000
        #expect(m.areas.count == 4)
        #expect(m.areas[2].start == a(0x40_2000) && m.areas[2].fileOffset == 2 * page)
    }

    @Test func munmapSplitsAndRemoves() throws {
        var m = map()
        _ = try m.map(length: 10 * page, placement: .fixed(a(0x100_0000)), protection: [.read, .write])
        let removed = try m.unmap(start: a(0x100_2000), length: 3 * page - 5)
        #expect(removed.count == 1 && removed[0].start == a(0x100_2000) && removed[0].end == a(0x100_5000))
        #expect(m.areas.count == 2)
        #expect(m.areas[0].range == UserRange(start: a(0x100_0000), end: a(0x100_2000)))
        #expect(m.areas[1].range == UserRange(start: a(0x100_5000), end: a(0x100_a000)))
        // Across both pieces and a hole.
        let more = try m.unmap(start: a(0x100_1000), length: 5 * page)
        #expect(more.count == 2 && more[0].length == page && more[1].length == page)
        #expect(m.areas.count == 2 && m.areas[1].start == a(0x100_6000))
        // Nothing mapped: success, nothing removed.
        #expect(try m.unmap(start: a(0x200_0000), length: page).isEmpty)
        #expect(throws: Errno.EINVAL) { try m.unmap(start: a(0x100_0001), length: page) }
        #expect(throws: Errno.EINVAL) { try m.unmap(start: a(0x100_0000), length: 0) }
        #expect(throws: Errno.EINVAL) { try m.unmap(start: a(UserAddr.limit - page), length: 2 * page) }
    }

    @Test func mprotectSplitsMergesAndFails() throws {
        var m = map()
        _ = try m.map(length: 4 * page, placement: .fixed(a(0x100_0000)), protection: [.read, .write])
        let changed = try m.protect(start: a(0x100_1000), length: page, protection: [.read])
        #expect(changed == [UserRange(start: a(0x100_1000), end: a(0x100_2000))])
        #expect(m.areas.count == 3 && m.areas[1].protection == [.read])
        // Back: merges into one again.
        try m.protect(start: a(0x100_1000), length: page, protection: [.read, .write])
        #expect(m.areas.count == 1)
        #expect(throws: Errno.EINVAL) { try m.protect(start: a(0x100_0800), length: page, protection: [.read]) }
        #expect(throws: Errno.ENOMEM) { try m.protect(start: a(0x200_0000), length: page, protection: [.read]) }
        #expect(try m.protect(start: a(0x200_0000), length: 0, protection: [.read]).isEmpty)
        // A hole after the first area: ENOMEM, but the part before the hole changed (as Linux).
        _ = try m.map(length: page, placement: .fixed(a(0x100_5000)), protection: [.read, .write])
        #expect(throws: Errno.ENOMEM) { try m.protect(start: a(0x100_3000), length: 3 * page, protection: [.read]) }
        #expect(m.area(containing: a(0x100_3000))?.protection == [.read])
        #expect(m.area(containing: a(0x100_5000))?.protection == [.read, .write])
    }

    @Test func mprotectRespectsMaximumProtection() throws {
        var m = map()
        let f = ProcessTestMappedFile()
        // A shared mapping of a file opened read-only.
        _ = try m.map(length: 2 * page, placement: .fixed(a(0x300_0000)), protection: [.read],
                      maximumProtection: [.read, .execute], sharing: .shared, backing: f)
        #expect(throws: Errno.EACCES) { try m.protect(start: a(0x300_0000), length: page, protection: [.read, .write]) }
        try m.protect(start: a(0x300_0000), length: page, protection: [.read, .execute])
        #expect(m.areas.count == 2 && m.areas[0].protection == [.read, .execute])
    }

    @Test func mremapShrinksGrowsAndMoves() throws {
        var m = map()
        _ = try m.map(length: 2 * page, placement: .fixed(a(0x100_0000)), protection: [.read, .write])
        // Same size: nothing changes (and nothing is split).
        let same = try m.remap(oldAddress: a(0x100_0000), oldSize: page, newSize: page, flags: [])
        #expect(same.address == a(0x100_0000) && same.released.isEmpty && m.areas.count == 1)
        // Grow in place.
        var r = try m.remap(oldAddress: a(0x100_0000), oldSize: 2 * page, newSize: 4 * page, flags: [])
        #expect(r.address == a(0x100_0000) && r.movedFrom == nil && m.areas[0].end == a(0x100_4000))
        // Shrink.
        r = try m.remap(oldAddress: a(0x100_0000), oldSize: 4 * page, newSize: page + 1, flags: [])
        #expect(r.address == a(0x100_0000) && r.released.count == 1 && r.released[0].start == a(0x100_2000))
        #expect(m.areas[0].end == a(0x100_2000))
        // Blocked: ENOMEM without MAYMOVE, moved with it.
        _ = try m.map(length: page, placement: .fixed(a(0x100_2000)), protection: [.read])
        #expect(throws: Errno.ENOMEM) { try m.remap(oldAddress: a(0x100_0000), oldSize: 2 * page, newSize: 3 * page, flags: []) }
        r = try m.remap(oldAddress: a(0x100_0000), oldSize: 2 * page, newSize: 3 * page, flags: .mayMove)
        #expect(r.address == ProcessMemoryMapTests.base - 3 * page)
        #expect(r.movedFrom == UserRange(start: a(0x100_0000), end: a(0x100_2000)))
        #expect(m.area(containing: a(0x100_0000)) == nil)
        #expect(m.area(containing: r.address)?.protection == [.read, .write])
        // MREMAP_FIXED.
        r = try m.remap(oldAddress: r.address, oldSize: 3 * page, newSize: 3 * page, flags: [.mayMove, .fixed],
                        newAddress: a(0x500_0000))
        #expect(r.address == a(0x500_0000) && m.area(containing: a(0x500_2000)) != nil)
    }

    @Test func mremapErrors() throws {
        var m = map()
        _ = try m.map(length: 2 * page, placement: .fixed(a(0x100_0000)), protection: [.read])
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: a(0x100_0000), oldSize: page, newSize: page, flags: .fixed) }
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: a(0x100_0000), oldSize: page, newSize: page, flags: MemoryRemapFlags(rawValue: 8)) }
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: a(0x100_0001), oldSize: page, newSize: page, flags: []) }
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: a(0x100_0000), oldSize: page, newSize: 0, flags: []) }
        #expect(throws: Errno.EFAULT) { try m.remap(oldAddress: a(0x200_0000), oldSize: page, newSize: 2 * page, flags: .mayMove) }
        #expect(throws: Errno.EFAULT) { try m.remap(oldAddress: a(0x100_0000), oldSize: 3 * page, newSize: 4 * page, flags: .mayMove) }
        #expect(throws: Errno.EINVAL) {
            try m.remap(oldAddress: a(0x100_0000), oldSize: 2 * page, newSize: 2 * page, flags: [.mayMove, .fixed],
                        newAddress: a(0x100_1000))
        }
    }

    @Test func brkGrowsShrinksAndStopsAtMappings() throws {
        var m = map()
        m.add(.init(start: a(0x40_0000), end: a(0x40_2000), protection: [.read, .execute], kind: .code))
        m.setInitialBreak(a(0x40_3000))
        #expect(m.setBreak(a(0)).current == a(0x40_3000))          // brk(0) queries
        #expect(m.setBreak(a(0x40_2fff)).current == a(0x40_3000))   // below the start: refused
        #expect(m.setBreak(a(0x40_3010)).current == a(0x40_3010))
        #expect(m.areas.last?.kind == .heap && m.areas.last?.range == UserRange(start: a(0x40_3000), end: a(0x40_4000)))
        #expect(m.setBreak(a(0x40_8000)).current == a(0x40_8000))
        #expect(m.areas.count == 2 && m.areas[1].end == a(0x40_8000))
        let shrink = m.setBreak(a(0x40_5001))
        #expect(shrink.current == a(0x40_5001) && shrink.released.count == 1)
        #expect(shrink.released[0].range == UserRange(start: a(0x40_6000), end: a(0x40_8000)))
        // A mapping above: growth stops a page short of it.
        _ = try m.map(length: page, placement: .fixed(a(0x41_0000)), protection: [.read])
        #expect(m.setBreak(a(0x41_0000)).current == a(0x40_5001))
        #expect(m.setBreak(a(0x40_f000)).current == a(0x40_f000))
        // Shrinking back to the start removes the heap area.
        _ = m.setBreak(a(0x40_3000))
        #expect(m.areas.count == 2 && m.areas[1].start == a(0x41_0000))
    }

    @Test func faultClassification() throws {
        var m = map()
        let f = ProcessTestMappedFile()
        _ = try m.map(length: 2 * page, placement: .fixed(a(0x40_0000)), protection: [.read, .execute], backing: f,
                      fileOffset: 4 * page, kind: .code)
        _ = try m.map(length: page, placement: .fixed(a(0x50_0000)), protection: [.read, .write])
        _ = try m.map(length: page, placement: .fixed(a(0x60_0000)), protection: [.read, .write], sharing: .shared, backing: f)
        _ = try m.map(length: page, placement: .fixed(a(0x70_0000)), protection: [])

        guard case .signal(11, LinuxSigInfo.SEGV_MAPERR) = m.resolveFault(at: a(0x45_0000), access: .read) else { Issue.record(); return }
        guard case .signal(11, LinuxSigInfo.SEGV_MAPERR) = m.resolveFault(at: a(UserAddr.limit + 5), access: .read) else { Issue.record(); return }
        guard case .signal(11, LinuxSigInfo.SEGV_ACCERR) = m.resolveFault(at: a(0x40_0010), access: .write) else { Issue.record(); return }
        guard case .signal(11, LinuxSigInfo.SEGV_ACCERR) = m.resolveFault(at: a(0x50_0000), access: .execute) else { Issue.record(); return }
        guard case .signal(11, LinuxSigInfo.SEGV_ACCERR) = m.resolveFault(at: a(0x70_0000), access: .read) else { Issue.record(); return }

        guard case .map(let code) = m.resolveFault(at: a(0x40_1abc), access: .execute),
              case .file(let backing, let offset) = code.source else { Issue.record(); return }
        #expect(backing === f && offset == 5 * page && code.page == a(0x40_1000) && !code.copyOnWrite && code.kind == .code)

        guard case .map(let anon) = m.resolveFault(at: a(0x50_0008), access: .write), case .zero = anon.source else {
            Issue.record(); return
        }
        #expect(anon.copyOnWrite && anon.protection == [.read, .write] && anon.sharing == .private && anon.kind == .mmap)

        guard case .map(let shared) = m.resolveFault(at: a(0x60_0000), access: .write) else { Issue.record(); return }
        #expect(!shared.copyOnWrite && shared.sharing == .shared)

        // A private file page written: copy-on-write of the file page.
        try m.protect(start: a(0x40_0000), length: page, protection: [.read, .write])
        guard case .map(let cow) = m.resolveFault(at: a(0x40_0000), access: .write),
              case .file(_, let cowOffset) = cow.source else { Issue.record(); return }
        #expect(cow.copyOnWrite && cowOffset == 4 * page)
    }

    @Test func stackGrowsDownWithinItsLimitAndGap() throws {
        var m = map()
        let top = a(0x7fff_0000_0000)
        m.stackLimit = 64 * page
        m.add(.init(start: top - 4 * page, end: top, protection: [.read, .write], kind: .stack, growsDown: true))
        guard case .map(let grown) = m.resolveFault(at: top - 10 * page + 8, access: .write) else { Issue.record(); return }
        #expect(grown.grewStack && grown.page == top - 10 * page)
        #expect(m.areas.last?.start == top - 10 * page)
        // Beyond RLIMIT_STACK.
        guard case .signal(11, 1) = m.resolveFault(at: top - 65 * page, access: .write) else { Issue.record(); return }
        // mmap keeps out of the guard gap, and growth keeps the gap to the area below.
        let below = try m.map(length: page, placement: .anywhere(hint: top - 11 * page), protection: [.read])
        #expect(below.address <= top - 10 * page - m.stackGuardGap - page)
        m.stackLimit = 1 << 40
        _ = try m.map(length: page, placement: .fixed(top - 300 * page), protection: [.read])
        guard case .signal(11, 1) = m.resolveFault(at: top - 100 * page, access: .read) else { Issue.record(); return }
        guard case .map = m.resolveFault(at: top - 20 * page, access: .read) else { Issue.record(); return }
    }

    @Test func manyMappingsStaySortedAndFindGaps() throws {
        var m = Map(mmapBase: a(0x100_0000 + 64 * page), minimumAddress: a(0x100_0000))
        var addresses: [UserAddr] = []
        for i in 0..<64 {
            let prot: MemoryProtection = i % 2 == 0 ? [.read] : [.read, .write]
            addresses.append(try m.map(length: page, placement: .anywhere(hint: a(0)), protection: prot).address)
        }
        #expect(m.areas.count == 64)
        for i in 1..<m.areas.count { #expect(m.areas[i - 1].end <= m.areas[i].start) }
        // Free one page in the middle: the next mmap of one page finds exactly that hole (highest gap
        // below the base).
        _ = try m.unmap(start: addresses[10], length: page)
        let again = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.execute])
        #expect(again.address == addresses[10])
        // Nothing fits below the base any more: falls back to the space above it.
        let above = try m.map(length: 2 * page, placement: .anywhere(hint: a(0)), protection: [.read])
        #expect(above.address > m.mmapBase)
    }

    @Test func execLayoutHelpers() {
        let top = UserAddr(0x7fff_ffff_f000)
        let base = Map.defaultMmapBase(stackTop: top, stackLimit: 8 << 20)
        #expect(base == top - (128 << 20) - 256 * page)
        #expect(Map.defaultMmapBase(stackTop: top, stackLimit: 1 << 30) == top - (1 << 30) - 256 * page)
        var m = Map(mmapBase: base)
        m.addStack(top: top, size: 132 * 1024 + 1)
        #expect(m.areas.count == 1 && m.areas[0].growsDown && m.areas[0].kind == .stack)
        #expect(m.areas[0].end == top && m.areas[0].length == 34 * page)   // 132 KiB + 1 byte rounds up
    }

    @Test func growsDownMappingGrowsOnAFaultBelowIt() throws {
        var m = map()
        let top = a(0x40_0000_0000)
        _ = try m.map(length: 2 * page, placement: .fixedNoReplace(top), protection: [.read, .write], growsDown: true)
        guard case .map(let grown) = m.resolveFault(at: top - 1, access: .write) else { Issue.record(); return }
        #expect(grown.grewStack && grown.page == top - page && m.areas[0].start == top - page)
        _ = try m.map(length: page, placement: .fixed(top - 400 * page), protection: [.read])
        guard case .signal(11, LinuxSigInfo.SEGV_MAPERR) = m.resolveFault(at: top - 300 * page, access: .write) else { Issue.record(); return }
        guard case .map = m.resolveFault(at: top - 100 * page, access: .read) else { Issue.record(); return }
    }

}

/// Issue 13: with thousands of areas, the map's operations take steps that do not grow with the
/// number of areas (lookups in O(log n), mmap's search for room skipping whole chunks): a per-area
/// scan creeping back fails here, not in a timing.
@Suite struct ProcessMemoryMapScaleTests {
    typealias Map = VirtualMemoryMap<ProcessTestMappedFile>

    /// `n` one-page areas that cannot merge (alternating protections), placed top-down.
    func crowded(_ n: Int) throws -> (Map, [UserAddr]) {
        var m = Map(mmapBase: UserAddr(0x7f00_0000_0000))
        var addresses: [UserAddr] = []
        for i in 0..<n {
            let r = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: i % 2 == 0 ? [.read] : [.read, .write])
            addresses.append(r.address)
        }
        return (m, addresses)
    }

    @Test func mmapMunmapAndLookupStayFlat() throws {
        let n = 8_000
        var (m, addresses) = try crowded(n)
        #expect(m.areas.count == n)
        // mmap: once the chunk summaries are known, a search passes each chunk in one step.
        m.areas.resetProbes()
        _ = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.execute])
        #expect(m.areas.probes < n / 16)
        // Faults and lookups: O(log n) steps.
        m.areas.resetProbes()
        _ = m.resolveFault(at: addresses[n / 2], access: .read)
        #expect(m.areas.probes < 400)
        // munmap in the middle: a few lookups and one chunk edited.
        m.areas.resetProbes()
        _ = try m.unmap(start: addresses[n / 3], length: page)
        #expect(m.areas.probes < 600)
        #expect(m.area(containing: addresses[n / 3]) == nil && m.area(containing: addresses[n / 3 + 1]) != nil)
        // The hole just made is found again by mmap (the highest gap that fits), and the map stays ordered.
        let r = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.read, .write, .execute])
        #expect(r.address == addresses[n / 3])
        var previous: UserAddr? = nil
        for area in m.areas {
            if let previous { #expect(previous <= area.start) }
            previous = area.end
        }
    }

    @Test func forkedMapsKeepTheirOwnSummaries() throws {
        var (m, addresses) = try crowded(300)
        _ = try m.map(length: page, placement: .anywhere(hint: a(0)), protection: [.execute])   // summaries known
        var child = m.forked()
        _ = try child.unmap(start: addresses[100], length: 4 * page)
        // The parent has no hole there: its search must not use the child's summaries.
        let r = try m.map(length: 2 * page, placement: .anywhere(hint: a(0)), protection: [.execute])
        #expect(r.address < addresses[299])
        let c = try child.map(length: 2 * page, placement: .anywhere(hint: a(0)), protection: [.execute])
        #expect(c.address == addresses[98])
    }
}
