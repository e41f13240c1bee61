// A validated ELF64 executable for one machine (the architecture's LinuxArchABI.elfMachine) (static ET_EXEC or static-PIE ET_DYN), parsed sans-IO from
// the file's bytes (wherever they are: ElfFileBytes). The checks follow Linux's load_elf_binary, and
// are stricter where Linux would only fail later in mmap (congruence, overlap): whatever passes here
// can be loaded by copying or mapping each PT_LOAD segment. Section headers are ignored, as by the kernel.

public struct ElfImage: Sendable {
    public enum Kind: Equatable, Sendable {
        case executable           // ET_EXEC: loaded at its link addresses
        case positionIndependent  // ET_DYN (static-PIE or interpreter): the kernel picks a load bias
    }

    static let headerSize = 64
    static let magic: [UInt8] = [0x7f, 0x45, 0x4c, 0x46]  // \x7fELF
    /// Linux reads at most one page of program headers (and so at most 73 of them).
    static let maximumProgramHeaders = pageSize / ProgramHeader.size
    /// Larger p_align values are rejected: no real binary needs them, and they make load-bias
    /// arithmetic overflow-prone.
    public static let maximumAlignment: UInt64 = 1 << 30
    /// Linux's PATH_MAX, the longest PT_INTERP accepted.
    static let maximumInterpreterLength: UInt64 = 4096
    /// AT_PHENT.
    public static let programHeaderSize = ProgramHeader.size

    public let kind: Kind
    public let entry: UInt64
    /// PT_LOAD segments in ascending, non-overlapping address order.
    public let segments: [ElfSegment]
    /// PT_INTERP's path (up to its first NUL); nil for static programs.
    public let interpreter: [UInt8]?
    /// Where the program headers are in memory (AT_PHDR before the load bias): PT_PHDR's p_vaddr,
    /// else inside the PT_LOAD that maps e_phoff, else nil (AT_PHDR 0, as Linux).
    public let programHeaderAddress: UInt64?
    /// AT_PHNUM.
    public let programHeaderCount: Int
    /// PT_GNU_STACK's flags, nil without one. Without it the arm64 stack is not executable.
    public let stackFlags: ElfSegmentFlags?
    public let tls: ElfTLS?

    public var executableStack: Bool { stackFlags?.contains(.execute) ?? false }
    /// The page-aligned span [lowest, highest) the segments occupy (for picking an ET_DYN bias).
    public var lowestAddress: UInt64 { segments[0].virtualAddress & ~UInt64(pageSize - 1) }
    public var highestAddress: UInt64 {
        (segments[segments.count - 1].endAddress + UInt64(pageSize - 1)) & ~UInt64(pageSize - 1)
    }

    public init(bytes: [UInt8], machine: UInt16) throws(ElfError) {
        self = try bytes.withUnsafeBytes { file in Result { () throws(ElfError) in try ElfImage(file, machine: machine) } }.get()
    }

    /// `machine`: the e_machine accepted (EM_AARCH64, ...); another is `badMachine`.
    public init<File: ElfFileBytes>(_ file: File, machine: UInt16) throws(ElfError) {
        let r = ElfReader(file: file)
        // A short file that starts like ELF is truncated; anything else is not ELF at all.
        let head = try r.bytes(at: 0, count: min(file.count, Self.headerSize))
        let magicBytes = min(head.count, 4)
        guard head[0..<magicBytes].elementsEqual(Self.magic.prefix(magicBytes)) else { throw .badMagic }
        guard head.count >= Self.headerSize else { throw .truncated }
        guard head[4] == 2 else { throw .badClass }
        guard head[5] == 1 else { throw .badEncoding }
        guard head[6] == 1, try r.u32(20) == 1 else { throw .badVersion }
        guard head[7] == 0 || head[7] == 3 else { throw .badABI }  // ELFOSABI_SYSV, ELFOSABI_LINUX
        guard try r.u16(18) == machine else { throw .badMachine }
        switch try r.u16(16) {
        case 2: kind = .executable
        case 3: kind = .positionIndependent
        default: throw .badType
        }
        entry = try r.u64(24)
        guard entry < UserAddr.limit else { throw .badEntry }

        let phoff = try r.u64(32)
        let phentsize = Int(try r.u16(54)), phnum = Int(try r.u16(56))
        guard phentsize == ProgramHeader.size, phnum >= 1, phnum <= Self.maximumProgramHeaders else {
            throw .badProgramHeaders
        }
        let tableSize = UInt64(phnum * phentsize)
        guard r.contains(tableSize, at: phoff) else { throw .badProgramHeaders }
        programHeaderCount = phnum

        var segments: [ElfSegment] = []
        var interpreter: [UInt8]? = nil
        var phdrAddress: UInt64? = nil
        var stackFlags: ElfSegmentFlags? = nil
        var tls: ElfTLS? = nil
        for i in 0..<phnum {
            let ph = try ProgramHeader(r, at: Int(phoff) + i * phentsize)
            switch ph.type {
            case ProgramHeader.load:
                try ph.validateImage(in: r)
                try ph.validateCongruence()
                if let last = segments.last, ph.vaddr < last.endAddress { throw .overlappingSegments }
                segments.append(ElfSegment(virtualAddress: ph.vaddr, fileOffset: ph.offset, fileSize: ph.filesz,
                                           memorySize: ph.memsz, flags: ElfSegmentFlags(rawValue: ph.flags & 7),
                                           alignment: ph.align))
            case ProgramHeader.interp where interpreter == nil:  // Linux uses the first
                interpreter = try Self.interpreterPath(ph, in: r)
            case ProgramHeader.phdr:
                phdrAddress = ph.vaddr
            case ProgramHeader.tls:
                guard tls == nil else { throw .badTLS }
                do { try ph.validateImage(in: r) } catch { throw .badTLS }
                tls = ElfTLS(virtualAddress: ph.vaddr, fileOffset: ph.offset, fileSize: ph.filesz,
                             memorySize: ph.memsz, alignment: ph.align)
            case ProgramHeader.gnuStack:
                stackFlags = ElfSegmentFlags(rawValue: ph.flags & 7)
            default:
                break
            }
        }
        guard !segments.isEmpty else { throw .noLoadableSegments }
        if phdrAddress == nil {
            for s in segments where s.fileOffset <= phoff && phoff - s.fileOffset < s.fileSize {
                phdrAddress = s.virtualAddress + (phoff - s.fileOffset)  // < endAddress: no overflow
                break
            }
        }
        self.segments = segments
        self.interpreter = interpreter
        self.programHeaderAddress = phdrAddress
        self.stackFlags = stackFlags
        self.tls = tls
    }

    /// PT_INTERP: 2...PATH_MAX bytes ending in NUL (Linux's limits). The path is the C string they
    /// start with, as Linux opens it: an earlier NUL ends it (an empty one names the working directory).
    static func interpreterPath<File>(_ ph: ProgramHeader, in r: ElfReader<File>) throws(ElfError) -> [UInt8] {
        guard r.contains(ph.filesz, at: ph.offset) else { throw .segmentOutsideFile }
        guard ph.filesz >= 2, ph.filesz <= maximumInterpreterLength else { throw .badInterpreter }
        let path = try r.bytes(at: ph.offset, count: Int(ph.filesz))
        guard path[path.count - 1] == 0 else { throw .badInterpreter }
        return Array(path[..<(path.firstIndex(of: 0) ?? path.count - 1)])
    }
}
