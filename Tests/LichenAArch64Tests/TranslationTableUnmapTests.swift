import Testing
import LichenCore
@testable import LichenAArch64

@Suite struct TranslationTableUnmapTests {
    @Test func unmapPages() throws {
        var t = try makeTable()
        let va = UserAddr(0x40_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4000_0000), size: 0x4000, attributes: .userData, allowBlocks: false)
        try t.unmap(virtual: va + 0x1000, size: 0x2000)
        #expect(t.translate(va) != nil)
        #expect(t.translate(va + 0x1000) == nil && t.translate(va + 0x2000) == nil)
        #expect(t.translate(va + 0x3000)?.physical == PhysAddr(0x4000_3000))
        #expect(t.memory.live == 4)                  // tables are kept
        #expect(t.memory.breakBeforeMakeAddresses.isEmpty)
        // Holes are fine, and remapping the hole works.
        try t.unmap(virtual: va, size: 0x10_0000)
        #expect(t.memory.validEntries == 3)          // only the table descriptors
        try t.map(virtual: va + 0x1000, physical: PhysAddr(0x5000_0000), size: 0x1000, attributes: .userReadOnly, allowBlocks: false)
        #expect(t.translate(va + 0x1000)?.attributes == .userReadOnly)
    }

    @Test func unmapNothingAllocatesNothing() throws {
        var t = try makeTable()
        try t.unmap(virtual: VirtAddr(0xffff_0000_0000_0000), size: GiB)
        #expect(t.memory.live == 1 && t.memory.validEntries == 0)
        #expect(throws: MappingError.misaligned) { try t.unmap(virtual: VirtAddr(0x1000), size: 0x800) }
    }

    @Test func unmapWholeBlocks() throws {
        var t = try makeTable()
        let va = VirtAddr(0xffff_0000_4000_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4000_0000), size: GiB + 2 * MiB, attributes: .kernelData, allowBlocks: true)
        try t.unmap(virtual: va, size: GiB + 2 * MiB)
        #expect(t.translate(va) == nil && t.translate(va + GiB) == nil)
        #expect(t.memory.live == 3)
        #expect(t.memory.breakBeforeMakeAddresses.isEmpty)
    }

    @Test func unmapPageInsideTwoMiBBlockSplitsIt() throws {
        var t = try makeTable()
        let va = VirtAddr(0xffff_0000_0020_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4020_0000), size: 2 * MiB, attributes: .kernelData, allowBlocks: true)
        #expect(t.memory.live == 3)
        try t.unmap(virtual: va + 0x5000, size: 0x1000)
        #expect(t.memory.live == 4)
        #expect(t.memory.breakBeforeMakeAddresses == [va.value])
        #expect(t.translate(va + 0x5000) == nil)
        for offset: UInt64 in [0, 0x4fff, 0x6000, 2 * MiB - 1] {
            let tr = try #require(t.translate(va + offset))
            #expect(tr.level == 3 && tr.physical == PhysAddr(0x4020_0000) + offset && tr.attributes == .kernelData)
        }
        #expect(t.memory.badAccesses == 0)
    }

    @Test func unmapPageInsideGigabyteBlockSplitsTwice() throws {
        var t = try makeTable()
        let va = UserAddr(0x40_0000_0000)
        try t.map(virtual: va, physical: PhysAddr(0x8000_0000), size: GiB, attributes: .userReadOnly, allowBlocks: true)
        try t.unmap(virtual: va + 0x60_0000, size: 0x1000)
        #expect(t.memory.live == 4)   // root, L1 (existing), new L2, new L3
        #expect(t.memory.breakBeforeMakeAddresses == [va.value, va.value + 0x60_0000])
        #expect(t.translate(va + 0x60_0000) == nil)
        #expect(t.translate(va + 0x60_1000)?.level == 3)
        #expect(t.translate(va + 0x80_0000)?.level == 2)
        #expect(t.translate(va + GiB - 1)?.physical == PhysAddr(0x8000_0000 + GiB - 1))
    }

    @Test func splitWithoutMemoryLeavesTheBlock() throws {
        var t = try makeTable(limit: 3)
        let va = VirtAddr(0xffff_0000_0020_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4020_0000), size: 2 * MiB, attributes: .kernelData, allowBlocks: true)
        let before = t.memory.tables
        #expect(throws: MappingError.outOfMemory) { try t.unmap(virtual: va, size: 0x1000) }
        #expect(t.memory.tables == before)
        #expect(t.translate(va)?.level == 2)
    }
}

@Suite struct TranslationTableProtectTests {
    @Test func protectPages() throws {
        var t = try makeTable()
        let va = UserAddr(0x40_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4000_0000), size: 0x3000, attributes: .userData, allowBlocks: false)
        try t.protect(virtual: va + 0x1000, size: 0x1000, attributes: .userCode)
        #expect(t.translate(va)?.attributes == .userData)
        #expect(t.translate(va + 0x1000)?.attributes == .userCode)
        #expect(t.translate(va + 0x1000)?.physical == PhysAddr(0x4000_1000))
        #expect(t.translate(va + 0x2000)?.attributes == .userData)
        #expect(t.memory.breakBeforeMakeAddresses.isEmpty)   // permissions only
    }

    @Test func protectRefusesHolesAndWX() throws {
        var t = try makeTable()
        let va = UserAddr(0x40_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4000_0000), size: 0x2000, attributes: .userData, allowBlocks: false)
        let before = t.memory.tables
        #expect(throws: MappingError.notMapped) {
            try t.protect(virtual: va, size: 0x3000, attributes: .userReadOnly)
        }
        #expect(throws: MappingError.writableAndExecutable) {
            try t.protect(virtual: va, size: 0x1000, attributes: MemoryAttributes(writable: true, user: true, userExecutable: true))
        }
        #expect(t.memory.tables == before)
    }

    @Test func protectSplitsBlockEdges() throws {
        var t = try makeTable()
        let va = VirtAddr(0xffff_0000_0040_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4040_0000), size: 4 * MiB, attributes: .kernelData, allowBlocks: true)
        // From the last page of the first block to the first page of the second.
        try t.protect(virtual: va + 2 * MiB - 0x1000, size: 0x2000, attributes: .kernelReadOnly)
        #expect(t.memory.live == 5)
        #expect(t.translate(va + 2 * MiB - 0x2000)?.attributes == .kernelData)
        #expect(t.translate(va + 2 * MiB - 0x1000)?.attributes == .kernelReadOnly)
        #expect(t.translate(va + 2 * MiB)?.attributes == .kernelReadOnly)
        #expect(t.translate(va + 2 * MiB + 0x1000)?.attributes == .kernelData)
        #expect(t.translate(va + 2 * MiB + 0x1000)?.physical == PhysAddr(0x4060_1000))
    }

    @Test func changingMemoryTypeBreaksBeforeMaking() throws {
        var t = try makeTable()
        let va = VirtAddr(0xffff_0000_0040_0000)
        try t.map(virtual: va, physical: PhysAddr(0x4040_0000), size: 2 * MiB, attributes: .kernelData, allowBlocks: true)
        let uncached = MemoryAttributes(writable: true, memoryType: .normalNonCacheable)
        try t.protect(virtual: va, size: 2 * MiB, attributes: uncached)
        #expect(t.memory.breakBeforeMakeAddresses == [va.value])
        #expect(t.translate(va)?.attributes == uncached)
        #expect(t.translate(va)?.level == 2)
    }
}
