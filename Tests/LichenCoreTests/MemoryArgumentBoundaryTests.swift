import Testing
@testable import LichenCore

/// Hostile sizes and addresses (UInt64.max, sizes that wrap when rounded to pages, address + length
/// past 2^64 or past user space, zero) given to every memory call of the map: each must end in
/// Linux's errno or a valid map, never in an arithmetic trap (which would be a kernel panic).
@Suite struct MemoryArgumentBoundaryTests {
    typealias Map = VirtualMemoryMap<ProcessTestMappedFile>
    static let page = UInt64(pageSize)
    static let base = UserAddr(0x7f00_0000_0000)
    static let mapped = UserAddr(0x100_0000)

    static let hostile: [UInt64] = [
        0, 1, page - 1, page, page + 1, 2 * page, 1 << 30, UserAddr.limit - page, UserAddr.limit, UserAddr.limit + page,
        1 << 60, UInt64.max / 2, UInt64.max - 2 * page + 1, UInt64.max - page, UInt64.max - page + 1, UInt64.max - 1, UInt64.max,
    ]
    static let addresses: [UInt64] = [0, 0x1000, mapped.value, mapped.value + page, mapped.value + 1, UserAddr.limit - page,
                                      UserAddr.limit, UInt64.max - page + 1, UInt64.max]

    /// Two pages mapped at `mapped`, a shared one above, a stack near the top.
    func map() throws -> Map {
        var m = Map(mmapBase: Self.base)
        _ = try m.map(length: 2 * Self.page, placement: .fixed(Self.mapped), protection: [.read, .write])
        _ = try m.map(length: Self.page, placement: .fixed(Self.mapped + 4 * Self.page), protection: [.read, .write],
                      sharing: .shared, backing: ProcessTestMappedFile())
        m.add(.init(start: UserAddr(0x7fff_ffff_0000), end: UserAddr(0x7fff_ffff_f000), protection: [.read, .write],
                    kind: .stack, growsDown: true))
        return m
    }

    func expectSound(_ m: Map) {
        for (i, a) in m.areas.enumerated() {
            #expect(a.start < a.end && a.end.value <= UserAddr.limit && a.start.isPageAligned && a.end.isPageAligned)
            if i > 0 { #expect(m.areas[i - 1].end <= a.start) }
        }
    }

    // The calls that trapped before: an old size above the end of user space, growth larger than it.
    @Test func mremapHugeSizesGiveErrnos() throws {
        var m = try map()
        let page = Self.page
        #expect(throws: Errno.EFAULT) { try m.remap(oldAddress: Self.mapped, oldSize: 1 << 60, newSize: 1 << 61, flags: .mayMove) }
        #expect(throws: Errno.ENOMEM) { try m.remap(oldAddress: Self.mapped, oldSize: page, newSize: 1 << 62, flags: []) }
        #expect(throws: Errno.ENOMEM) { try m.remap(oldAddress: Self.mapped + page, oldSize: page, newSize: 1 << 62, flags: .mayMove) }
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: Self.mapped, oldSize: page, newSize: UInt64.max, flags: .mayMove) }
        #expect(throws: Errno.EINVAL) {
            try m.remap(oldAddress: Self.mapped, oldSize: UInt64.max - 2 * page, newSize: page, flags: [.mayMove, .fixed],
                        newAddress: UserAddr(0x200_0000))
        }
        #expect(throws: Errno.EFAULT) {
            try m.remap(oldAddress: UserAddr(UInt64.max - page + 1), oldSize: page, newSize: page, flags: [.mayMove, .fixed],
                        newAddress: UserAddr(0x200_0000))
        }
        #expect(throws: Errno.EINVAL) {
            try m.remap(oldAddress: Self.mapped, oldSize: page, newSize: page, flags: [.mayMove, .fixed],
                        newAddress: UserAddr(UserAddr.limit))
        }
        // Shrinking with a tail past user space: EINVAL, as munmap of that tail.
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: Self.mapped, oldSize: 1 << 60, newSize: page, flags: []) }
        expectSound(m)
        #expect(m.areas.count == 3)
    }

    @Test func mremapDontUnmapMovesThePagesAndKeepsTheOldRange() throws {
        var m = try map()
        let page = Self.page
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: Self.mapped, oldSize: page, newSize: page, flags: .dontUnmap) }
        #expect(throws: Errno.EINVAL) {
            try m.remap(oldAddress: Self.mapped, oldSize: page, newSize: 2 * page, flags: [.mayMove, .dontUnmap])
        }
        let r = try m.remap(oldAddress: Self.mapped, oldSize: 2 * page, newSize: 2 * page, flags: [.mayMove, .dontUnmap])
        #expect(r.movedFrom == UserRange(start: Self.mapped, end: Self.mapped + 2 * page) && r.released.isEmpty)
        #expect(m.area(containing: Self.mapped) != nil && m.area(containing: r.address + page)?.protection == [.read, .write])
        expectSound(m)
    }

    @Test func mremapZeroOldSizeDuplicatesOnlySharedObjects() throws {
        var m = try map()
        let page = Self.page
        let shared = Self.mapped + 4 * page
        #expect(throws: Errno.EINVAL) { try m.remap(oldAddress: Self.mapped, oldSize: 0, newSize: page, flags: .mayMove) }
        #expect(throws: Errno.EFAULT) { try m.remap(oldAddress: Self.mapped + 2 * page, oldSize: 0, newSize: page, flags: .mayMove) }
        let r = try m.remap(oldAddress: shared, oldSize: 0, newSize: page, flags: .mayMove)
        #expect(r.address != shared && r.movedFrom == nil)
        #expect(m.area(containing: r.address)?.backing === m.area(containing: shared)?.backing)
        #expect(m.area(containing: shared) != nil)
    }

    /// Every operation over every combination of hostile values: no trap, Linux's errnos only, and
    /// the map stays sorted, non-overlapping and inside user space.
    @Test func everyCallSurvivesHostileValues() throws {
        let flagSets: [MemoryRemapFlags] = [[], .mayMove, .fixed, [.mayMove, .fixed], [.mayMove, .dontUnmap],
                                            [.mayMove, .fixed, .dontUnmap], .dontUnmap, MemoryRemapFlags(rawValue: 8)]
        for address in Self.addresses {
            for size in Self.hostile {
                var m = try map()
                do { _ = try m.map(length: size, placement: .fixed(UserAddr(address)), protection: [.read]) }
                catch { #expect([.EINVAL, .ENOMEM, .EPERM].contains(error)) }
                do { _ = try m.map(length: size, placement: .anywhere(hint: UserAddr(address)), protection: [.read]) }
                catch { #expect([.EINVAL, .ENOMEM].contains(error)) }
                do { _ = try m.unmap(start: UserAddr(address), length: size) } catch { #expect(error == .EINVAL) }
                do { try m.protect(start: UserAddr(address), length: size, protection: [.read]) }
                catch { #expect([.EINVAL, .ENOMEM].contains(error)) }
                _ = m.setBreak(UserAddr(address &+ size))
                _ = m.resolveFault(at: UserAddr(address &+ size), access: .write)
                _ = m.accessibleLength(from: UserAddr(address), count: Int(truncatingIfNeeded: size), access: .read)
                _ = m.isFullyMapped(UserAddr(address), UserAddr(address &+ size))
                expectSound(m)
                for newSize in Self.hostile {
                    for flags in flagSets {
                        var r = try map()
                        do {
                            _ = try r.remap(oldAddress: UserAddr(address), oldSize: size, newSize: newSize, flags: flags,
                                            newAddress: UserAddr(0x200_0000))
                        } catch {
                            #expect([.EINVAL, .EFAULT, .ENOMEM, .EPERM].contains(error))
                        }
                        expectSound(r)
                    }
                }
            }
        }
    }

    @Test func lockSyncAdviceAndResidencyRangesRoundAsLinux() throws {
        let page = Self.page
        #expect(try MemoryRangeArguments.lockRange(start: 0x1001, length: 1) == UserRange(start: UserAddr(0x1000), end: UserAddr(0x2000)))
        #expect(try MemoryRangeArguments.lockRange(start: 0x1000, length: UInt64.max) == nil)   // rounds to zero: a no-op
        #expect(throws: Errno.EINVAL) { try MemoryRangeArguments.lockRange(start: UInt64.max - page + 1, length: 2 * page) }
        #expect(try MemoryRangeArguments.syncRange(start: 0x1000, length: 0) == nil)
        #expect(try MemoryRangeArguments.syncRange(start: 0x1000, length: UInt64.max) == nil)
        #expect(throws: Errno.EINVAL) { try MemoryRangeArguments.syncRange(start: 0x1001, length: page) }
        #expect(throws: Errno.ENOMEM) { try MemoryRangeArguments.syncRange(start: 0x2000, length: UInt64.max - page) }
        #expect(throws: Errno.EINVAL) { try MemoryRangeArguments.adviceRange(start: 0x1000, length: UInt64.max) }
        #expect(throws: Errno.EINVAL) { try MemoryRangeArguments.adviceRange(start: 0x2000, length: UInt64.max - page) }
        #expect(throws: Errno.EINVAL) { try MemoryRangeArguments.adviceRange(start: 0x1001, length: page) }
        #expect(try MemoryRangeArguments.adviceRange(start: 0x1000, length: 0) == nil)
        #expect(try MemoryRangeArguments.adviceRange(start: 0x1000, length: 1)?.length == page)
        #expect(throws: Errno.ENOMEM) { try MemoryRangeArguments.residencyRange(start: 0x1000, length: UInt64.max) }
        #expect(throws: Errno.ENOMEM) { try MemoryRangeArguments.residencyRange(start: UserAddr.limit - page, length: 2 * page) }
        #expect(try MemoryRangeArguments.residencyRange(start: 0x1000, length: 1)?.length == page)
        #expect(MemoryRangeArguments.isKnownAdvice(4) && !MemoryRangeArguments.isKnownAdvice(5)
                && !MemoryRangeArguments.isKnownAdvice(UInt64.max))
    }

    @Test func mprotectChecksInLinuxOrder() throws {
        var m = try map()
        let page = Self.page
        let growing = MemoryProtection.growsDownBit | MemoryProtection.growsUpBit
        #expect(throws: Errno.EINVAL) { try m.protect(start: Self.mapped, length: page, linuxProtection: growing | 1) }
        #expect(try m.protect(start: Self.mapped, length: 0, linuxProtection: 0x100).changed.isEmpty)   // zero length first
        #expect(throws: Errno.ENOMEM) { try m.protect(start: Self.mapped, length: UInt64.max, linuxProtection: 0x100) }
        #expect(throws: Errno.EINVAL) { try m.protect(start: Self.mapped, length: page, linuxProtection: 0x10) }  // PROT_BTI
        #expect(try m.protect(start: Self.mapped, length: page, linuxProtection: 1 | MemoryProtection.semaphoreBit).protection == [.read])
        #expect(throws: Errno.EINVAL) { try m.protect(start: Self.mapped, length: page, linuxProtection: 1 | MemoryProtection.growsDownBit) }
        // PROT_GROWSDOWN on a stack: from the start of the area.
        let stack = m.areas.last!
        let r = try m.protect(start: stack.start + 4 * page, length: page, linuxProtection: 1 | MemoryProtection.growsDownBit)
        #expect(r.changed == [UserRange(start: stack.start, end: stack.start + 5 * page)] && r.failure == nil)
        // Stopped at a hole: the change before it is reported with the failure.
        let partial = try m.protect(start: Self.mapped, length: 3 * page, linuxProtection: 0)
        #expect(partial.failure == .ENOMEM && partial.changed.first?.start == Self.mapped && partial.changed.last?.end == Self.mapped + 2 * page)
        #expect(m.area(containing: Self.mapped + page)?.protection == [])
    }

    @Test func fileMappingsStayWithinTheLargestOffset() {
        #expect(MemoryRangeArguments.fileRangeFits(offset: 0, length: 1 << 40))
        #expect(!MemoryRangeArguments.fileRangeFits(offset: UInt64(Int64.max) & ~(Self.page - 1), length: Self.page))
        #expect(!MemoryRangeArguments.fileRangeFits(offset: 1 << 63, length: Self.page))
        #expect(!MemoryRangeArguments.fileRangeFits(offset: 0, length: UInt64.max - 2 * Self.page))
    }

}
