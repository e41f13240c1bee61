import Testing
import LichenCore
@testable import LichenAArch64

/// The frame the tests give the page at `va`: distinct per page, in no simple relation to `va`.
private func frameFor(_ va: UInt64) -> UInt64 { 0x4000_0000 + ((va >> 12) &* 0x9e37) % 0x10_0000 * 0x1000 }

/// A tree built the old way, one `map` per page.
private func mappedPageByPage(_ start: UInt64, _ end: UInt64, attributes: MemoryAttributes) throws -> TestTable {
    var t = try makeTable()
    var va = start
    while va < end {
        try t.map(virtual: UserAddr(va), physical: PhysAddr(frameFor(va)), size: 0x1000, attributes: attributes, allowBlocks: false)
        va += 0x1000
    }
    return t
}

@Suite struct TranslationTableMapPagesTests {
    /// Ranges crossing a table boundary at each level: L3 (2 MiB), L2 (1 GiB), L1 (512 GiB), and the top page.
    static let ranges: [(UInt64, UInt64)] = [
        (0x40_0000, 0x40_3000),
        (0x1f_e000, 0x20_2000),
        (0x3fff_f000, 0x4000_2000),
        (0x7f_ffff_e000, 0x80_0000_1000),
        (0x7fff_ffff_d000, 0x8000_0000_0000),
    ]

    @Test(arguments: ranges) func mapsWhatPerPageMapWould(range: (UInt64, UInt64)) throws {
        let (start, end) = range
        let expected = try mappedPageByPage(start, end, attributes: .userCode)
        var t = try makeTable()
        var asked: [UInt64] = []
        try t.mapPages(from: UserAddr(start), to: UserAddr(end), attributes: .userCode,
                       frame: { asked.append($0.value); return PhysAddr(frameFor($0.value)) },
                       present: { _, _ in Issue.record("nothing was present") })
        #expect(asked == Array(stride(from: start, to: end, by: 0x1000)))
        var va = start
        while va < end {
            let tr = try #require(t.translate(UserAddr(va)))
            #expect(tr.level == 3 && tr.physical == PhysAddr(frameFor(va)))
            #expect(tr.entry == expected.translate(UserAddr(va))?.entry)
            va += 0x1000
        }
        #expect(t.translate(UserAddr(start - 0x1000)) == nil)
        if end < UserAddr.limit { #expect(t.translate(UserAddr(end)) == nil) }
        // The same tables as the per-page tree: allocated on the way, none spare.
        #expect(t.memory.live == expected.memory.live)
        #expect(t.memory.validEntries == expected.memory.validEntries)
        #expect(t.memory.badAccesses == 0)
    }

    @Test func presentPagesAreSkippedAndReported() throws {
        var t = try makeTable()
        try t.map(virtual: UserAddr(0x40_1000), physical: PhysAddr(0x5000_0000), size: 0x1000, attributes: .userReadOnly, allowBlocks: false)
        try t.map(virtual: UserAddr(0x40_3000), physical: PhysAddr(0x5000_1000), size: 0x1000, attributes: .userReadOnly, allowBlocks: false)
        var asked: [UInt64] = []
        var present: [(UInt64, UInt64)] = []
        try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_5000), attributes: .userData,
                       frame: { asked.append($0.value); return PhysAddr(frameFor($0.value)) },
                       present: { present.append(($0.value, $1.value)) })
        #expect(asked == [0x40_0000, 0x40_2000, 0x40_4000])
        #expect(present.map(\.0) == [0x40_1000, 0x40_3000] && present.map(\.1) == [0x5000_0000, 0x5000_1000])
        // The present pages keep their frames and attributes.
        #expect(t.translate(UserAddr(0x40_1000))?.attributes == .userReadOnly)
        #expect(t.translate(UserAddr(0x40_1000))?.physical == PhysAddr(0x5000_0000))
        #expect(t.translate(UserAddr(0x40_2000))?.attributes == .userData)
        #expect(t.memory.validEntries == 3 + 5)
    }

    @Test func tableAllocationFailureMidwayLeavesAConsistentPrefix() throws {
        // Root + L1 + L2 + one L3: the second 2 MiB region's L3 table cannot be allocated.
        var t = try makeTable(limit: 4)
        var asked: [UInt64] = []
        #expect(throws: MappingError.outOfMemory) {
            try t.mapPages(from: UserAddr(0x1f_e000), to: UserAddr(0x20_2000), attributes: .userData,
                           frame: { asked.append($0.value); return PhysAddr(frameFor($0.value)) },
                           present: { _, _ in })
        }
        // Exactly the pages whose frames were handed over are mapped; no frame was asked for in vain.
        #expect(asked == [0x1f_e000, 0x1f_f000])
        for va in asked { #expect(t.translate(UserAddr(va))?.physical == PhysAddr(frameFor(va))) }
        #expect(t.translate(UserAddr(0x20_0000)) == nil)
        #expect(t.memory.live == 4 && t.memory.badAccesses == 0)
        // The caller can finish after freeing memory: the range is mapped the rest of the way.
        t.memory.limit = nil
        var present: [UInt64] = []
        try t.mapPages(from: UserAddr(0x1f_e000), to: UserAddr(0x20_2000), attributes: .userData,
                       frame: { PhysAddr(frameFor($0.value)) }, present: { present.append($0.value); _ = $1 })
        #expect(present == asked)
        let expected = try mappedPageByPage(0x1f_e000, 0x20_2000, attributes: .userData)
        #expect(t.memory.live == expected.memory.live && t.memory.validEntries == expected.memory.validEntries)
        let memory = t.destroy()
        #expect(memory.live == 0 && memory.badAccesses == 0)
    }

    @Test func outOfMemoryBeforeAnything() throws {
        var t = try makeTable(limit: 1)
        #expect(throws: MappingError.outOfMemory) {
            try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_1000), attributes: .userData,
                           frame: { _ in Issue.record("no table, no frame"); return nil }, present: { _, _ in })
        }
        #expect(t.memory.validEntries == 0)
    }

    @Test func noFrameStopsTheWalk() throws {
        var t = try makeTable()
        #expect(throws: MappingError.outOfMemory) {
            try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_4000), attributes: .userData,
                           frame: { $0.value < 0x40_2000 ? PhysAddr(frameFor($0.value)) : nil }, present: { _, _ in })
        }
        #expect(t.translate(UserAddr(0x40_1000)) != nil && t.translate(UserAddr(0x40_2000)) == nil)
        #expect(t.memory.validEntries == 3 + 2)
    }

    @Test func refusals() throws {
        var t = try makeTable()
        let none: (UserAddr) -> PhysAddr? = { _ in Issue.record("asked for a frame"); return nil }
        #expect(throws: MappingError.misaligned) {
            try t.mapPages(from: UserAddr(0x40_0800), to: UserAddr(0x40_2000), attributes: .userData, frame: none, present: { _, _ in })
        }
        #expect(throws: MappingError.invalidAddress) {
            try t.mapPages(from: UserAddr(0x7fff_ffff_f000), to: UserAddr(UserAddr.limit + 0x1000), attributes: .userData,
                           frame: none, present: { _, _ in })
        }
        #expect(throws: MappingError.writableAndExecutable) {
            var wx = MemoryAttributes.userData
            wx.userExecutable = true
            try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_1000), attributes: wx, frame: none, present: { _, _ in })
        }
        #expect(throws: MappingError.misaligned) {
            try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_1000), attributes: .userData,
                           frame: { _ in PhysAddr(0x4000_0800) }, present: { _, _ in })
        }
        // An empty range does nothing.
        try t.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_0000), attributes: .userData, frame: none, present: { _, _ in })
        // A block in the way.
        var k = try makeTable()
        try k.map(virtual: UserAddr(0x4000_0000), physical: PhysAddr(0x8000_0000), size: GiB, attributes: .userData, allowBlocks: true)
        #expect(throws: MappingError.unexpectedBlock) {
            try k.mapPages(from: UserAddr(0x4000_0000), to: UserAddr(0x4000_1000), attributes: .userData, frame: none, present: { _, _ in })
        }
    }
}

@Suite struct TranslationTableTeardownTests {
    @Test func scanFindsEveryValidEntryInOrder() {
        var generator = SystemRandomNumberGenerator()
        for round in 0..<200 {
            var entries = [UInt64](repeating: 0, count: 512)
            // Sparse, dense, invalid-but-nonzero words (bit 0 clear), and the last entry.
            for _ in 0..<(round % 7 == 0 ? 300 : round % 5) {
                entries[Int.random(in: 0..<512, using: &generator)] = UInt64.random(in: 0...UInt64.max, using: &generator)
            }
            if round % 3 == 0 { entries[511] = 0x4000_0003 }
            let expected = entries.indices.filter { entries[$0] & 1 != 0 }
            var found: [Int] = []
            var from = round % 11
            entries.withUnsafeBufferPointer { p in
                while let i = PageTableScan.firstValid(in: p.baseAddress!, from: from) { found.append(i); from = i + 1 }
            }
            #expect(found == expected.filter { $0 >= round % 11 })
        }
    }

    @Test func destroyFreesEveryTableReadingLittleOfTheEmptyOnes() throws {
        var t = try makeTable()
        for (start, end) in TranslationTableMapPagesTests.ranges {
            try t.mapPages(from: UserAddr(start), to: UserAddr(end), attributes: .userData,
                           frame: { PhysAddr(frameFor($0.value)) }, present: { _, _ in })
        }
        let live = t.memory.live
        let reads = t.memory.reads
        reads.value = 0
        let memory = t.destroy()
        #expect(memory.live == 0 && memory.freed == live && memory.badAccesses == 0)
        // The 9 upper tables (root, 3 L1, 5 L2) are each scanned once (the counter counts the entries the
        // scan passes), the leaf tables not at all.
        #expect(live == 9 + 8)
        #expect(reads.value == 9 * 512)
    }
}
