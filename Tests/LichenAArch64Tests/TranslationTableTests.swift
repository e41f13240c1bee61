import Testing
import LichenCore
@testable import LichenAArch64

@Suite struct TranslationTableMapTests {
    @Test func geometry() {
        let va: UInt64 = 0xffff_8000_4020_3000
        #expect(TranslationGeometry.index(of: va, level: 0) == 256)
        #expect(TranslationGeometry.index(of: va, level: 1) == 1)
        #expect(TranslationGeometry.index(of: va, level: 2) == 1)
        #expect(TranslationGeometry.index(of: va, level: 3) == 3)
        #expect(TranslationGeometry.entrySize(level: 1) == GiB)
        #expect(TranslationGeometry.entrySize(level: 2) == 2 * MiB)
        #expect(TranslationGeometry.isCanonicalRange(0x0000_ffff_ffff_f000, size: 0x1000))
        #expect(!TranslationGeometry.isCanonicalRange(0x0000_ffff_ffff_f000, size: 0x2000))
        #expect(TranslationGeometry.isCanonicalRange(0xffff_ffff_ffff_f000, size: 0x1000))
        #expect(!TranslationGeometry.isCanonicalRange(0xffff_ffff_ffff_f000, size: 0x2000))
    }

    @Test func createAllocatesAnEmptyRoot() throws {
        let t = try makeTable()
        #expect(t.memory.live == 1)
        #expect(t.memory.validEntries == 0)
        #expect(throws: MappingError.outOfMemory) { try makeTable(limit: 0) }
    }

    @Test func kernelPageWalksTheExpectedEntries() throws {
        var t = try makeTable()
        let va = VirtAddr(0xffff_8000_4020_3000)
        try t.map(virtual: va, physical: PhysAddr(0x4000_0000), size: 0x1000, attributes: .kernelData, allowBlocks: true)
        #expect(t.memory.live == 4)

        let m = t.memory
        let l0 = PageTableEntry(rawValue: m.readEntry(table: t.root, index: 256))
        #expect(l0.kind(level: 0) == .table)
        let l1 = PageTableEntry(rawValue: m.readEntry(table: l0.outputAddress, index: 1))
        #expect(l1.kind(level: 1) == .table)
        let l2 = PageTableEntry(rawValue: m.readEntry(table: l1.outputAddress, index: 1))
        #expect(l2.kind(level: 2) == .table)
        #expect(m.readEntry(table: l2.outputAddress, index: 3) == 0x0060_0000_4000_0703)
        #expect(m.validEntries == 4)

        let tr = try #require(t.translate(va + 0x123))
        #expect(tr.physical == PhysAddr(0x4000_0123))
        #expect(tr.level == 3 && tr.mappingSize == 0x1000)
        #expect(tr.attributes == .kernelData)
        #expect(t.translate(va + 0x1000) == nil)
        #expect(t.translate(va - 0x1000) == nil)
    }

    @Test func gigabyteBlock() throws {
        var t = try makeTable()
        try t.map(virtual: VirtAddr(0xffff_0000_4000_0000), physical: PhysAddr(0x4000_0000), size: GiB,
                  attributes: .kernelData, allowBlocks: true)
        #expect(t.memory.live == 2)   // root + level 1
        let tr = try #require(t.translate(VirtAddr(0xffff_0000_7fff_fff8)))
        #expect(tr.level == 1 && tr.physical == PhysAddr(0x7fff_fff8))
    }

    @Test func blocksNeedAllowBlocksAndAlignedPhysical() throws {
        var pages = try makeTable()
        try pages.map(virtual: VirtAddr(0xffff_0000_0020_0000), physical: PhysAddr(0x4020_0000), size: 4 * MiB,
                      attributes: .kernelReadOnly, allowBlocks: false)
        #expect(pages.memory.live == 5)   // root, L1, L2, two L3
        #expect(pages.translate(VirtAddr(0xffff_0000_005f_f000))?.level == 3)
        #expect(pages.translate(VirtAddr(0xffff_0000_005f_f000))?.physical == PhysAddr(0x405f_f000))

        var shifted = try makeTable()
        try shifted.map(virtual: VirtAddr(0xffff_0000_0020_0000), physical: PhysAddr(0x4020_1000), size: 2 * MiB,
                        attributes: .kernelReadOnly, allowBlocks: true)
        #expect(shifted.translate(VirtAddr(0xffff_0000_0020_0000))?.level == 3)

        var blocks = try makeTable()
        try blocks.map(virtual: VirtAddr(0xffff_0000_0020_0000), physical: PhysAddr(0x4020_0000), size: 4 * MiB,
                       attributes: .kernelReadOnly, allowBlocks: true)
        #expect(blocks.memory.live == 3)
        #expect(blocks.translate(VirtAddr(0xffff_0000_005f_f000))?.level == 2)
    }

    @Test func mixedPagesAndBlock() throws {
        var t = try makeTable()
        // 2 pages, one 2 MiB block, 3 pages: VA and PA are congruent modulo 2 MiB.
        let va = UserAddr(0x40_001f_e000)
        let pa = PhysAddr(0x1_401f_e000)
        try t.map(virtual: va, physical: pa, size: 8 * KiB + 2 * MiB + 12 * KiB, attributes: .userData, allowBlocks: true)
        #expect(t.memory.live == 5)   // root, L1, L2, two L3
        #expect(t.memory.validEntries == 4 + 2 + 1 + 3)   // table descriptors, pages, block, pages
        for (offset, level) in [(0, 3), (0x1fff, 3), (0x2000, 2), (0x201fff, 2), (0x202000, 3), (0x204fff, 3)] as [(UInt64, Int)] {
            let tr = try #require(t.translate(va + offset))
            #expect(tr.level == level)
            #expect(tr.physical == pa + offset)
            #expect(tr.attributes == .userData)
        }
        #expect(t.translate(va + 0x205000) == nil)
    }

    @Test func topOfTheUpperHalf() throws {
        var t = try makeTable()
        try t.map(virtual: VirtAddr(0xffff_ffff_ffff_f000), physical: PhysAddr(0x5000), size: 0x1000,
                  attributes: .kernelData, allowBlocks: true)
        #expect(t.translate(VirtAddr(0xffff_ffff_ffff_ffff))?.physical == PhysAddr(0x5fff))
        #expect(t.memory.readEntry(table: t.root, index: 511) & 3 == 3)
    }

    @Test func misalignedIsRefused() throws {
        var t = try makeTable()
        let cases: [(UInt64, UInt64, UInt64)] = [(0x1800, 0x4000, 0x1000), (0x1000, 0x4800, 0x1000),
                                                 (0x1000, 0x4000, 0x1800), (0x1000, 0x4000, 0)]
        for (va, pa, size) in cases {
            #expect(throws: MappingError.misaligned) {
                try t.map(virtual: VirtAddr(va), physical: PhysAddr(pa), size: size, attributes: .kernelData, allowBlocks: true)
            }
        }
        #expect(t.memory.live == 1)
    }

    @Test func invalidAddressesAreRefused() throws {
        var t = try makeTable()
        let a = MemoryAttributes.kernelData
        #expect(throws: MappingError.invalidAddress) {   // non-canonical
            try t.map(virtual: VirtAddr(0x0001_0000_0000_0000), physical: PhysAddr(0), size: 0x1000, attributes: a, allowBlocks: true)
        }
        #expect(throws: MappingError.invalidAddress) {   // runs off the lower half
            try t.map(virtual: VirtAddr(0x0000_ffff_ffff_f000), physical: PhysAddr(0), size: 0x2000, attributes: a, allowBlocks: true)
        }
        #expect(throws: MappingError.invalidAddress) {   // wraps past the top
            try t.map(virtual: VirtAddr(0xffff_ffff_ffff_f000), physical: PhysAddr(0), size: 0x2000, attributes: a, allowBlocks: true)
        }
        #expect(throws: MappingError.invalidAddress) {   // physical beyond 48 bits
            try t.map(virtual: VirtAddr(0x1000), physical: PhysAddr(0xffff_f000), size: 0x1_0000_0000_0000, attributes: a, allowBlocks: true)
        }
        #expect(throws: MappingError.invalidAddress) {   // a user address in the upper half
            try t.map(virtual: UserAddr(0xffff_0000_0000_0000), physical: PhysAddr(0), size: 0x1000, attributes: .userData, allowBlocks: false)
        }
        #expect(t.translate(VirtAddr(0x0001_0000_0000_0000)) == nil)
        #expect(t.translate(UserAddr(0xffff_0000_0000_0000)) == nil)
        #expect(t.memory.live == 1)
    }

    @Test func writableExecutableMappingIsRefused() throws {
        var t = try makeTable()
        #expect(throws: MappingError.writableAndExecutable) {
            try t.map(virtual: UserAddr(0x40_0000), physical: PhysAddr(0x4000_0000), size: 0x1000,
                      attributes: MemoryAttributes(writable: true, user: true, userExecutable: true), allowBlocks: false)
        }
        #expect(t.memory.live == 1 && t.memory.validEntries == 0)
    }

    @Test func alreadyMappedIsRefusedWithoutChanges() throws {
        var t = try makeTable()
        try t.map(virtual: UserAddr(0x40_3000), physical: PhysAddr(0x4000_3000), size: 0x1000, attributes: .userData, allowBlocks: false)
        let before = t.memory.tables
        // Overlaps the existing page in its middle; the pages before it must not appear.
        #expect(throws: MappingError.alreadyMapped) {
            try t.map(virtual: UserAddr(0x40_0000), physical: PhysAddr(0x5000_0000), size: 0x8000, attributes: .userData, allowBlocks: false)
        }
        #expect(t.memory.tables == before)
        #expect(t.translate(UserAddr(0x40_0000)) == nil)
        // A 2 MiB block over a region that holds a page.
        #expect(throws: MappingError.alreadyMapped) {
            try t.map(virtual: UserAddr(0x40_0000), physical: PhysAddr(0x4000_0000), size: 2 * MiB, attributes: .userData, allowBlocks: true)
        }
        // A page inside an existing block.
        try t.map(virtual: UserAddr(0x80_0000), physical: PhysAddr(0x4080_0000), size: 2 * MiB, attributes: .userData, allowBlocks: true)
        #expect(throws: MappingError.alreadyMapped) {
            try t.map(virtual: UserAddr(0x90_0000), physical: PhysAddr(0x1000), size: 0x1000, attributes: .userData, allowBlocks: false)
        }
        #expect(t.memory.live == 4)   // root, L1, L2, L3 for the page; the block needed nothing new
    }

    @Test func outOfMemoryLeavesNothingBehind() throws {
        var t = try makeTable(limit: 3)
        #expect(throws: MappingError.outOfMemory) {
            try t.map(virtual: VirtAddr(0xffff_0000_0000_0000), physical: PhysAddr(0x4000_0000), size: 0x1000,
                      attributes: .kernelData, allowBlocks: true)
        }
        #expect(t.memory.live == 1)
        #expect(t.memory.allocated == 3 && t.memory.freed == 2)
        #expect(t.memory.validEntries == 0)
        #expect(t.memory.badAccesses == 0)

        t.memory.limit = 4
        try t.map(virtual: VirtAddr(0xffff_0000_0000_0000), physical: PhysAddr(0x4000_0000), size: 0x1000,
                  attributes: .kernelData, allowBlocks: true)
        // Needs one more L3 table (the range crosses into the next 2 MiB): refused as a whole.
        let before = t.memory.tables
        #expect(throws: MappingError.outOfMemory) {
            try t.map(virtual: VirtAddr(0xffff_0000_001f_f000), physical: PhysAddr(0x5000_0000), size: 0x2000,
                      attributes: .kernelData, allowBlocks: true)
        }
        #expect(t.memory.tables == before)
        #expect(t.memory.live == 4)
    }

    @Test func destroyFreesEveryTable() throws {
        var t = try makeTable()
        try t.map(virtual: UserAddr(0x40_001f_e000), physical: PhysAddr(0x1_401f_e000), size: 3 * MiB,
                  attributes: .userReadOnly, allowBlocks: true)
        try t.map(virtual: UserAddr(0x7fff_0000_0000), physical: PhysAddr(0x2000), size: 0x3000,
                  attributes: .userData, allowBlocks: false)
        #expect(t.memory.live > 5)
        let memory = t.destroy()
        #expect(memory.live == 0)
        #expect(memory.tables.isEmpty)
        #expect(memory.badAccesses == 0)
    }
}

@Suite struct TranslationTableFirstMappingTests {
    @Test func findsScatteredPagesInOrderAndSkipsEmptyTables() throws {
        var t = try makeTable()
        let pages: [UInt64] = [0x40_0000, 0x40_1000, 0x7f_ffff_f000, 0x8000_0000_0000 - 0x1000, 0x1234_5678_9000]
        for (i, va) in pages.enumerated() {
            try t.map(virtual: UserAddr(va), physical: PhysAddr(0x4000_0000 + UInt64(i) * 0x1000), size: 0x1000,
                      attributes: .userData, allowBlocks: false)
        }
        var found: [UInt64] = []
        var cursor = UserAddr(0)
        while let (va, tr) = t.firstMapping(from: cursor, through: UserAddr(0xffff_ffff_ffff)) {
            found.append(va.value)
            #expect(tr.physical == PhysAddr(0x4000_0000 + UInt64(pages.firstIndex(of: va.value)!) * 0x1000))
            cursor = va + 0x1000
        }
        #expect(found == pages.sorted())
        // Bounds are inclusive of `through` and the start is rounded down to its page.
        #expect(t.firstMapping(from: UserAddr(0x40_0fff), through: UserAddr(0x40_0fff))?.address == UserAddr(0x40_0000))
        #expect(t.firstMapping(from: UserAddr(0x40_2000), through: UserAddr(0x7f_ffff_efff)) == nil)
        #expect(t.firstMapping(from: UserAddr(0x40_2000), through: UserAddr(0x7f_ffff_f000))?.address == UserAddr(0x7f_ffff_f000))
        #expect(t.firstMapping(from: UserAddr(0x2000), through: UserAddr(0x1000)) == nil)
    }
}
