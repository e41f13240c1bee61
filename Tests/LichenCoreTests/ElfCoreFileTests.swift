import Testing
@testable import LichenCore

@Suite struct ElfCoreFileTests {
    @Test("struct elf_prstatus_common and struct elf_prpsinfo are laid out as Linux's")
    func layouts() {
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.size == 112)
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.offset(of: \.pr_cursig) == 12)
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.offset(of: \.pr_sigpend) == 16)
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.offset(of: \.pr_pid) == 32)
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.offset(of: \.pr_utime) == 48)
        #expect(MemoryLayout<LinuxElfPrstatusCommon>.offset(of: \.pr_cstime) == 96)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.size == 136)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.offset(of: \.pr_flag) == 8)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.offset(of: \.pr_uid) == 16)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.offset(of: \.pr_pid) == 24)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.offset(of: \.pr_fname) == 40)
        #expect(MemoryLayout<LinuxElfPrpsinfo>.offset(of: \.pr_psargs) == 56)
    }

    @Test("prpsinfo names: the command truncated to 15 bytes, arguments with spaces for NULs")
    func names() {
        var p = LinuxElfPrpsinfo()
        p.setNames(command: Array("a-very-long-command-name".utf8), arguments: Array("ls\0-l\0/tmp\0".utf8))
        let fname = withUnsafeBytes(of: p.pr_fname) { Array($0) }
        #expect(fname == Array("a-very-long-com".utf8) + [0])
        let args = withUnsafeBytes(of: p.pr_psargs) { Array($0.prefix(12)) }
        #expect(args == Array("ls -l /tmp".utf8) + [0, 0])
    }

    private func word(_ b: [UInt8], _ at: Int, _ n: Int) -> UInt64 {
        (0..<n).reduce(UInt64(0)) { $0 | UInt64(b[at + $1]) << (8 * UInt64($1)) }
    }

    @Test("header, program headers, padded notes, page-aligned segment offsets")
    func layout() {
        let notes = [ElfCoreFile.Note(type: LinuxElfNote.NT_PRSTATUS, description: [1, 2, 3, 4, 5]),
                     ElfCoreFile.Note(type: LinuxElfNote.NT_AUXV, description: [9, 9, 9, 9, 9, 9, 9, 9])]
        let segments = [ElfCoreFile.Segment(address: 0x40_0000, memorySize: 0x3000, fileSize: 0x3000, flags: 6),
                        ElfCoreFile.Segment(address: 0x50_0000, memorySize: 0x1000, fileSize: 0, flags: 4),
                        ElfCoreFile.Segment(address: 0x60_0000, memorySize: 0x2000, fileSize: 0x2000, flags: 5)]
        let core = ElfCoreFile(machine: 183, notes: notes, segments: segments)
        let h = core.headers
        #expect(Array(h.prefix(8)) == [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0])
        #expect(word(h, 16, 2) == 4)            // ET_CORE
        #expect(word(h, 18, 2) == 183)          // EM_AARCH64
        #expect(word(h, 32, 8) == 64)           // e_phoff
        #expect(word(h, 54, 2) == 56)           // e_phentsize
        #expect(word(h, 56, 2) == 4)            // e_phnum: the note and three loads
        let notesOffset: Int = 288             // 64 + 4 * 56
        #expect(word(h, 64, 4) == 4 && word(h, 64 + 8, 8) == UInt64(notesOffset))
        // Each note: 12-byte header, "CORE\0" padded to 8, the description padded to 4.
        let notesSize: UInt64 = 56             // (12 + 8 + 8) twice
        #expect(word(h, 64 + 32, 8) == notesSize)
        #expect(word(h, notesOffset, 4) == 5 && word(h, notesOffset + 4, 4) == 5 && word(h, notesOffset + 8, 4) == 1)
        #expect(Array(h[(notesOffset + 12)..<(notesOffset + 17)]) == Array("CORE".utf8) + [0])
        #expect(word(h, notesOffset + 28 + 8, 4) == 6)
        #expect(h.count == notesOffset + 56)
        #expect(core.offsets == [0x1000, 0x4000, 0x4000])
        #expect(core.size == 0x6000)
        // The second load: p_offset, p_vaddr, p_filesz 0, p_memsz, p_align.
        let second: Int = 176                  // 64 + 2 * 56
        #expect(word(h, second, 4) == 1 && word(h, second + 4, 4) == 4)
        #expect(word(h, second + 8, 8) == 0x4000 && word(h, second + 16, 8) == 0x50_0000)
        #expect(word(h, second + 32, 8) == 0 && word(h, second + 40, 8) == 0x1000 && word(h, second + 48, 8) == 0x1000)
    }
}
