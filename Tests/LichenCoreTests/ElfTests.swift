import Testing
@testable import LichenCore

@Suite struct ElfTests {
    @Test func staticExecutable() throws {
        let image = try ElfImage(bytes: ElfWriter.staticExecutable().build(), machine: testMachine)
        #expect(image.kind == .executable)
        #expect(image.entry == 0x40_0100)
        #expect(image.segments == [
            ElfSegment(virtualAddress: 0x40_0000, fileOffset: 0, fileSize: 0x1000, memorySize: 0x1000,
                       flags: [.read, .execute], alignment: 0x1_0000),
            ElfSegment(virtualAddress: 0x41_1000, fileOffset: 0x1000, fileSize: 0x100, memorySize: 0x2000,
                       flags: [.read, .write], alignment: 0x1_0000),
        ])
        #expect(image.segments[1].fileRange == 0x1000..<0x1100)
        #expect(image.segments[1].endAddress == 0x41_3000)
        #expect(image.interpreter == nil)
        // No PT_PHDR: the headers are in the first PT_LOAD, which maps offset 0 at 0x400000.
        #expect(image.programHeaderAddress == 0x40_0040)
        #expect(image.programHeaderCount == 5)
        #expect(ElfImage.programHeaderSize == 56)
        #expect(image.stackFlags == [.read, .write])
        #expect(!image.executableStack)
        #expect(image.tls == ElfTLS(virtualAddress: 0x41_1000, fileOffset: 0x1000, fileSize: 0x10, memorySize: 0x40, alignment: 8))
        #expect(image.lowestAddress == 0x40_0000)
        #expect(image.highestAddress == 0x41_3000)
    }

    @Test func staticPIE() throws {
        let image = try ElfImage(bytes: ElfWriter.staticPIE().build(), machine: testMachine)
        #expect(image.kind == .positionIndependent)
        #expect(image.entry == 0x180)
        #expect(image.segments.count == 2)
        #expect(image.programHeaderAddress == 64)  // from PT_PHDR
        #expect(image.stackFlags == nil)
        #expect(!image.executableStack)
        #expect(image.tls == nil)
        #expect(image.lowestAddress == 0)
        #expect(image.highestAddress == 0x1_2000)
    }

    @Test func interpreter() throws {
        let image = try ElfImage(bytes: ElfWriter.dynamicPIE().build(), machine: testMachine)
        #expect(image.interpreter == Array("/lib/ld-linux-aarch64.so.1".utf8))
        #expect(image.programHeaderCount == 5)
    }

    @Test func onlyTheFirstInterpreterCounts() throws {
        var w = ElfWriter.dynamicPIE()
        var second = w.programHeaders[1]
        second.offset = 0x380
        w.programHeaders.append(second)
        w.contents.append((0x380, Array("/other\0".utf8)))
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).interpreter == Array("/lib/ld-linux-aarch64.so.1".utf8))
    }

    @Test func executableStack() throws {
        var w = ElfWriter.staticExecutable()
        w.programHeaders[4].flags = ElfProgramHeader.r | ElfProgramHeader.w | ElfProgramHeader.x
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).executableStack)
    }

    @Test func phdrAddressNeedsTheHeadersInASegment() throws {
        var w = ElfWriter.staticExecutable()
        w.programHeaders[0].offset = 0x1000  // text now starts after the headers (sharing file bytes with data: fine)
        w.programHeaders[0].vaddr = 0x40_1000
        w.programHeaders[0].filesz = 0x100
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).programHeaderAddress == nil)
    }

    @Test func zeroAndOneAlignmentAreAccepted() throws {
        for align: UInt64 in [0, 1] {
            var w = ElfWriter.staticExecutable()
            w.programHeaders[1].align = align
            #expect(try ElfImage(bytes: w.build(), machine: testMachine).segments[1].alignment == align)
        }
    }

    @Test func pageSharingSegmentsAreAccepted() throws {
        // Text ends at 0x400800 and data starts in the same page at 0x400800 (file offset 0x800): legal.
        var w = ElfWriter.staticExecutable()
        w.programHeaders[0].filesz = 0x800
        w.programHeaders[0].memsz = 0x800
        w.programHeaders[1] = .init(type: ElfProgramHeader.load, flags: ElfProgramHeader.r | ElfProgramHeader.w,
                                    offset: 0x800, vaddr: 0x40_0800, filesz: 0x900, memsz: 0x1000, align: 0x1000)
        w.programHeaders[3].offset = 0x800
        w.programHeaders[3].vaddr = 0x40_0800
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).segments.count == 2)
    }

    @Test func maximumProgramHeaders() throws {
        var w = ElfWriter.staticExecutable()
        w.fileSize = 0x2000
        w.programHeaders[1].filesz = 0x1000
        w.phoff = 0x1000  // inside the data segment
        while w.programHeaders.count < 73 {
            w.programHeaders.append(.init(type: ElfProgramHeader.note, flags: 0, offset: 0, vaddr: 0, filesz: 0, memsz: 0, align: 0))
        }
        let image = try ElfImage(bytes: w.build(), machine: testMachine)
        #expect(image.programHeaderCount == 73)
        #expect(image.programHeaderAddress == 0x41_1000)
        w.programHeaders.append(w.programHeaders[72])
        w.fileSize = 0x2100  // room for the 74th header
        w.programHeaders[1].filesz = 0x1100
        #expect(elfError(w.build()) == .badProgramHeaders)
    }

    @Test func unsafeBufferEntryPoint() throws {
        let bytes = ElfWriter.staticExecutable().build()
        let entry = try bytes.withUnsafeBytes { try ElfImage($0, machine: testMachine).entry }
        #expect(entry == 0x40_0100)
    }
}
