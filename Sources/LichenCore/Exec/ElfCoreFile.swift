/// The layout of an ELF core file as Linux's binfmt_elf writes it: the ELF header, one PT_NOTE
/// program header and one PT_LOAD per memory area, the notes, then each area's bytes from a
/// page-aligned offset on. Sans-IO: the caller writes `headers` at offset 0 and an area's bytes at
/// `offsets[i]` (pages it does not write are holes, read as zeros), and the file is `size` long.
public struct ElfCoreFile {
    public struct Note {
        public var name: [UInt8]
        public var type: UInt32
        public var description: [UInt8]
        public init(name: [UInt8] = Array("CORE".utf8), type: UInt32, description: [UInt8]) {
            self.name = name; self.type = type; self.description = description
        }
    }

    public struct Segment {
        public var address: UInt64
        public var memorySize: UInt64
        /// Bytes present in the file (0 for an area whose contents are not dumped).
        public var fileSize: UInt64
        /// PF_R (4) | PF_W (2) | PF_X (1).
        public var flags: UInt32
        public init(address: UInt64, memorySize: UInt64, fileSize: UInt64, flags: UInt32) {
            self.address = address; self.memorySize = memorySize; self.fileSize = fileSize; self.flags = flags
        }
    }

    public static let PT_LOAD: UInt32 = 1, PT_NOTE: UInt32 = 4, ET_CORE: UInt16 = 4
    static let headerSize = 64, programHeaderSize = 56

    public let headers: [UInt8]
    public let offsets: [UInt64]
    public let size: UInt64

    public init(machine: UInt16, notes: [Note], segments: [Segment], pageSize: UInt64 = 4096) {
        var noteBytes: [UInt8] = []
        for note in notes { ElfCoreFile.append(note, to: &noteBytes) }
        let phnum = 1 + segments.count
        let notesOffset = UInt64(ElfCoreFile.headerSize + phnum * ElfCoreFile.programHeaderSize)
        let dataStart = (notesOffset + UInt64(noteBytes.count) + pageSize - 1) / pageSize * pageSize
        var out: [UInt8] = []
        out.reserveCapacity(Int(notesOffset) + noteBytes.count)
        // e_ident: ELFCLASS64, ELFDATA2LSB, EV_CURRENT, ELFOSABI_NONE.
        out += [0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0] + [UInt8](repeating: 0, count: 8)
        ElfCoreFile.put(UInt64(ElfCoreFile.ET_CORE), 2, &out)
        ElfCoreFile.put(UInt64(machine), 2, &out)
        ElfCoreFile.put(1, 4, &out)                                   // e_version
        ElfCoreFile.put(0, 8, &out)                                   // e_entry
        ElfCoreFile.put(UInt64(ElfCoreFile.headerSize), 8, &out)      // e_phoff
        ElfCoreFile.put(0, 8, &out)                                   // e_shoff
        ElfCoreFile.put(0, 4, &out)                                   // e_flags
        ElfCoreFile.put(UInt64(ElfCoreFile.headerSize), 2, &out)      // e_ehsize
        ElfCoreFile.put(UInt64(ElfCoreFile.programHeaderSize), 2, &out)
        ElfCoreFile.put(UInt64(phnum), 2, &out)
        ElfCoreFile.put(0, 6, &out)                                   // e_shentsize, e_shnum, e_shstrndx
        ElfCoreFile.programHeader(type: ElfCoreFile.PT_NOTE, flags: 0, offset: notesOffset, address: 0,
                                  fileSize: UInt64(noteBytes.count), memorySize: 0, align: 4, &out)
        var offsets: [UInt64] = [], offset = dataStart
        for s in segments {
            offsets.append(offset)
            ElfCoreFile.programHeader(type: ElfCoreFile.PT_LOAD, flags: s.flags, offset: offset, address: s.address,
                                      fileSize: s.fileSize, memorySize: s.memorySize, align: pageSize, &out)
            offset += s.fileSize
        }
        out += noteBytes
        headers = out
        self.offsets = offsets
        size = max(offset, UInt64(out.count))
    }

    /// namesz, descsz, type, the name (NUL-terminated) and the description, each padded to 4 bytes.
    static func append(_ note: Note, to out: inout [UInt8]) {
        let name = note.name + [0]
        put(UInt64(name.count), 4, &out)
        put(UInt64(note.description.count), 4, &out)
        put(UInt64(note.type), 4, &out)
        out += name
        out += [UInt8](repeating: 0, count: (4 - name.count % 4) % 4)
        out += note.description
        out += [UInt8](repeating: 0, count: (4 - note.description.count % 4) % 4)
    }

    static func programHeader(type: UInt32, flags: UInt32, offset: UInt64, address: UInt64, fileSize: UInt64,
                              memorySize: UInt64, align: UInt64, _ out: inout [UInt8]) {
        put(UInt64(type), 4, &out); put(UInt64(flags), 4, &out)
        put(offset, 8, &out); put(address, 8, &out); put(0, 8, &out)     // p_paddr
        put(fileSize, 8, &out); put(memorySize, 8, &out); put(align, 8, &out)
    }

    /// Appends the low `bytes` bytes of `value`, little-endian (as every core file field is written).
    public static func put(_ value: UInt64, _ bytes: Int, _ out: inout [UInt8]) {
        for i in 0..<bytes { out.append(UInt8(truncatingIfNeeded: value >> (8 * UInt64(i)))) }
    }
}
