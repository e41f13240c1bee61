// Test-only ELF64 little-endian writer (the inverse of ElfImage), so every test builds its
// executable in code: an ELF header, the program header table, then whatever bytes are placed.
@testable import LichenCore

struct ElfProgramHeader {
    var type: UInt32
    var flags: UInt32
    var offset: UInt64
    var vaddr: UInt64
    var filesz: UInt64
    var memsz: UInt64
    var align: UInt64

    static let load: UInt32 = 1, interp: UInt32 = 3, note: UInt32 = 4, phdr: UInt32 = 6, tls: UInt32 = 7
    static let gnuStack: UInt32 = 0x6474_e551, gnuRelro: UInt32 = 0x6474_e552
    static let r: UInt32 = 4, w: UInt32 = 2, x: UInt32 = 1
}

/// EM_AARCH64: the machine of the test programs (ElfWriter's and ElfRealBinaries'), passed to ElfImage
/// as an architecture's LinuxArchABI.elfMachine would be.
let testMachine: UInt16 = 183

struct ElfWriter {
    var type: UInt16 = 2
    var machine: UInt16 = testMachine
    var osABI: UInt8 = 0
    var entry: UInt64 = 0x40_0100
    var phoff: UInt64 = 64
    var programHeaders: [ElfProgramHeader] = []
    var fileSize = 0x1100
    /// Extra bytes placed in the file (e.g. the interpreter path).
    var contents: [(offset: Int, bytes: [UInt8])] = []

    // Byte offsets of ELF header fields.
    static let typeField = 16, machineField = 18, versionField = 20, entryField = 24, phoffField = 32
    static let phentsizeField = 54, phnumField = 56

    /// A static ET_EXEC as GNU ld lays out a small program: text (with the headers) and data
    /// segments 64 KiB-aligned, a TLS template inside the data, and a non-executable stack.
    static func staticExecutable() -> ElfWriter {
        var w = ElfWriter()
        w.programHeaders = [
            .init(type: ElfProgramHeader.load, flags: ElfProgramHeader.r | ElfProgramHeader.x, offset: 0,
                  vaddr: 0x40_0000, filesz: 0x1000, memsz: 0x1000, align: 0x1_0000),
            .init(type: ElfProgramHeader.load, flags: ElfProgramHeader.r | ElfProgramHeader.w, offset: 0x1000,
                  vaddr: 0x41_1000, filesz: 0x100, memsz: 0x2000, align: 0x1_0000),
            .init(type: ElfProgramHeader.note, flags: ElfProgramHeader.r, offset: 0x200, vaddr: 0x40_0200,
                  filesz: 0x20, memsz: 0x20, align: 4),
            .init(type: ElfProgramHeader.tls, flags: ElfProgramHeader.r, offset: 0x1000, vaddr: 0x41_1000,
                  filesz: 0x10, memsz: 0x40, align: 8),
            .init(type: ElfProgramHeader.gnuStack, flags: ElfProgramHeader.r | ElfProgramHeader.w, offset: 0,
                  vaddr: 0, filesz: 0, memsz: 0, align: 16),
        ]
        return w
    }

    /// A static-PIE ET_DYN linked at 0, with PT_PHDR and a RELRO region.
    static func staticPIE() -> ElfWriter {
        var w = ElfWriter()
        w.type = 3
        w.entry = 0x180
        w.osABI = 3
        w.programHeaders = [
            .init(type: ElfProgramHeader.phdr, flags: ElfProgramHeader.r, offset: 64, vaddr: 64,
                  filesz: 4 * 56, memsz: 4 * 56, align: 8),
            .init(type: ElfProgramHeader.load, flags: ElfProgramHeader.r | ElfProgramHeader.x, offset: 0,
                  vaddr: 0, filesz: 0x1000, memsz: 0x1000, align: 0x1_0000),
            .init(type: ElfProgramHeader.load, flags: ElfProgramHeader.r | ElfProgramHeader.w, offset: 0x1000,
                  vaddr: 0x1_1000, filesz: 0x100, memsz: 0x300, align: 0x1_0000),
            .init(type: ElfProgramHeader.gnuRelro, flags: ElfProgramHeader.r, offset: 0x1000, vaddr: 0x1_1000,
                  filesz: 0x100, memsz: 0x100, align: 1),
        ]
        return w
    }

    /// A dynamically linked ET_DYN: PT_INTERP naming the glibc loader.
    static func dynamicPIE(interpreter: String = "/lib/ld-linux-aarch64.so.1") -> ElfWriter {
        var w = staticPIE()
        let path = Array(interpreter.utf8) + [0]
        w.programHeaders[0].filesz = 5 * 56
        w.programHeaders[0].memsz = 5 * 56
        w.programHeaders.insert(.init(type: ElfProgramHeader.interp, flags: ElfProgramHeader.r, offset: 0x300,
                                      vaddr: 0x300, filesz: UInt64(path.count), memsz: UInt64(path.count), align: 1), at: 1)
        w.contents.append((0x300, path))
        return w
    }

    func build() -> [UInt8] {
        var f = [UInt8](repeating: 0, count: fileSize)
        // Recognisable segment contents up to the end of the file.
        for i in 0x400..<fileSize { f[i] = UInt8(truncatingIfNeeded: i * 7) }
        f.replaceSubrange(0..<4, with: [0x7f, 0x45, 0x4c, 0x46])
        f[4] = 2; f[5] = 1; f[6] = 1; f[7] = osABI
        f.setLE(UInt64(type), at: Self.typeField, size: 2)
        f.setLE(UInt64(machine), at: Self.machineField, size: 2)
        f.setLE(1, at: Self.versionField, size: 4)
        f.setLE(entry, at: Self.entryField, size: 8)
        f.setLE(phoff, at: Self.phoffField, size: 8)
        f.setLE(64, at: 52, size: 2)  // e_ehsize
        f.setLE(56, at: Self.phentsizeField, size: 2)
        f.setLE(UInt64(programHeaders.count), at: Self.phnumField, size: 2)
        for (i, ph) in programHeaders.enumerated() {
            let o = Int(phoff) + 56 * i
            f.setLE(UInt64(ph.type), at: o, size: 4)
            f.setLE(UInt64(ph.flags), at: o + 4, size: 4)
            f.setLE(ph.offset, at: o + 8, size: 8)
            f.setLE(ph.vaddr, at: o + 16, size: 8)
            f.setLE(ph.vaddr, at: o + 24, size: 8)
            f.setLE(ph.filesz, at: o + 32, size: 8)
            f.setLE(ph.memsz, at: o + 40, size: 8)
            f.setLE(ph.align, at: o + 48, size: 8)
        }
        for (offset, bytes) in contents { f.replaceSubrange(offset..<offset + bytes.count, with: bytes) }
        return f
    }

    /// Byte offset of field `at` (8 = p_offset, 16 = p_vaddr, 32 = p_filesz, 40 = p_memsz, 48 = p_align)
    /// of program header `index`.
    func field(_ index: Int, _ at: Int) -> Int { Int(phoff) + 56 * index + at }
}

extension Array where Element == UInt8 {
    mutating func setLE(_ value: UInt64, at offset: Int, size: Int) {
        for i in 0..<size { self[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt64(i))) }
    }

    func le(at offset: Int, size: Int) -> UInt64 {
        (0..<size).reduce(0) { $0 | UInt64(self[offset + $1]) << (8 * UInt64($1)) }
    }
}

func elfError(_ bytes: [UInt8]) -> ElfError? {
    do { _ = try ElfImage(bytes: bytes, machine: testMachine); return nil } catch { return error }
}
