import LichenCore
import _Concurrency

/// Process and thread syscalls: identity, fork/vfork (clone), execve, exit, wait, groups, sessions.
enum ProcessSyscalls {
    static let CLONE_VM: UInt64 = 0x100, CLONE_FS: UInt64 = 0x200, CLONE_FILES: UInt64 = 0x400
    static let CLONE_SIGHAND: UInt64 = 0x800, CLONE_VFORK: UInt64 = 0x4000, CLONE_THREAD: UInt64 = 0x10000
    static let CLONE_SETTLS: UInt64 = 0x80000, CLONE_PARENT_SETTID: UInt64 = 0x100000
    static let CLONE_CHILD_CLEARTID: UInt64 = 0x200000, CLONE_CHILD_SETTID: UInt64 = 0x1000000

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> SyscallOutcome? {
        try await handleProcess(number, a)
    }

    private static func handleProcess(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> SyscallOutcome? {
        let p = a.process
        switch number {
        case 93, 94:                                   // exit, exit_group (one thread per process for now)
            await ProcessLifecycle.exitGroup(a.thread, event: .exited(code: a.int32(0) & 0xff))
            return .noReturnValue
        case 172: return .value(result(p.pid))         // getpid
        case 173:                                      // getppid
            return .value(result(Processes.withTable { $0.record(p.pid)?.parent } ?? 0))
        case 178: return .value(result(a.thread.tid))  // gettid
        case 96:                                       // set_tid_address
            a.thread.clearChildTID = a.address(0)
            return .value(result(a.thread.tid))
        case 99: return .value(0)                      // set_robust_list: kept by glibc, only used at thread exit
        case 220: return .value(try await clone(a))
        case 221:
            try await execve(a)
            return .noReturnValue
        case 260: return .value(try await wait4(a))
        case 154:                                      // setpgid
            try Processes.withTable { (t: inout ProcessTable) throws(Errno) in try t.setpgid(caller: p.pid, pid: a.int32(0), pgid: a.int32(1)) }
            return .value(0)
        case 155:                                      // getpgid
            return .value(result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.getpgid(a.int32(0), caller: p.pid) }))
        case 156:                                      // getsid
            return .value(result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.getsid(a.int32(0), caller: p.pid) }))
        case 157:                                      // setsid
            return .value(result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.setsid(caller: p.pid) }))
        default: return nil
        }
    }

    /// fork, vfork (CLONE_VM|CLONE_VFORK: run as a fork whose parent waits) and clone without threads.
    static func clone(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags & CLONE_THREAD == 0 else { throw .ENOSYS }      // threads come with CLONE_THREAD support
        let parent = a.process
        let exitSignal = Signal(Int32(flags & 0xff))
        let pid = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in
            try t.fork(parent: parent.pid, exitSignal: exitSignal)
        }
        guard let memory = parent.memory.duplicate() else {
            _ = Processes.withTable { $0.exit(pid, event: .exited(code: 0), parentActions: SignalActionTable()) }
            _ = Processes.withTable { $0.reap(pid) }
            throw .ENOMEM
        }
        let files = parent.files.withLock { $0.forked() }
        let child = Process(pid: pid, memory: memory, files: files, fs: parent.fs, name: parent.name)
        child.commandLine = parent.commandLine
        let control = parent.control.withLock { $0.forked }
        child.control.withLock { $0 = control }
        child.executable = parent.executable
        child.executableHint = parent.executableHint
        // The child inherits dispositions, mask and alternate stack; nothing pending.
        let inherited = parent.signals.withLock { st -> SignalStates in
            var c = SignalStates()
            c.process.actions = st.process.actions
            c.threads[0].blocked = st.threads[a.thread.index].blocked
            c.threads[0].altStack = st.threads[a.thread.index].altStack
            return c
        }
        child.signals.withLock { $0 = inherited }
        let context = a.thread.context.copy()
        context[register: 0] = 0
        if a[1] != 0 { context.sp = a[1] }
        if flags & CLONE_SETTLS != 0 { context.tls = a[3] }
        let thread = Thread(tid: pid, process: child, context: context)
        if flags & CLONE_CHILD_CLEARTID != 0 { thread.clearChildTID = a.address(4) }
        if flags & CLONE_CHILD_SETTID != 0 { try? UserMemory(memory: memory).store(pid, to: a.address(4)) }
        if flags & CLONE_PARENT_SETTID != 0 { try a.user.store(pid, to: a.address(2)) }
        child.threads = [thread]
        Processes.add(child)
        thread.start()
        if flags & CLONE_VFORK != 0 {
            do { try await child.vforkDone.wait(until: { $0 }) } catch {}
        }
        return result(pid)
    }

    static func execve(_ a: SyscallArguments) async throws(Errno) {
        let p = a.process
        let path = try a.user.string(at: a.address(0))
        let arguments = try a.user.stringArray(at: a.address(1))
        let environment = try a.user.stringArray(at: a.address(2))
        guard let vfs = RootFilesystem.vfs else { throw .ENOENT }
        let (image, finalPath, argv, status) = try await ProcessLifecycle.readProgram(path, arguments: arguments, vfs: vfs, context: p.fs)
        let old = p.credentials
        var credentials = old
        let noNewPrivileges = p.control.withLock { $0.noNewPrivileges }
        credentials.exec(fileMode: noNewPrivileges ? status.mode & ~0o6000 : status.mode, owner: status.uid, group: status.gid)
        let secure = credentials.euid != old.uid || credentials.egid != old.gid    // AT_SECURE: set-id program
        let loaded = try image.withBytes { (b: UnsafeMutableRawBufferPointer) throws(Errno) -> ProgramLoader.Loaded in
            try ProgramLoader.load(UnsafeRawBufferPointer(b), arguments: argv, environment: environment, executableName: finalPath,
                                   credentials: credentials, secure: secure)
        }
        // Past the point of no return.
        p.memory = loaded.memory
        p.changeCredentials { $0 = credentials }
        if secure { p.control.withLock { $0.dumpable = 0 } }
        _ = p.files.withLock { $0.closeOnExec() }
        p.time.deleteAllTimers()
        p.signals.withLock { st in st.process.exec(threads: &st.threads) }
        p.name = ProcessLifecycle.baseName(path)          // Linux: the file exec'd, even a #! script
        p.commandLine = argv.reduce(into: []) { $0 += $1 + [0] }
        p.executable = try? await vfs.resolve(finalPath, context: p.fs)
        p.executableHint = (p.fs.cwd, finalPath)
        Processes.withTable { $0.exec(p.pid) }
        a.thread.context.reset(entry: loaded.entry, stack: loaded.stackPointer)
        a.thread.clearChildTID = UserAddr(0)
        p.vforkDone.update { $0 = true }
    }

    static func wait4(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let p = a.process
        let callerGroup = Processes.withTable { $0.record(p.pid)?.pgid } ?? p.pid
        let selector = try WaitSelector.wait4(pid: a.int32(0), callerGroup: callerGroup)
        let options = try WaitOptions.wait4(a.int32(2))
        while true {
            let generation = Processes.childChanges.value
            let outcome = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> WaitResult in
                try t.wait(caller: p.pid, selector: selector, options: options)
            }
            switch outcome {
            case .reported(let report):
                if a[1] != 0 { try a.user.store(report.status, to: a.address(1)) }
                if report.reaped { p.time.addChild(report.usage) }
                if a[3] != 0 { try a.user.store(CPUAccounting.waitUsage(report).rusage, to: a.address(3)) }
                return result(report.pid)
            case .nothingYet:
                return 0
            case .mustBlock:
                do { try await Processes.childChanges.wait(until: { $0 != generation }) } catch { throw .EINTR }
            }
        }
    }
}
