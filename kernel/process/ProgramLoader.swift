import LichenCore

/// execve's memory work: an ELF program (ET_EXEC, static-PIE, or dynamically linked with the ELF
/// interpreter its PT_INTERP names) loaded into fresh memory, with the Linux initial stack (argv,
/// envp, auxv). Where each image goes and what auxv says come from LichenCore's LoadPlan. Segments
/// are copied in eagerly from the file's blocks (ProgramFile: no contiguous buffer the size of the
/// file); the heap and the rest of the stack fill on demand.
enum ProgramLoader {
    struct Loaded {
        let memory: ProcessMemory
        let entry: UserAddr
        let stackPointer: UserAddr
        /// The auxiliary vector as placed on the stack, through AT_NULL (/proc/<pid>/auxv).
        var auxv: [UInt8] = []
    }

    /// The interpreter's file and its parsed headers.
    struct Interpreter {
        let file: ProgramFile
        let image: ElfImage
    }

    static let layout = LoadLayout(mmapBase: ProcessMemory.mmapBase.value)

    /// `program` is `file` parsed; `interpreter` is given exactly when the program has a PT_INTERP.
    static func load(_ file: ProgramFile, program: ElfImage, interpreter: Interpreter?,
                     arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                     credentials: Credentials = .root, secure: Bool = false) throws(Errno) -> Loaded {
        let plan: LoadPlan
        do throws(ExecLoadError) { plan = try LoadPlan(program: program, interpreter: interpreter?.image, layout: layout) }
        catch { throw error.errno }
        guard let memory = ProcessMemory() else { throw .ENOMEM }
        try map(program, from: file, bias: plan.programBias, into: memory)
        if let interpreter, let bias = plan.interpreterBias { try map(interpreter.image, from: interpreter.file, bias: bias, into: memory) }
        memory.map.setInitialBreak(UserAddr(plan.programBreak))
        guard Vdso.install(in: memory) else { throw .ENOMEM }

        // The stack: an 8 MiB growable area below the top, its first pages present.
        let top = ProcessMemory.stackTop
        let stackStart = top - 128 * 1024
        memory.map.add(VirtualMemoryArea(start: stackStart, end: top, protection: [.read, .write], kind: .stack, growsDown: true))
        var random = [UInt8](repeating: 0, count: 16)
        random.withUnsafeMutableBytes { lichenFillRandom($0.baseAddress!, 16) }
        let auxiliary = plan.auxiliaryVector(hardwareCapabilities: LinuxArch.hardwareCapabilities,
                                             hardwareCapabilities2: LinuxArch.hardwareCapabilities2,
                                             minimumSignalStackSize: LinuxArch.minimumSignalStackSize, uid: credentials.uid, euid: credentials.euid,
                                             gid: credentials.gid, egid: credentials.egid, secure: secure,
                                             vdso: Vdso.available ? Vdso.textAddress.value : nil)
        let stack: InitialStack
        do {
            stack = try InitialStack(top: top, arguments: arguments, environment: environment, executableName: executableName,
                                     platform: Array(LinuxArch.platform.utf8), random: random, auxiliary: auxiliary)
        } catch { throw .E2BIG }
        // Each stack page filled once, from the initial stack's bytes (zeros below them), as it is mapped.
        let filled = stack.bytes.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) -> Bool in
            memory.populate(stack.stackPointer.pageAlignedDown, top, protection: [.read, .write]) { target, page in
                fillPage(target, at: page.value, from: bytes, offset: 0, count: bytes.count, loadedAt: stack.stackPointer.value)
            }
        }
        guard filled else { throw .ENOMEM }
        MemoryCommit.chargeLoaded(memory)
        return Loaded(memory: memory, entry: UserAddr(plan.startAddress), stackPointer: stack.stackPointer, auxv: auxv(of: stack.bytes))
    }

    /// The auxv pairs read back from the initial stack (argc, argv..., NULL, envp..., NULL, auxv).
    static func auxv(of bytes: [UInt8]) -> [UInt8] {
        func word(_ index: Int) -> UInt64 {
            guard (index + 1) * 8 <= bytes.count else { return 0 }
            var v: UInt64 = 0
            for i in 0..<8 { v |= UInt64(bytes[index * 8 + i]) << (8 * UInt64(i)) }
            return v
        }
        var index = Int(word(0)) + 2                        // past argc, argv and its NULL
        while (index + 1) * 8 <= bytes.count && word(index) != 0 { index += 1 }
        index += 1                                          // past envp's NULL
        let start = index * 8
        while (index + 2) * 8 <= bytes.count {
            let type = word(index)
            index += 2
            if type == 0 { break }
        }
        return start <= index * 8 && index * 8 <= bytes.count ? Array(bytes[start..<index * 8]) : []
    }

    /// One image's PT_LOAD segments at `bias` (inside user space: the plan checked), copied in.
    private static func map(_ image: ElfImage, from file: ProgramFile, bias: UInt64, into memory: ProcessMemory) throws(Errno) {
        for segment in image.segments {
            var protection: MemoryProtection = []
            if segment.flags.contains(.read) { protection.insert(.read) }
            if segment.flags.contains(.write) { protection.insert(.write) }
            if segment.flags.contains(.execute) { protection.insert(.execute) }
            let pages = LoadPlan.pages(of: segment, bias: bias)
            guard !pages.isEmpty else { continue }
            let start = UserAddr(pages.lowerBound), end = UserAddr(pages.upperBound)
            memory.map.add(VirtualMemoryArea(start: start, end: end, protection: protection,
                                             kind: protection.contains(.execute) ? .code : .data))
            // Each page filled once, before it is mapped: the file's bytes where the segment has them,
            // zeros elsewhere (the bss, and around the segment's ends).
            let fileStart = segment.virtualAddress &+ bias
            let fileOffset = Int(segment.fileOffset), fileCount = Int(segment.fileSize)
            // One walk maps the segment. A page the previous segment shares is there already: only this
            // segment's bytes go in.
            let mapped = memory.populate(start, end, protection: protection, fill: { target, page in
                fillPage(target, at: page.value, from: file, offset: fileOffset, count: fileCount, loadedAt: fileStart)
            }, present: { page, frame in
                let lo = max(page.value, fileStart), hi = min(page.value + UInt64(pageSize), fileStart + UInt64(fileCount))
                if lo < hi {
                    ProcessMemory.fill(frame, at: Int(lo - page.value), count: Int(hi - lo), instructions: protection.contains(.execute)) {
                        file.copyBytes(at: fileOffset + Int(lo - fileStart), into: $0)
                    }
                }
            })
            guard mapped else { throw .ENOMEM }
        }
    }

    /// The page at `address` of a segment whose `count` bytes at `offset` in `bytes` load at `loadAddress`.
    private static func fillPage<Bytes: ElfFileBytes>(_ target: UnsafeMutableRawPointer, at address: UInt64, from bytes: Bytes,
                                                      offset: Int, count: Int, loadedAt loadAddress: UInt64) {
        let pageEnd = address + UInt64(pageSize)
        let copyStart = max(address, loadAddress), copyEnd = min(pageEnd, loadAddress + UInt64(count))
        guard copyStart < copyEnd else {
            target.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
            return
        }
        let head = Int(copyStart - address), copied = Int(copyEnd - copyStart)
        if head > 0 { target.initializeMemory(as: UInt8.self, repeating: 0, count: head) }
        bytes.copyBytes(at: offset + Int(copyStart - loadAddress), into: UnsafeMutableRawBufferPointer(start: target + head, count: copied))
        let tail = pageSize - head - copied
        if tail > 0 { (target + head + copied).initializeMemory(as: UInt8.self, repeating: 0, count: tail) }
    }
}
