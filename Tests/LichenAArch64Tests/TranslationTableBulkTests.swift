import Testing
import LichenCore
@testable import LichenAArch64

/// Pages of a fork-like address space: code, data, a heap page far above, a stack page at the top
/// of user space, and a 2 MiB region whose only page was unmapped again (its table stays, empty).
private func sparseSpace() throws -> TestTable {
    var t = try makeTable()
    try t.map(virtual: UserAddr(0x40_0000), physical: PhysAddr(0x4100_0000), size: 0x2000, attributes: .userCode, allowBlocks: false)
    try t.map(virtual: UserAddr(0x41_0000), physical: PhysAddr(0x4200_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
    try t.map(virtual: UserAddr(0x1_0000_0000), physical: PhysAddr(0x4300_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
    try t.map(virtual: UserAddr(0x7fff_ffff_f000), physical: PhysAddr(0x4400_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
    try t.map(virtual: UserAddr(0x80_0000), physical: PhysAddr(0x4500_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
    try t.unmap(virtual: UserAddr(0x80_0000), size: 0x1000)
    return t
}

private let sparsePages: [(UInt64, UInt64)] = [
    (0x40_0000, 0x4100_0000), (0x40_1000, 0x4100_1000), (0x41_0000, 0x4200_0000),
    (0x1_0000_0000, 0x4300_0000), (0x7fff_ffff_f000, 0x4400_0000),
]

private let wholeUserSpace = (UserAddr(0), UserAddr(UserAddr.limit))

@Suite struct TranslationTableCopyTests {
    @Test func copySkipsHolesAndVisitsOnlyPresentPages() throws {
        var parent = try sparseSpace()
        var child = try makeTable()
        var visited: [(UInt64, UInt64)] = []
        parent.memory.reads.value = 0
        try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: false) {
            visited.append(($0.value, $1.value))
        }
        #expect(visited.map(\.0) == sparsePages.map(\.0))
        #expect(visited.map(\.1) == sparsePages.map(\.1))
        // One pass over the present tables (root's user half, then 2 L1, 3 L2, 4 L3 of 512 entries
        // at most): the 2^35 pages of user space were never looked at one by one.
        #expect(parent.memory.reads.value <= 256 + 9 * 512)
        for (va, pa) in sparsePages {
            let tr = try #require(child.translate(UserAddr(va)))
            #expect(tr.physical == PhysAddr(pa) && tr.level == 3)
            #expect(tr.entry == parent.translate(UserAddr(va))?.entry)
        }
        #expect(child.translate(UserAddr(0x40_2000)) == nil)
        // The emptied table of 0x80_0000 is not copied: root, 2 L1, 3 L2, 3 L3.
        #expect(parent.memory.live == 10)
        #expect(child.memory.live == 9)
        #expect(child.memory.validEntries == 8 + sparsePages.count)
        #expect(parent.memory.badAccesses == 0 && child.memory.badAccesses == 0)
    }

    @Test func copyOfPartOfTheRange() throws {
        var parent = try sparseSpace()
        var child = try makeTable()
        var visited: [UInt64] = []
        try parent.copyPages(from: UserAddr(0x40_1000), to: UserAddr(0x1_0000_0000), into: &child, copyOnWrite: true) {
            visited.append($0.value); _ = $1
        }
        #expect(visited == [0x40_1000, 0x41_0000])
        #expect(child.translate(UserAddr(0x40_0000)) == nil)
        #expect(child.translate(UserAddr(0x1_0000_0000)) == nil)
        // Outside the range the parent keeps write permission.
        #expect(parent.translate(UserAddr(0x1_0000_0000))?.attributes == .userData)
        #expect(parent.translate(UserAddr(0x41_0000))?.attributes == .userReadOnly)
    }

    @Test func copyOnWriteClearsWritePermissionOnBothSides() throws {
        var parent = try makeTable()
        let tagged = MemoryAttributes(writable: true, user: true, memoryType: .normalNonCacheable, software: 0x5)
        try parent.map(virtual: UserAddr(0x40_0000), physical: PhysAddr(0x4100_0000), size: 0x1000, attributes: .userCode, allowBlocks: false)
        try parent.map(virtual: UserAddr(0x40_1000), physical: PhysAddr(0x4200_0000), size: 0x1000, attributes: .userReadOnly, allowBlocks: false)
        try parent.map(virtual: UserAddr(0x40_2000), physical: PhysAddr(0x4300_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
        try parent.map(virtual: UserAddr(0x40_3000), physical: PhysAddr(0x4400_0000), size: 0x1000, attributes: tagged, allowBlocks: false)
        var child = try makeTable()
        var count = 0
        try parent.copyPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_4000), into: &child, copyOnWrite: true) { _, _ in count += 1 }
        #expect(count == 4)
        var readOnlyTagged = tagged
        readOnlyTagged.writable = false
        let expected: [(UInt64, MemoryAttributes, UInt64)] = [
            (0x40_0000, .userCode, 0x4100_0000), (0x40_1000, .userReadOnly, 0x4200_0000),
            (0x40_2000, .userReadOnly, 0x4300_0000), (0x40_3000, readOnlyTagged, 0x4400_0000),
        ]
        for (va, attributes, pa) in expected {
            for side in [parent, child] {
                let tr = try #require(side.translate(UserAddr(va)))
                #expect(tr.attributes == attributes && tr.physical == PhysAddr(pa))
                #expect(tr.attributes.global == false)
            }
        }
        #expect(parent.memory.breakBeforeMakeAddresses.isEmpty)
    }

    @Test func sharedCopyKeepsAttributes() throws {
        var parent = try sparseSpace()
        let before = parent.memory.tables
        var child = try makeTable()
        try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: false) { _, _ in }
        #expect(parent.memory.tables == before)
        #expect(child.translate(UserAddr(0x40_0000))?.attributes == .userCode)
        #expect(child.translate(UserAddr(0x41_0000))?.attributes == .userData)
        #expect(child.translate(UserAddr(0x7fff_ffff_f000))?.attributes == .userData)
    }

    @Test func outOfMemoryMidwayStopsWithWhatWasCopied() throws {
        var parent = try sparseSpace()
        // Root, L1, L2 and L3 take the pages of the first 2 MiB region; the page at 4 GiB needs
        // a fifth table (its L2).
        var child = try makeTable(limit: 4)
        var visited: [UInt64] = []
        #expect(throws: MappingError.outOfMemory) {
            try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: true) {
                visited.append($0.value); _ = $1
            }
        }
        #expect(visited == [0x40_0000, 0x40_1000, 0x41_0000])
        for va in visited { #expect(child.translate(UserAddr(va)) != nil) }
        #expect(child.translate(UserAddr(0x1_0000_0000)) == nil)
        // Write-protected exactly where copied.
        #expect(parent.translate(UserAddr(0x41_0000))?.attributes == .userReadOnly)
        #expect(parent.translate(UserAddr(0x1_0000_0000))?.attributes == .userData)
        #expect(parent.translate(UserAddr(0x7fff_ffff_f000))?.attributes == .userData)
        // Consistent: the child's tree can be torn down whole.
        let memory = child.destroy()
        #expect(memory.live == 0 && memory.badAccesses == 0)
    }

    @Test func outOfMemoryBeforeTheFirstPage() throws {
        var parent = try sparseSpace()
        var child = try makeTable(limit: 2)          // root and an L1: the L2 fails
        var count = 0
        #expect(throws: MappingError.outOfMemory) {
            try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: true) { _, _ in count += 1 }
        }
        #expect(count == 0)
        #expect(parent.translate(UserAddr(0x41_0000))?.attributes == .userData)
        #expect(child.memory.live == 2)          // the L1 is hooked in, empty
        #expect(child.destroy().live == 0)
    }

    @Test func refusesToOverwriteTheDestination() throws {
        var parent = try sparseSpace()
        var child = try makeTable()
        try child.map(virtual: UserAddr(0x41_0000), physical: PhysAddr(0x5000_0000), size: 0x1000, attributes: .userData, allowBlocks: false)
        var visited: [UInt64] = []
        #expect(throws: MappingError.alreadyMapped) {
            try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: false) {
                visited.append($0.value); _ = $1
            }
        }
        #expect(visited == [0x40_0000, 0x40_1000])
        #expect(child.translate(UserAddr(0x41_0000))?.physical == PhysAddr(0x5000_0000))
    }

    @Test func blocksAndBadRangesAreRefused() throws {
        var parent = try makeTable()
        try parent.map(virtual: UserAddr(0x4000_0000), physical: PhysAddr(0x4000_0000), size: 2 * MiB, attributes: .userData, allowBlocks: true)
        #expect(parent.translate(UserAddr(0x4000_0000))?.level == 2)
        var child = try makeTable()
        #expect(throws: MappingError.unexpectedBlock) {
            try parent.copyPages(from: wholeUserSpace.0, to: wholeUserSpace.1, into: &child, copyOnWrite: true) { _, _ in }
        }
        #expect(throws: MappingError.unexpectedBlock) {
            _ = try parent.unmapPages(from: wholeUserSpace.0, to: wholeUserSpace.1) { _, _ in true }
        }
        #expect(parent.translate(UserAddr(0x4000_0000))?.attributes == .userData)
        #expect(throws: MappingError.misaligned) {
            try parent.copyPages(from: UserAddr(0x800), to: UserAddr(0x2000), into: &child, copyOnWrite: false) { _, _ in }
        }
        #expect(throws: MappingError.invalidAddress) {
            _ = try parent.unmapPages(from: UserAddr(0), to: UserAddr(UserAddr.limit + 0x1000)) { _, _ in true }
        }
        // An empty range does nothing.
        try parent.copyPages(from: UserAddr(0x5000), to: UserAddr(0x5000), into: &child, copyOnWrite: false) { _, _ in }
        #expect(try parent.unmapPages(from: UserAddr(0x5000), to: UserAddr(0x1000)) { _, _ in true } == nil)
        #expect(child.memory.live == 1)
    }
}

@Suite struct TranslationTableUnmapPagesTests {
    @Test func unmapVisitsExactlyTheMappedFrames() throws {
        var t = try sparseSpace()
        let tables = t.memory.live
        var visited: [(UInt64, UInt64)] = []
        t.memory.reads.value = 0
        let resume = try t.unmapPages(from: UserAddr(0x40_1000), to: UserAddr(0x7fff_ffff_f000)) {
            visited.append(($0.value, $1.value))
            return true
        }
        #expect(resume == nil)
        #expect(visited.map(\.0) == [0x40_1000, 0x41_0000, 0x1_0000_0000])
        #expect(visited.map(\.1) == [0x4100_1000, 0x4200_0000, 0x4300_0000])
        #expect(t.memory.reads.value <= 256 + 9 * 512)
        for (va, _) in visited { #expect(t.translate(UserAddr(va)) == nil) }
        // Outside the range, untouched; tables are kept; no break-before-make for pages.
        #expect(t.translate(UserAddr(0x40_0000))?.physical == PhysAddr(0x4100_0000))
        #expect(t.translate(UserAddr(0x7fff_ffff_f000))?.physical == PhysAddr(0x4400_0000))
        #expect(t.memory.live == tables)
        #expect(t.memory.breakBeforeMakeAddresses.isEmpty)
        #expect(t.memory.badAccesses == 0)
    }

    @Test func unmapStopsWhereTheVisitorSaysAndResumes() throws {
        var t = try sparseSpace()
        var visited: [UInt64] = []
        var cursor: UserAddr? = wholeUserSpace.0
        var calls = 0
        while let from = cursor {
            var batch = 0
            cursor = try t.unmapPages(from: from, to: wholeUserSpace.1) { va, _ in
                visited.append(va.value)
                batch += 1
                return batch < 2
            }
            calls += 1
        }
        #expect(visited == sparsePages.map(\.0))
        #expect(calls == 3)                      // 2 + 2 + 1 pages
        #expect(t.memory.validEntries == 9)      // only table descriptors left
    }

    @Test func stopOnTheLastPageOfTheRangeIsTheEnd() throws {
        var t = try sparseSpace()
        let resume = try t.unmapPages(from: UserAddr(0x41_0000), to: UserAddr(0x41_1000)) { _, _ in false }
        #expect(resume == nil)
        #expect(t.translate(UserAddr(0x41_0000)) == nil)
    }
}
