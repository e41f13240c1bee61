// Program-header records (ELF64 Elf64_Phdr) and the segment kinds the loader cares about.

/// p_flags / PT_GNU_STACK permissions.
public struct ElfSegmentFlags: OptionSet, Hashable, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let execute = ElfSegmentFlags(rawValue: 1)  // PF_X
    public static let write = ElfSegmentFlags(rawValue: 2)    // PF_W
    public static let read = ElfSegmentFlags(rawValue: 4)     // PF_R
}

/// A PT_LOAD segment: file bytes [fileOffset, fileOffset+fileSize) appear at virtualAddress,
/// followed by zeros up to memorySize. For ET_DYN the addresses are before the load bias.
public struct ElfSegment: Equatable, Sendable {
    public let virtualAddress: UInt64
    public let fileOffset: UInt64
    public let fileSize: UInt64
    public let memorySize: UInt64
    public let flags: ElfSegmentFlags
    public let alignment: UInt64
    /// One past the last byte in memory (never wraps: checked at parse time).
    public var endAddress: UInt64 { virtualAddress + memorySize }
    /// The segment's bytes in the file (checked to lie inside it).
    public var fileRange: Range<Int> { Int(fileOffset)..<Int(fileOffset + fileSize) }
}

/// The PT_TLS template: the initial image of each thread's TLS block.
public struct ElfTLS: Equatable, Sendable {
    public let virtualAddress: UInt64
    public let fileOffset: UInt64
    public let fileSize: UInt64
    public let memorySize: UInt64
    public let alignment: UInt64
}

/// The raw fields of one Elf64_Phdr.
struct ProgramHeader {
    static let size = 56
    static let load: UInt32 = 1, interp: UInt32 = 3, phdr: UInt32 = 6, tls: UInt32 = 7
    static let gnuStack: UInt32 = 0x6474_e551

    let type: UInt32, flags: UInt32
    let offset: UInt64, vaddr: UInt64, filesz: UInt64, memsz: UInt64, align: UInt64

    init<File>(_ r: ElfReader<File>, at base: Int) throws(ElfError) {
        type = try r.u32(base)
        flags = try r.u32(base + 4)
        offset = try r.u64(base + 8)
        vaddr = try r.u64(base + 16)
        filesz = try r.u64(base + 32)
        memsz = try r.u64(base + 40)
        align = try r.u64(base + 48)
    }

    /// Checks shared by PT_LOAD and PT_TLS: file bytes in the file, filesz <= memsz, memory range
    /// inside user space, and a sane power-of-two alignment.
    func validateImage<File>(in r: ElfReader<File>) throws(ElfError) {
        guard r.contains(filesz, at: offset) else { throw .segmentOutsideFile }
        guard filesz <= memsz else { throw .badSegmentSize }
        let (end, overflow) = vaddr.addingReportingOverflow(memsz)
        guard !overflow, end <= UserAddr.limit else { throw .addressWraparound }
        guard align <= ElfImage.maximumAlignment, align & (align &- 1) == 0 else {  // 0 means 1
            throw .badAlignment
        }
    }

    /// PT_LOAD only: the loader maps file pages at page granularity, so the offset within the page
    /// must match (and, per the ELF spec, modulo p_align too).
    func validateCongruence() throws(ElfError) {
        let modulus = max(align, UInt64(pageSize))
        guard vaddr % modulus == offset % modulus else { throw .misalignedSegment }
    }
}
