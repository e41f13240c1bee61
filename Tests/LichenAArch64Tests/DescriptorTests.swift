import Testing
import LichenCore
@testable import LichenAArch64

/// Expected values are assembled by hand from the Arm ARM stage 1 descriptor layout:
/// valid 0x1, page/table 0x2, AttrIndx<<2, AP[1] 0x40, AP[2] 0x80, SH=11 0x300, AF 0x400,
/// nG 0x800, PXN 1<<53, UXN 1<<54 (PXN|UXN = 0x0060_0000_0000_0000).
@Suite struct DescriptorTests {
    @Test func kernelDataPage() throws {
        let e = try PageTableEntry.page(PhysAddr(0x4000_1000), attributes: .kernelData)
        #expect(e.rawValue == 0x0060_0000_4000_1703)
        #expect(e.kind(level: 3) == .page)
        #expect(e.outputAddress == PhysAddr(0x4000_1000))
    }

    @Test func kernelCodeAndReadOnlyPages() throws {
        // AP = 10 (EL1 read-only); code clears PXN.
        #expect(try PageTableEntry.page(PhysAddr(0x4000_1000), attributes: .kernelCode).rawValue == 0x0040_0000_4000_1783)
        #expect(try PageTableEntry.page(PhysAddr(0x4000_1000), attributes: .kernelReadOnly).rawValue == 0x0060_0000_4000_1783)
    }

    @Test func devicePage() throws {
        // AttrIndx 1 (0x4), no shareability bits, execute-never everywhere.
        let e = try PageTableEntry.page(PhysAddr(0x0900_0000), attributes: .kernelDevice)
        #expect(e.rawValue == 0x0060_0000_0900_0407)
        #expect(e.attributes.memoryType == .device)
    }

    @Test func userPages() throws {
        // User data: AP = 01, nG. User code: AP = 11, nG, UXN clear, PXN set.
        #expect(try PageTableEntry.page(PhysAddr(0x4123_4000), attributes: .userData).rawValue == 0x0060_0000_4123_4f43)
        #expect(try PageTableEntry.page(PhysAddr(0x4123_4000), attributes: .userCode).rawValue == 0x0020_0000_4123_4fc3)
        #expect(try PageTableEntry.page(PhysAddr(0x4123_4000), attributes: .userReadOnly).rawValue == 0x0060_0000_4123_4fc3)
    }

    @Test func blocks() throws {
        // Blocks have bit 1 clear.
        let twoMiB = try PageTableEntry.block(PhysAddr(0x4020_0000), level: 2, attributes: .kernelData)
        #expect(twoMiB.rawValue == 0x0060_0000_4020_0701)
        #expect(twoMiB.kind(level: 2) == .block)
        let nc = MemoryAttributes(writable: true, memoryType: .normalNonCacheable)
        let oneGiB = try PageTableEntry.block(PhysAddr(0x4000_0000), level: 1, attributes: nc)
        #expect(oneGiB.rawValue == 0x0060_0000_4000_0709)
        #expect(oneGiB.kind(level: 1) == .block)
    }

    @Test func tableDescriptor() {
        let e = PageTableEntry.table(PhysAddr(0x4000_5000))
        #expect(e.rawValue == 0x4000_5003)
        #expect(e.kind(level: 0) == .table && e.kind(level: 2) == .table)
        // The same bits are a page at level 3.
        #expect(e.kind(level: 3) == .page)
    }

    @Test func kindsTheHardwareRejects() {
        #expect(PageTableEntry(rawValue: 0x4000_0701).kind(level: 0) == .invalid)   // no level 0 blocks
        #expect(PageTableEntry(rawValue: 0x4000_0701).kind(level: 3) == .invalid)   // reserved at level 3
        #expect(PageTableEntry(rawValue: 0x4000_0702).kind(level: 2) == .invalid)   // valid bit clear
    }

    @Test func softwareBits() throws {
        let e = try PageTableEntry.page(PhysAddr(0x1000), attributes: MemoryAttributes(user: true, software: 0b1010))
        #expect(e.rawValue & 0x0780_0000_0000_0000 == 0x0500_0000_0000_0000)
        #expect(e.attributes.software == 0b1010)
        #expect(throws: MappingError.invalidAttributes) {
            try MemoryAttributes(software: 0x10).validate()
        }
    }

    @Test func attributesRoundTrip() throws {
        let all: [MemoryAttributes] = [.kernelData, .kernelCode, .kernelReadOnly, .kernelDevice,
                                       .userData, .userCode, .userReadOnly,
                                       MemoryAttributes(writable: true, memoryType: .deviceStrong),
                                       MemoryAttributes(user: true, global: true, memoryType: .normalNonCacheable)]
        for a in all {
            for level in 1...3 {
                let e = try PageTableEntry.leaf(PhysAddr(0x40_0000_0000), level: level, attributes: a)
                #expect(e.attributes == a)
                #expect(e.outputAddress == PhysAddr(0x40_0000_0000))
            }
        }
    }

    @Test func writableAndExecutableIsRefused() {
        #expect(throws: MappingError.writableAndExecutable) {
            try PageTableEntry.page(PhysAddr(0x1000), attributes: MemoryAttributes(writable: true, kernelExecutable: true))
        }
        #expect(throws: MappingError.writableAndExecutable) {
            try MemoryAttributes(writable: true, user: true, userExecutable: true).validate()
        }
    }

    @Test func contradictoryAttributesAreRefused() {
        let bad = [MemoryAttributes(userExecutable: true),                            // not user
                   MemoryAttributes(kernelExecutable: true, user: true),              // kernel runs user memory
                   MemoryAttributes(kernelExecutable: true, memoryType: .device)]     // executes MMIO
        for a in bad {
            #expect(throws: MappingError.invalidAttributes) { try a.validate() }
        }
    }

    @Test func misplacedLeaves() {
        #expect(throws: MappingError.misaligned) {
            try PageTableEntry.block(PhysAddr(0x4010_0000), level: 2, attributes: .kernelData)
        }
        #expect(throws: MappingError.misaligned) {
            try PageTableEntry.block(PhysAddr(0x4020_0000), level: 1, attributes: .kernelData)
        }
        #expect(throws: MappingError.misaligned) {
            try PageTableEntry.block(PhysAddr(0), level: 0, attributes: .kernelData)
        }
        #expect(throws: MappingError.misaligned) {
            try PageTableEntry.block(PhysAddr(0x1000), level: 3, attributes: .kernelData)
        }
        #expect(throws: MappingError.invalidAddress) {
            try PageTableEntry.page(PhysAddr(1 << 48), attributes: .kernelData)
        }
    }

    @Test func splitParts() throws {
        let block = try PageTableEntry.block(PhysAddr(0x4000_0000), level: 1, attributes: .userReadOnly)
        let part = block.splitPart(3, blockLevel: 1)
        #expect(part.kind(level: 2) == .block)
        #expect(part.outputAddress == PhysAddr(0x4060_0000))
        #expect(part.attributes == .userReadOnly)
        let page = part.splitPart(511, blockLevel: 2)
        #expect(page.kind(level: 3) == .page)
        #expect(page.outputAddress == PhysAddr(0x407f_f000))
        #expect(page == (try PageTableEntry.page(PhysAddr(0x407f_f000), attributes: .userReadOnly)))
    }

    @Test func mairValue() {
        #expect(mairEL1Value == 0x0044_04ff)
        var assembled: UInt64 = 0
        for type in [MemoryType.normal, .device, .normalNonCacheable, .deviceStrong] {
            assembled |= UInt64(type.mairAttribute) << (8 * type.attributeIndex)
        }
        #expect(assembled == mairEL1Value)
    }
}
