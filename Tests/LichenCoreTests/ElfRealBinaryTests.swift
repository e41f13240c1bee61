import Testing
@testable import LichenCore

/// Binaries from a real linker (ld.lld), to check the parser against a layout it did not invent.
@Suite struct ElfRealBinaryTests {
    @Test func lldStaticExecutable() throws {
        let image = try ElfImage(bytes: ElfRealBinaries.staticExecutable, machine: testMachine)
        #expect(image.kind == .executable)
        #expect(image.entry == 0x21_0200)
        #expect(image.segments.map(\.virtualAddress) == [0x20_0000, 0x21_0200, 0x22_0220, 0x23_0228])
        #expect(image.segments.map(\.flags) == [[.read], [.read, .execute], [.read, .write], [.read, .write]])
        #expect(image.segments[2].fileSize == 8 && image.segments[2].memorySize == 0xde0)  // RELRO padding
        #expect(image.programHeaderAddress == 0x20_0040)
        #expect(image.programHeaderCount == 8)
        #expect(image.tls == ElfTLS(virtualAddress: 0x22_0220, fileOffset: 0x220, fileSize: 8, memorySize: 8, alignment: 1))
        #expect(image.stackFlags == [.read, .write])
        #expect(image.interpreter == nil)
        // The entry point is in the executable segment, which holds the program's instructions.
        let text = image.segments[1]
        #expect(text.virtualAddress <= image.entry && image.entry < text.endAddress)
        #expect(ElfRealBinaries.staticExecutable[text.fileRange].prefix(4) == [0x20, 0x00, 0x80, 0xd2])  // mov x0, #1
    }

    @Test func lldStaticPIE() throws {
        let image = try ElfImage(bytes: ElfRealBinaries.staticPIE, machine: testMachine)
        #expect(image.kind == .positionIndependent)
        #expect(image.entry == 0x1_0280)
        #expect(image.segments.count == 4)
        #expect(image.lowestAddress == 0 && image.highestAddress == 0x3_1000)
        #expect(image.programHeaderAddress == 0x40)
        #expect(image.interpreter == nil)
    }

    @Test func lldDynamic() throws {
        let image = try ElfImage(bytes: ElfRealBinaries.dynamic, machine: testMachine)
        #expect(image.kind == .positionIndependent)
        #expect(image.interpreter == Array("/lib/ld-linux-aarch64.so.1".utf8))
        #expect(image.programHeaderCount == 10)
    }

    @Test func everyTruncation() {
        for binary in [ElfRealBinaries.staticExecutable, ElfRealBinaries.staticPIE, ElfRealBinaries.dynamic] {
            // The last PT_LOAD ends before the section headers: cuts after it still parse.
            let image = try? ElfImage(bytes: binary, machine: testMachine)
            let needed = image?.segments.map(\.fileRange.upperBound).max() ?? 0
            for n in 0..<binary.count {
                let e = elfError(Array(binary[0..<n]))
                if n < needed { #expect(e != nil, "length \(n)") } else { #expect(e == nil, "length \(n)") }
            }
        }
    }
}
