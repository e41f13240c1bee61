import Testing
@testable import LichenCore

/// How execve maps each PT_LOAD (SegmentMapping, as Linux's elf_load) and which parts of a program
/// file it reads (ElfFilePieces: the head, the program headers, PT_INTERP, nothing else).
@Suite struct SegmentMappingTests {
    func segment(_ vaddr: UInt64, offset: UInt64, file: UInt64, memory: UInt64, flags: ElfSegmentFlags) -> ElfSegment {
        ElfSegment(virtualAddress: vaddr, fileOffset: offset, fileSize: file, memorySize: memory, flags: flags, alignment: 0x1_0000)
    }

    @Test func textIsFilePagesOnly() {
        let m = SegmentMapping(segment(0x40_0000, offset: 0, file: 0x1234, memory: 0x1234, flags: [.read, .execute]), bias: 0)
        #expect(m.filePages == 0x40_0000..<0x40_2000)
        #expect(m.fileOffset == 0)
        #expect(m.zeroFrom == nil)             // memsz == filesz: the last page shows the file's next bytes
        #expect(m.anonymousPages == nil)
        #expect(m.protection == [.read, .execute])
    }

    @Test func dataWithBssZeroesThePartialPageAndAddsAnonymousPages() {
        // GNU ld's data segment: starts mid-page (congruent with its offset), bss past its file bytes.
        let m = SegmentMapping(segment(0x41_1e10, offset: 0x1e10, file: 0x300, memory: 0x5000, flags: [.read, .write]), bias: 0x1000_0000)
        #expect(m.filePages == 0x1041_1000..<0x1041_3000)
        #expect(m.fileOffset == 0x1000)
        #expect(m.zeroFrom == 0x1041_2110)
        #expect(m.anonymousPages == 0x1041_3000..<0x1041_7000)
        #expect(m.anonymousProtection == [.read, .write])
    }

    @Test func bssEndingOnTheLastFilePageNeedsNoAnonymousPages() {
        let m = SegmentMapping(segment(0x41_1000, offset: 0x1000, file: 0x100, memory: 0x300, flags: [.read, .write]), bias: 0)
        #expect(m.filePages == 0x41_1000..<0x41_2000)
        #expect(m.zeroFrom == 0x41_1100)
        #expect(m.anonymousPages == nil)
    }

    @Test func fileBytesEndingOnAPageLeaveNothingToZero() {
        let m = SegmentMapping(segment(0x41_0000, offset: 0x1_0000, file: 0x2000, memory: 0x3800, flags: [.read, .write]), bias: 0)
        #expect(m.zeroFrom == nil)
        #expect(m.anonymousPages == 0x41_2000..<0x41_4000)
    }

    @Test func readOnlySegmentKeepsTheFileBytesAsLinuxDoes() {
        // padzero fails on a read-only page and Linux ignores it; the bss pages are read-write anyway.
        let m = SegmentMapping(segment(0x40_0000, offset: 0, file: 0x1100, memory: 0x4000, flags: [.read, .execute]), bias: 0)
        #expect(m.zeroFrom == nil)
        #expect(m.anonymousPages == 0x40_2000..<0x40_4000)
        #expect(m.anonymousProtection == .all)
    }

    @Test func segmentWithoutFileBytesIsAnonymous() {
        let m = SegmentMapping(segment(0x42_0800, offset: 0x2000, file: 0, memory: 0x1000, flags: [.read, .write]), bias: 0)
        #expect(m.filePages == nil)
        #expect(m.zeroFrom == nil)
        #expect(m.anonymousPages == 0x42_0000..<0x42_2000)
    }

    @Test func piecesHoldOnlyTheHeadersAndParseLikeTheWholeFile() throws {
        var writer = ElfWriter.dynamicPIE()
        writer.fileSize = 0x40_0000                        // a 4 MiB program: only its headers are read
        let whole = writer.build()
        var pieces = ElfFilePieces(count: whole.count)
        func read(_ r: Range<Int>) { pieces.add(Array(whole[r.lowerBound..<min(r.upperBound, whole.count)]), at: r.lowerBound) }
        read(0..<ElfFilePieces.headSize)
        let table = try #require(pieces.programHeaderTable())
        #expect(table == 64..<64 + 5 * 56)
        read(table)
        let interpreter = try #require(pieces.interpreterPath())
        #expect(interpreter == 0x300..<0x300 + 27)
        read(interpreter)
        let fromPieces = try ElfImage(pieces, machine: testMachine)
        let fromFile = try ElfImage(bytes: whole, machine: testMachine)
        #expect(fromPieces.segments == fromFile.segments)
        #expect(fromPieces.interpreter == Array("/lib/ld-linux-aarch64.so.1".utf8))
        #expect(fromPieces.programHeaderAddress == fromFile.programHeaderAddress)
    }

    @Test func piecesOfAStaticProgramHaveNoInterpreterAndAShrunkFileReadsZeros() throws {
        let whole = ElfWriter.staticExecutable().build()
        var pieces = ElfFilePieces(count: whole.count)
        pieces.add(Array(whole[0..<100]), at: 0)          // the file shrank to 100 bytes after its size was taken
        #expect(pieces.prefix(4) == [0x7f, 0x45, 0x4c, 0x46])
        let table = try #require(pieces.programHeaderTable())
        #expect(pieces.interpreterPath() == nil)           // the table reads as zeros: no PT_INTERP
        #expect(table.lowerBound == 64)
        #expect(throws: ElfError.self) { _ = try ElfImage(pieces, machine: testMachine) }
    }

    @Test func notElfNamesNoTable() {
        var pieces = ElfFilePieces(count: 20)
        pieces.add(Array("#!/bin/sh\necho hi\n".utf8), at: 0)
        #expect(pieces.programHeaderTable() == nil)
        #expect(pieces.prefix(2) == Array("#!".utf8))
    }
}

@Suite struct FaultAroundTests {
    @Test func windowIsTheAligned64KiBClippedToTheArea() {
        #expect(FaultAround.window(around: 0x40_3000, areaStart: 0x40_0000, areaEnd: 0x49_2000) == 0x40_0000..<0x41_0000)
        #expect(FaultAround.window(around: 0x49_1000, areaStart: 0x40_0000, areaEnd: 0x49_2000) == 0x49_0000..<0x49_2000)
        #expect(FaultAround.window(around: 0x4a_c000, areaStart: 0x4a_c000, areaEnd: 0x4b_3000) == 0x4a_c000..<0x4b_0000)
    }
}
