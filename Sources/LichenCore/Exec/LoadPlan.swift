// Where execve puts a program and its ELF interpreter (PT_INTERP, e.g. ld-linux-aarch64.so.1), where
// execution starts, and the auxiliary vector describing the program to the interpreter. Decided
// sans-IO as Linux's load_elf_binary does (fs/binfmt_elf.c), without address randomization:
// - ET_EXEC runs at its link addresses; ET_DYN at ELF_ET_DYN_BASE (2/3 of user space) aligned down
//   to its largest p_align, minus its first p_vaddr.
// - The interpreter goes where mmap(NULL, its span) would put it in a fresh process: the highest
//   range below the mmap base (below the program if that one is in the way), aligned to its p_align.
// - Execution starts at the interpreter's entry; AT_PHDR, AT_PHNUM, AT_ENTRY describe the program
//   and AT_BASE is the interpreter's load bias. The break starts after the program.
// Linux validates part of a program only after the point of no return (and then kills the process);
// everything here is checked before, so a failed execve leaves the caller as it was.

/// Why execve cannot load a program with the plan.
public enum ExecLoadError: Error, Equatable, Sendable {
    case badProgram(ElfError)        // ENOEXEC
    case interpreterTruncated        // EIO: shorter than an ELF header (Linux's read of it comes up short)
    case badInterpreter(ElfError)    // ELIBBAD: "an ELF interpreter was not in a recognized format"
    case nestedInterpreter           // ELIBBAD: the interpreter has a PT_INTERP of its own
    case interpreterOverlapsProgram  // ELIBBAD: an ET_EXEC interpreter linked where the program is
    case noRoom                      // ENOMEM: the images do not fit in user space

    public var errno: Errno {
        switch self {
        case .badProgram: .ENOEXEC
        case .interpreterTruncated: .EIO
        case .badInterpreter, .nestedInterpreter, .interpreterOverlapsProgram: .ELIBBAD
        case .noRoom: .ENOMEM
        }
    }
}

/// The address-space facts the plan needs (the kernel's layout; tests pass their own).
public struct LoadLayout: Equatable, Sendable {
    /// ELF_ET_DYN_BASE: where position-independent programs go.
    public var dynamicBase: UInt64
    /// The top of the mmap area (below the stack): the interpreter goes just under it.
    public var mmapBase: UInt64
    /// vm.mmap_min_addr: nothing is placed below it.
    public var minimumAddress: UInt64
    /// The end of user space.
    public var limit: UInt64

    /// Linux's arm64 ELF_ET_DYN_BASE is 2/3 of TASK_SIZE; Lichen's user space is 47 bits.
    public static let defaultDynamicBase = (UserAddr.limit / 3 * 2) & ~(UInt64(pageSize) - 1)

    public init(dynamicBase: UInt64 = LoadLayout.defaultDynamicBase, mmapBase: UInt64,
                minimumAddress: UInt64 = 0x8000, limit: UInt64 = UserAddr.limit) {
        self.dynamicBase = dynamicBase; self.mmapBase = mmapBase
        self.minimumAddress = minimumAddress; self.limit = limit
    }
}

public struct LoadPlan: Equatable, Sendable {
    /// Added to the program's p_vaddr values (0 for ET_EXEC).
    public let programBias: UInt64
    /// Added to the interpreter's p_vaddr values; nil for a static program.
    public let interpreterBias: UInt64?
    /// Where the first thread starts: the interpreter's entry, else the program's.
    public let startAddress: UInt64
    /// AT_ENTRY: the program's own entry point.
    public let programEntry: UInt64
    /// AT_PHDR (0 when the headers are not in memory, as Linux), AT_PHNUM.
    public let programHeaders: UInt64
    public let programHeaderCount: Int
    /// AT_BASE: the interpreter's load bias, 0 without one (or for an ET_EXEC interpreter).
    public var interpreterBase: UInt64 { interpreterBias ?? 0 }
    /// The initial program break: the page-aligned end of the program (not of the interpreter).
    public let programBreak: UInt64

    /// Parses the program execve was given.
    /// `machine`: the architecture's e_machine (LinuxArchABI.elfMachine).
    public static func programImage<File: ElfFileBytes>(_ file: File, machine: UInt16) throws(ExecLoadError) -> ElfImage {
        do { return try ElfImage(file, machine: machine) } catch { throw .badProgram(error) }
    }

    public static func programImage(bytes: [UInt8], machine: UInt16) throws(ExecLoadError) -> ElfImage {
        try bytes.withUnsafeBytes { b in Result { () throws(ExecLoadError) in try programImage(b, machine: machine) } }.get()
    }

    /// Parses an interpreter file (the bytes PT_INTERP names), with the errors execve gives for one.
    public static func interpreterImage<File: ElfFileBytes>(_ file: File, machine: UInt16) throws(ExecLoadError) -> ElfImage {
        guard file.count >= ElfImage.headerSize else { throw .interpreterTruncated }
        let image: ElfImage
        do { image = try ElfImage(file, machine: machine) } catch { throw .badInterpreter(error) }
        guard image.interpreter == nil else { throw .nestedInterpreter }
        return image
    }

    public static func interpreterImage(bytes: [UInt8], machine: UInt16) throws(ExecLoadError) -> ElfImage {
        try bytes.withUnsafeBytes { b in Result { () throws(ExecLoadError) in try interpreterImage(b, machine: machine) } }.get()
    }

    /// `interpreter` is the parsed file the program's PT_INTERP names; nil for a static program.
    public init(program: ElfImage, interpreter: ElfImage?, layout: LoadLayout) throws(ExecLoadError) {
        let page = UInt64(pageSize)
        let programSpan = program.highestAddress - program.lowestAddress
        let bias: UInt64
        switch program.kind {
        case .executable:
            bias = 0
        case .positionIndependent:
            // Modular, as Linux's: the lowest segment lands on the base whatever its p_vaddr.
            let base = layout.dynamicBase & ~(Self.maximumAlignment(program) - 1) & ~(page - 1)
            bias = base &- program.lowestAddress
        }
        let programLow = program.lowestAddress &+ bias
        guard programLow >= layout.minimumAddress, programLow <= layout.limit,
              programSpan <= layout.limit - programLow else { throw .noRoom }
        let programHigh = programLow + programSpan
        programBias = bias
        programBreak = programHigh
        programEntry = program.entry &+ bias
        guard programEntry < layout.limit else { throw .badProgram(.badEntry) }
        programHeaders = program.programHeaderAddress.map { $0 &+ bias } ?? 0
        programHeaderCount = program.programHeaderCount

        guard let interpreter else {
            interpreterBias = nil
            startAddress = programEntry
            return
        }
        let span = interpreter.highestAddress - interpreter.lowestAddress
        let low: UInt64
        switch interpreter.kind {
        case .executable:
            low = interpreter.lowestAddress
            guard low >= layout.minimumAddress, interpreter.highestAddress <= layout.limit else { throw .noRoom }
            guard interpreter.highestAddress <= programLow || low >= programHigh else { throw .interpreterOverlapsProgram }
        case .positionIndependent:
            let alignment = Self.maximumAlignment(interpreter)
            // The highest aligned slot under `ceiling` that holds the span, if above the minimum.
            func slot(under ceiling: UInt64) -> UInt64? {
                guard ceiling >= span else { return nil }
                let start = (ceiling - span) & ~(alignment - 1)
                return start >= layout.minimumAddress ? start : nil
            }
            guard var start = slot(under: min(layout.mmapBase, layout.limit)) else { throw .noRoom }
            if start < programHigh && programLow < start + span {
                guard let below = slot(under: programLow) else { throw .noRoom }
                start = below
            }
            low = start
        }
        let interpreterBias = low &- interpreter.lowestAddress
        self.interpreterBias = interpreterBias
        startAddress = interpreter.entry &+ interpreterBias
        guard startAddress < layout.limit else { throw .badInterpreter(.badEntry) }
    }

    /// The pages a segment occupies once loaded with `bias` (a bias from this plan: the range is
    /// inside user space).
    public static func pages(of segment: ElfSegment, bias: UInt64) -> Range<UInt64> {
        let page = UInt64(pageSize)
        let start = (segment.virtualAddress & ~(page - 1)) &+ bias
        let end = ((segment.endAddress + page - 1) & ~(page - 1)) &+ bias
        return start..<max(start, end)
    }

    /// The largest PT_LOAD alignment (a power of two, at least a page), as Linux's maximum_alignment.
    static func maximumAlignment(_ image: ElfImage) -> UInt64 {
        var alignment = UInt64(pageSize)
        for s in image.segments where s.alignment > alignment { alignment = s.alignment }
        return alignment  // ElfImage accepts only powers of two up to 1 GiB
    }

    /// The auxiliary vector Linux gives this program (AuxiliaryVector.linux with the plan's addresses).
    public func auxiliaryVector(hardwareCapabilities: UInt64, hardwareCapabilities2: UInt64 = 0, minimumSignalStackSize: UInt64,
                                uid: UInt32 = 0, euid: UInt32 = 0, gid: UInt32 = 0, egid: UInt32 = 0,
                                secure: Bool = false, vdso: UInt64? = nil) -> AuxiliaryVector {
        .linux(programHeaders: programHeaders, programHeaderCount: programHeaderCount, entry: programEntry,
               interpreterBase: interpreterBase, hardwareCapabilities: hardwareCapabilities,
               hardwareCapabilities2: hardwareCapabilities2, uid: uid, euid: euid, gid: gid, egid: egid,
               secure: secure, minimumSignalStackSize: minimumSignalStackSize, vdso: vdso)
    }
}
