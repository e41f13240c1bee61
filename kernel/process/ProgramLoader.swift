import LichenCore

/// execve's memory work: an ELF program (ET_EXEC, static-PIE, or dynamically linked with the ELF
/// interpreter its PT_INTERP names) loaded into fresh memory, with the Linux initial stack (argv,
/// envp, auxv). Where each image goes and what auxv says come from LichenCore's LoadPlan; how each
/// segment is mapped from SegmentMapping: private mappings of the file's own page-cache pages (as
/// Linux's elf_map), so every exec of a program runs the same frames and nothing is copied until
/// written. The heap and the rest of the stack fill on demand.
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
    /// `context` names the files in /proc/<pid>/maps.
    static func load(_ file: ProgramFile, program: ElfImage, interpreter: Interpreter?,
                     arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                     credentials: Credentials = .root, secure: Bool = false, context: FSContext) async throws(Errno) -> Loaded {
        let plan: LoadPlan
        do throws(ExecLoadError) { plan = try LoadPlan(program: program, interpreter: interpreter?.image, layout: layout) }
        catch { throw error.errno }
        guard let memory = ProcessMemory() else { throw .ENOMEM }
        try await map(program, from: file, bias: plan.programBias, into: memory, context: context)
        if let interpreter, let bias = plan.interpreterBias {
            try await map(interpreter.image, from: interpreter.file, bias: bias, into: memory, context: context)
        }
        memory.locked { memory.map.setInitialBreak(UserAddr(plan.programBreak)) }
        guard Vdso.install(in: memory) else { throw .ENOMEM }

        // The stack: an 8 MiB growable area below the top, its first pages present.
        let top = ProcessMemory.stackTop
        let stackStart = top - 128 * 1024
        memory.locked { memory.map.add(VirtualMemoryArea(start: stackStart, end: top, protection: [.read, .write], kind: .stack, growsDown: true)) }
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
            memory.locked {
                memory.populate(stack.stackPointer.pageAlignedDown, top, protection: [.read, .write]) { target, page in
                    fillPage(target, at: page.value, from: bytes, loadedAt: stack.stackPointer.value)
                }
            }
        }
        guard filled else { throw .ENOMEM }
        MemoryCommit.chargeLoaded(memory)
        memory.programWriteDenial = file.writeDenial
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

    /// One image's PT_LOAD segments at `bias` (inside user space: the plan checked), mapped from its
    /// file's page cache through one mapping object (as mmap of the file would). A file without a page
    /// cache (procfs) cannot be mapped: EACCES, where Linux's mmap of it would fail too.
    private static func map(_ image: ElfImage, from program: ProgramFile, bias: UInt64, into memory: ProcessMemory,
                            context: FSContext) async throws(Errno) {
        guard let cache = program.file.inode.pageCache else { throw .EACCES }
        _ = try cache.mappingAdded(sharedWritable: false, writing: false)
        let object = SharedMemoryObject(file: cache, sharedWritable: false, mapsName: await mapsName(program, context: context))
        for segment in image.segments {
            let mapping = SegmentMapping(segment, bias: bias)
            let kind: MemoryAreaKind = mapping.protection.contains(.execute) ? .code : .data
            memory.locked {
                // A later segment sharing a page with an earlier one replaces it, as Linux's MAP_FIXED.
                if let pages = mapping.filePages {
                    let start = UserAddr(pages.lowerBound), end = UserAddr(pages.upperBound)
                    memory.releaseFrames(start, end)
                    memory.map.add(VirtualMemoryArea(start: start, end: end, protection: mapping.protection, backing: object,
                                                     fileOffset: mapping.fileOffset, kind: kind))
                }
                if let pages = mapping.anonymousPages {
                    let start = UserAddr(pages.lowerBound), end = UserAddr(pages.upperBound)
                    memory.releaseFrames(start, end)
                    memory.map.add(VirtualMemoryArea(start: start, end: end, protection: mapping.anonymousProtection, kind: .mmap))
                }
            }
            if let zeroFrom = mapping.zeroFrom { try await zeroTail(from: UserAddr(zeroFrom), memory, code: kind == .code) }
        }
    }

    /// Linux's padzero: the last file page of a writable segment with memory past its file bytes gets
    /// its private copy (a write fault), zeroed from `start` to its end. The file's page past its end
    /// (the file shrank) fails the exec: EFAULT.
    private static func zeroTail(from start: UserAddr, _ memory: ProcessMemory, code: Bool) async throws(Errno) {
        let page = start.pageAlignedDown
        let outcome = await memory.handleFaultReadingIn(at: page, write: true, instruction: false)
        guard outcome.resolved else { throw outcome.code == ProcessMemory.outOfMemoryCode ? .ENOMEM : .EFAULT }
        let count = pageSize - Int(start.pageOffset)
        withUnsafeTemporaryAllocation(byteCount: count, alignment: 8) { zeros in
            zeros.initializeMemory(as: UInt8.self, repeating: 0)
            memory.locked { memory.write(UnsafeRawBufferPointer(zeros), at: start, instructions: code) }
        }
    }

    /// "major:minor inode path" of a program file, as /proc/<pid>/maps shows it: the path of the
    /// directory that really holds it (symbolic links followed) and its name there.
    private static func mapsName(_ program: ProgramFile, context: FSContext) async -> [UInt8] {
        var hint: (directory: Location, path: [UInt8])? = nil
        if !program.path.isEmpty, let vfs = RootFilesystem.vfs {
            var resolver = vfs.resolver(context)
            let start = program.directory ?? context.cwd
            if let found = try? await resolver.containingDirectory(program.path, from: start) { hint = (found.directory, found.name) }
            else { hint = (start, program.path) }
        }
        return MemorySyscalls.mapsName(program.file, path: await ProcPid.path(of: program.file.location, hint: hint, context: context))
    }

    /// The stack page at `address`: the initial stack's `bytes`, which start at `loadAddress`, zeros below them.
    private static func fillPage(_ target: UnsafeMutableRawPointer, at address: UInt64, from bytes: UnsafeRawBufferPointer,
                                 loadedAt loadAddress: UInt64) {
        let pageEnd = address + UInt64(pageSize)
        let copyStart = max(address, loadAddress), copyEnd = min(pageEnd, loadAddress + UInt64(bytes.count))
        guard copyStart < copyEnd else {
            target.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
            return
        }
        let head = Int(copyStart - address), copied = Int(copyEnd - copyStart)
        if head > 0 { target.initializeMemory(as: UInt8.self, repeating: 0, count: head) }
        (target + head).copyMemory(from: bytes.baseAddress! + Int(copyStart - loadAddress), byteCount: copied)
        let tail = pageSize - head - copied
        if tail > 0 { (target + head + copied).initializeMemory(as: UInt8.self, repeating: 0, count: tail) }
    }
}
