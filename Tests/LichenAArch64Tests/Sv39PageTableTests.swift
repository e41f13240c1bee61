import Testing
import LichenCore

/// The generic walker and bulk operations through a second, test-only descriptor format (Sv39TestFormat).
@Suite struct Sv39PageTableTests {
    private func makeSv39(limit: Int? = nil) throws -> Sv39Table {
        try Sv39Table.create(memory: TestTableMemory(limit: limit))
    }

    @Test func geometry() {
        #expect(Sv39Geometry.levels == 3 && Sv39Geometry.lastLevel == 2)
        #expect(Sv39Geometry.entrySize(level: 0) == GiB)
        #expect(Sv39Geometry.entrySize(level: 1) == 2 * MiB)
        #expect(Sv39Geometry.entrySize(level: 2) == 4 * KiB)
        #expect(Sv39Geometry.index(of: 0x3f_c020_3000, level: 0) == 0xff)
        #expect(Sv39Geometry.index(of: 0x3f_c020_3000, level: 1) == 1)
        #expect(Sv39Geometry.index(of: 0x3f_c020_3000, level: 2) == 3)
        #expect(Sv39Geometry.isCanonical(0x3f_ffff_f000))
        #expect(Sv39Geometry.isCanonical(0xffff_ffc0_0000_0000))
        #expect(!Sv39Geometry.isCanonical(0x40_0000_0000))
        #expect(!Sv39Geometry.isCanonicalRange(0x3f_ffff_f000, size: 0x2000))
        #expect(Sv39Geometry.userLimit == 1 << 38)
    }

    @Test func descriptorEncoding() throws {
        // V R W U A D = 0xd7, PPN 0x80201 << 10.
        let page = try Sv39Entry.page(PhysAddr(0x8020_1000), attributes: .userData)
        #expect(page.rawValue == 0x2008_04d7)
        #expect(page.kind(level: 2) == .page && page.kind(level: 1) == .block)
        #expect(page.attributes == .userData)
        #expect(Sv39Entry.table(PhysAddr(0x8000_0000)).kind(level: 0) == .table)
        #expect(Sv39Entry.table(PhysAddr(0x8000_0000)).kind(level: 2) == .invalid)
        #expect(throws: MappingError.misaligned) { try Sv39Entry.block(PhysAddr(0x8020_0000), level: 0, attributes: .kernelData) }
        #expect(throws: MappingError.writableAndExecutable) {
            try Sv39Entry.page(PhysAddr(0x8020_0000), attributes: MemoryAttributes(writable: true, kernelExecutable: true))
        }
    }

    @Test func mapTranslateUnmapPages() throws {
        var t = try makeSv39()
        try t.map(virtual: UserAddr(0x1000_0000), physical: PhysAddr(0x8100_0000), size: 3 * 4 * KiB,
                  attributes: .userCode, allowBlocks: true)
        let tr = try #require(t.translate(UserAddr(0x1000_2abc)))
        #expect(tr.physical == PhysAddr(0x8100_2abc) && tr.level == 2 && tr.attributes == .userCode)
        #expect(t.translate(UserAddr(0x1000_3000)) == nil)
        #expect(t.memory.live == 3)                     // root, one level 1, one level 2 table
        #expect(throws: MappingError.alreadyMapped) {
            try t.map(virtual: UserAddr(0x1000_1000), physical: PhysAddr(0x8200_0000), size: 4 * KiB,
                      attributes: .userData, allowBlocks: false)
        }
        try t.unmap(virtual: UserAddr(0x1000_1000), size: 4 * KiB)
        #expect(t.translate(UserAddr(0x1000_1000)) == nil)
        #expect(t.translate(UserAddr(0x1000_2000))?.physical == PhysAddr(0x8100_2000))
        #expect(throws: MappingError.invalidAddress) {
            try t.map(virtual: UserAddr(1 << 38), physical: PhysAddr(0x8100_0000), size: 4 * KiB,
                      attributes: .userData, allowBlocks: false)
        }
        let memory = t.destroy()
        #expect(memory.live == 0 && memory.badAccesses == 0)
    }

    @Test func rootLevelBlocksSplitOnProtect() throws {
        var t = try makeSv39()
        let base = VirtAddr(0xffff_ffc0_4000_0000)     // the upper half, 1 GiB aligned
        try t.map(virtual: base, physical: PhysAddr(0x8000_0000), size: GiB, attributes: .kernelData, allowBlocks: true)
        #expect(t.translate(base + 0x1234_5678)?.level == 0)
        #expect(t.memory.live == 1)                     // one root entry is the whole gigabyte
        try t.protect(virtual: base + 0x20_3000, size: 4 * KiB, attributes: .kernelReadOnly)
        let split = try #require(t.translate(base + 0x20_3000))
        #expect(split.level == 2 && split.attributes == .kernelReadOnly && split.physical == PhysAddr(0x8020_3000))
        #expect(t.translate(base + 0x20_4000)?.attributes == .kernelData)
        #expect(t.translate(base + 0x20_4000)?.level == 2)
        #expect(t.translate(base + 0x40_0000)?.level == 1)          // the rest stays 2 MiB blocks
        #expect(t.translate(base + 0x3fff_f000)?.physical == PhysAddr(0xbfff_f000))
        #expect(t.memory.live == 3 && t.memory.breakBeforeMakeAddresses.count == 2)
        try t.unmap(virtual: base + 0x60_0000, size: 2 * MiB)
        #expect(t.translate(base + 0x60_0000) == nil && t.translate(base + 0x80_0000) != nil)
    }

    @Test func bulkOperations() throws {
        var parent = try makeSv39()
        var next: UInt64 = 0x9000_0000
        var mapped: [UInt64] = []
        try parent.mapPages(from: UserAddr(0x3f_ffff_c000), to: UserAddr(1 << 38), attributes: .userData,
                            frame: { _ in defer { next += 0x1000 }; return PhysAddr(next) },
                            present: { _, _ in Issue.record("nothing was mapped") })
        try parent.mapPages(from: UserAddr(0x40_0000), to: UserAddr(0x40_2000), attributes: .userCode,
                            frame: { mapped.append($0.value); return PhysAddr(0x9100_0000 + $0.value - 0x40_0000) },
                            present: { _, _ in })
        #expect(mapped == [0x40_0000, 0x40_1000])
        #expect(parent.firstMapping(from: UserAddr(0x40_1000), through: UserAddr(0x3f_ffff_ffff))?.address == UserAddr(0x40_1000))
        #expect(parent.firstMapping(from: UserAddr(0x40_2000), through: UserAddr(0x3f_ffff_ffff))?.address == UserAddr(0x3f_ffff_c000))

        var child = try makeSv39()
        var copied = 0
        try parent.copyPages(from: UserAddr(0), to: UserAddr(1 << 38), into: &child, copyOnWrite: true) { _, _ in copied += 1 }
        #expect(copied == 6)
        #expect(parent.translate(UserAddr(0x3f_ffff_d000))?.attributes == .userReadOnly)
        #expect(child.translate(UserAddr(0x3f_ffff_d000))?.attributes == .userReadOnly)
        #expect(child.translate(UserAddr(0x3f_ffff_d000))?.physical == PhysAddr(0x9000_1000))
        #expect(child.translate(UserAddr(0x40_1000))?.attributes == .userCode)

        var freed: [UInt64] = []
        let resume = try child.unmapPages(from: UserAddr(0), to: UserAddr(1 << 38)) { freed.append($1.value); return freed.count < 4 }
        #expect(resume == UserAddr(0x3f_ffff_e000))
        #expect(try child.unmapPages(from: resume!, to: UserAddr(1 << 38)) { freed.append($1.value); return true } == nil)
        #expect(freed == [0x9100_0000, 0x9100_1000, 0x9000_0000, 0x9000_1000, 0x9000_2000, 0x9000_3000])
        #expect(child.firstMapping(from: UserAddr(0), through: UserAddr((1 << 38) - 1)) == nil)
        #expect(throws: MappingError.invalidAddress) {
            try child.unmapPages(from: UserAddr(0), to: UserAddr(1 << 39)) { _, _ in true }
        }
        let memory = child.destroy()
        #expect(memory.live == 0 && memory.badAccesses == 0)
    }
}
