import LichenCore

/// execve's memory work: a static ELF program (ET_EXEC or static-PIE) loaded into fresh memory, with
/// the Linux initial stack (argv, envp, auxv). Segments are copied in eagerly (the file is in memory:
/// tmpfs/initramfs); the heap and the rest of the stack fill on demand.
enum ProgramLoader {
    struct Loaded {
        let memory: ProcessMemory
        let entry: UserAddr
        let stackPointer: UserAddr
    }

    /// Where static-PIE programs go (Linux's ELF_ET_DYN_BASE for arm64 is 2/3 of the address space;
    /// any page-aligned base works for a static PIE).
    static let positionIndependentBase: UInt64 = 0x0000_5555_5555_0000

    static func load(_ file: UnsafeRawBufferPointer, arguments: [[UInt8]], environment: [[UInt8]],
                     executableName: [UInt8], credentials: Credentials = .root, secure: Bool = false) throws(Errno) -> Loaded {
        let image: ElfImage
        do { image = try ElfImage(file) } catch { throw .ENOEXEC }
        guard image.interpreter == nil else { throw .ENOEXEC }          // dynamic programs: later
        guard let memory = ProcessMemory() else { throw .ENOMEM }
        let bias = image.kind == .positionIndependent ? positionIndependentBase - image.lowestAddress : 0

        var highest: UInt64 = 0
        for segment in image.segments {
            var protection: MemoryProtection = []
            if segment.flags.contains(.read) { protection.insert(.read) }
            if segment.flags.contains(.write) { protection.insert(.write) }
            if segment.flags.contains(.execute) { protection.insert(.execute) }
            let start = UserAddr(segment.virtualAddress + bias).pageAlignedDown
            let end = UserAddr(segment.endAddress + bias).pageAlignedUp
            memory.map.add(VirtualMemoryArea(start: start, end: end, protection: protection,
                                             kind: protection.contains(.execute) ? .code : .data))
            var page = start
            while page < end {
                guard memory.populate(page, protection: protection) != nil else { throw .ENOMEM }
                page = page + UInt64(pageSize)
            }
            if segment.fileSize > 0 {
                let bytes = UnsafeRawBufferPointer(rebasing: file[segment.fileRange])
                memory.write(bytes, at: UserAddr(segment.virtualAddress + bias))
            }
            highest = max(highest, end.value)
        }
        memory.map.setInitialBreak(UserAddr(highest))
        guard memory.installSignalTrampoline() else { throw .ENOMEM }

        // The stack: an 8 MiB growable area below the top, its first pages present.
        let top = ProcessMemory.stackTop
        let stackStart = top - 128 * 1024
        memory.map.add(VirtualMemoryArea(start: stackStart, end: top, protection: [.read, .write], kind: .stack, growsDown: true))
        var random = [UInt8](repeating: 0, count: 16)
        random.withUnsafeMutableBytes { lichenFillRandom($0.baseAddress!, 16) }
        let phdr = (image.programHeaderAddress ?? 0) + (image.programHeaderAddress == nil ? 0 : bias)
        let auxiliary = AuxiliaryVector.linux(programHeaders: phdr, programHeaderCount: image.programHeaderCount,
                                              entry: image.entry + bias, hardwareCapabilities: hardwareCapabilities,
                                              hardwareCapabilities2: 0, uid: credentials.uid, euid: credentials.euid,
                                              gid: credentials.gid, egid: credentials.egid, secure: secure)
        let stack: InitialStack
        do {
            stack = try InitialStack(top: top, arguments: arguments, environment: environment, executableName: executableName,
                                     platform: Array("aarch64".utf8), random: random, auxiliary: auxiliary)
        } catch { throw .E2BIG }
        var page = stack.stackPointer.pageAlignedDown
        while page < top {
            guard memory.populate(page, protection: [.read, .write]) != nil else { throw .ENOMEM }
            page = page + UInt64(pageSize)
        }
        stack.bytes.withUnsafeBytes { memory.write($0, at: stack.stackPointer) }
        return Loaded(memory: memory, entry: UserAddr(image.entry + bias), stackPointer: stack.stackPointer)
    }

    /// AT_HWCAP for a Cortex-A72: FP, ASIMD, EVTSTRM, AES, PMULL, SHA1, SHA2, CRC32. Not CPUID (bit 11):
    /// that promises EL0 reads of the ID registers, which Linux emulates and Lichen does not yet.
    static let hardwareCapabilities: UInt64 = (1 << 0) | (1 << 1) | (1 << 2) | (1 << 3) | (1 << 4) | (1 << 5) | (1 << 6) | (1 << 7)
}
