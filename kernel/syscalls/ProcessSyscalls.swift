import LichenCore
import _Concurrency
import Synchronization

/// Process and thread syscalls: identity, fork/vfork (clone), execve, exit, wait, groups, sessions.
enum ProcessSyscalls {
    /// This thread only; the process ends with its last thread.
    static func exit(_ a: SyscallArguments) {
        let status = a.int32(0)
        a.thread.exitCode = status & 0xff
        a.thread.finished = true
    }

    /// Every thread of the process.
    static func exit_group(_ a: SyscallArguments) async {
        let status = a.int32(0)
        await ProcessLifecycle.exitGroup(a.thread, event: .exited(code: status & 0xff))
    }

    static func set_tid_address(_ a: SyscallArguments) -> UInt64 {
        let tidPointer = a.address(0)
        a.thread.clearChildTID = tidPointer
        return result(a.thread.tid)
    }

    static func clone(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let flags = a[0], stack = a[1], parentTID = a[2], tls = a[3], childTID = a[4]
        return try await cloneTask(a, try CloneRequest.clone(flags: flags, stack: stack, parentTID: parentTID, tls: tls, childTID: childTID))
    }

    static func clone3(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let args = a.address(0), size = a.count(1)
        return try await cloneTask(a, try clone3Request(args, size: size, a.user))
    }

    static func setpgid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), pgid = a.int32(1), caller = a.process.pid
        try Processes.withTable { (t: inout ProcessTable) throws(Errno) in try t.setpgid(caller: caller, pid: pid, pgid: pgid) }
        return 0
    }

    static func getpgid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), caller = a.process.pid
        return result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.getpgid(pid, caller: caller) })
    }

    static func getsid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), caller = a.process.pid
        return result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.getsid(pid, caller: caller) })
    }

    static func setsid(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let caller = a.process.pid
        return result(try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.setsid(caller: caller) })
    }

    /// struct clone_args: at least version 0 (64 bytes); a larger struct must be zero past what
    /// Lichen knows (E2BIG), and at most a page.
    static func clone3Request(_ args: UserAddr, size: Int, _ user: UserMemory) throws(Errno) -> CloneRequest {
        guard size >= LinuxCloneArgs.minimumSize else { throw .EINVAL }
        guard size <= pageSize else { throw .E2BIG }
        let known = MemoryLayout<LinuxCloneArgs>.size
        if size > known {                              // set_tid, cgroup...: not supported, must be zero
            let extra = try user.bytes(at: args + UInt64(known), count: size - known)
            guard extra.allSatisfy({ $0 == 0 }) else { throw .E2BIG }
        }
        return try CloneRequest.clone3(try user.load(LinuxCloneArgs.self, from: args))
    }

    /// clone/clone3: a thread of the caller's process (CLONE_THREAD), or a new process: fork, vfork
    /// (CLONE_VM|CLONE_VFORK: the child shares the parent's memory, which sleeps until it execs or exits).
    static func cloneTask(_ a: SyscallArguments, _ request: CloneRequest) async throws(Errno) -> UInt64 {
        try await Thread.letStartingThreadsRun()
        let uid = try ResourceLimitSyscalls.admitNewTask(a.thread)
        do throws(Errno) {
            return request.isThread ? result(try cloneThread(a, request)) : try await cloneProcess(a, request)
        } catch {
            ResourceLimitSyscalls.releaseTask(uid)
            throw error
        }
    }

    private static func cloneProcess(_ a: SyscallArguments, _ request: CloneRequest) async throws(Errno) -> UInt64 {
        let parent = a.process
        let pid = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in
            try t.fork(parent: parent.pid, exitSignal: request.exitSignal)
        }
        // CLONE_VM: one memory for both (vfork, posix_spawn); otherwise copy-on-write.
        guard let memory = request.flags.contains(.vm) ? parent.memory : parent.memory.duplicate() else {
            _ = Processes.withTable { $0.exit(pid, event: .exited(code: 0), parentActions: SignalActionTable()) }
            _ = Processes.withTable { $0.reap(pid) }
            throw .ENOMEM
        }
        let files = parent.files.withLock { $0.forked() }
        let child = Process(pid: pid, memory: memory, files: files, fs: a.fs, name: parent.name)   // the caller's credentials
        child.sharesFilesystemContext = parent.sharesFilesystemContext || request.flags.contains(.fs)   // exec: no set-id
        child.commandLine = parent.commandLine
        child.environment = parent.environment
        child.auxv = parent.auxv
        let control = parent.control.withLock { $0.forked }
        child.control.withLock { $0 = control }
        let scheduling = parent.scheduling.withLock { $0 }
        child.scheduling.withLock { $0 = scheduling }
        let limits = parent.limits.withLock { $0 }
        child.limits.withLock { $0 = limits }
        let oomScoreAdjustment = parent.oomScoreAdjustment.withLock { $0 }
        child.oomScoreAdjustment.withLock { $0 = oomScoreAdjustment }
        child.executable = parent.executable
        child.executableHint = parent.executableHint
        // The child inherits dispositions, mask and alternate stack; nothing pending.
        let index = a.thread.index
        let inherited = parent.signals.withLock { st -> (SignalActionTable, SignalSet, SignalAltStack) in
            (st.process.actions, st.threads[index].blocked, st.threads[index].altStack)
        }
        child.signals.withLock { st in
            st.process.actions = inherited.0
            st.threads[0].blocked = inherited.1
            st.threads[0].altStack = inherited.2
        }
        let thread = Thread(tid: pid, process: child, context: childContext(a, request), index: 0,
                            noNewPrivileges: a.thread.noNewPrivileges.load(ordering: .relaxed))
        thread.rseq = a.thread.rseq                       // fork keeps the registration (not a new thread)
        thread.affinity.store(a.thread.affinity.load(ordering: .relaxed), ordering: .relaxed)
        setTIDs(thread, request, parent: a)
        child.add(thread)
        Processes.add(child)
        thread.start()
        if request.flags.contains(.vfork) {
            // Not interruptible: the child runs on this thread's stack and memory until it execs or
            // exits; returning to user mode earlier (a signal used to end this wait) lets both run
            // on the same stack. Linux waits killably; here even SIGKILL waits for the child.
            do { try await child.vforkDone.wait(until: { $0 }, interruptible: false) } catch {}
        }
        return result(pid)
    }

    /// A new thread in the caller's process: same memory, files, fs context and handlers; its own
    /// tid, stack, TLS, mask (the caller's) and no alternate stack.
    static func cloneThread(_ a: SyscallArguments, _ request: CloneRequest) throws(Errno) -> Int32 {
        let p = a.process
        guard !p.exiting, !a.thread.finished else { throw .EAGAIN }
        let tid = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in try t.allocateThreadID() }
        let creator = a.thread.index
        let slot = p.signals.withLock { st in st.join(tid: tid, blocked: st.threads[creator].blocked) }
        let thread = Thread(tid: tid, process: p, context: childContext(a, request), index: slot, credentials: a.credentials,
                            noNewPrivileges: a.thread.noNewPrivileges.load(ordering: .relaxed))
        thread.affinity.store(a.thread.affinity.load(ordering: .relaxed), ordering: .relaxed)
        setTIDs(thread, request, parent: a)
        p.add(thread)
        thread.start()
        a.thread.yieldBeforeUser = true          // the new thread runs first (see Thread.run)
        return tid
    }

    /// The child's registers: the caller's, with x0 = 0, the new stack and TLS if given.
    private static func childContext(_ a: SyscallArguments, _ request: CloneRequest) -> UserContext {
        let context = a.thread.context.copy()
        context.syscallReturnValue = 0
        if request.stack != 0 { context.sp = request.stack }
        if request.flags.contains(.settls) { context.tls = request.tls }
        return context
    }

    /// CLONE_PARENT_SETTID, CLONE_CHILD_SETTID (in the child's memory), CLONE_CHILD_CLEARTID; done
    /// before the child runs. Like Linux, a bad address does not fail the clone.
    private static func setTIDs(_ thread: Thread, _ request: CloneRequest, parent a: SyscallArguments) {
        let tid = thread.tid
        if request.flags.contains(.childCleartid) { thread.clearChildTID = UserAddr(request.childTID) }
        if request.flags.contains(.childSettid) { try? UserMemory(memory: thread.process.memory).store(tid, to: UserAddr(request.childTID)) }
        if request.flags.contains(.parentSettid) { try? a.user.store(tid, to: UserAddr(request.parentTID)) }
    }

    /// On success the registers are the new program's: no return value.
    static func execve(_ a: SyscallArguments) async throws(Errno) {
        let path = try a.userPath(0)
        try await execute(a, path: path, argvPointer: a.address(1), envpPointer: a.address(2), start: ExecStart())
    }

    /// execveat(dirfd, pathname, argv, envp, flags): execve relative to a directory descriptor, or
    /// of the descriptor's file with AT_EMPTY_PATH (fexecve). The program's path is the name Linux
    /// gives it: the path itself when absolute or from AT_FDCWD, else /dev/fd/N or /dev/fd/N/path.
    static func execveat(_ a: SyscallArguments) async throws(Errno) {
        let dirfd = a.fd(0), flags = a[4]
        let AT_FDCWD = FileSyscalls.AT_FDCWD, AT_EMPTY_PATH = FileSyscalls.AT_EMPTY_PATH
        guard flags & ~(FileSyscalls.AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 else { throw .EINVAL }
        let path = try a.userPath(1)
        var start = ExecStart()
        start.noFollow = flags & FileSyscalls.AT_SYMLINK_NOFOLLOW != 0
        if path.isEmpty {
            guard flags & AT_EMPTY_PATH != 0 else { throw .ENOENT }
            start.file = dirfd == AT_FDCWD ? a.fs.cwd : try a.process.file(dirfd).location
        } else {
            start.directory = try FileSyscalls.directory(a, dirfd, for: path)
        }
        if dirfd != AT_FDCWD && path.first != UInt8(ascii: "/") {
            start.name = Array("/dev/fd/".utf8) + Array(Format.decimal(UInt64(dirfd)).utf8) + (path.isEmpty ? [] : [0x2f] + path)
            start.nameInaccessible = (try? a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Bool in
                try t.isCloseOnExec(dirfd)
            }) ?? false
        }
        try await execute(a, path: path, argvPointer: a.address(2), envpPointer: a.address(3), start: start)
    }

    private static func execute(_ a: SyscallArguments, path: [UInt8], argvPointer: UserAddr, envpPointer: UserAddr,
                                start: ExecStart) async throws(Errno) {
        let p = a.process
        let arguments = try a.user.stringArray(at: argvPointer)
        let environment = try a.user.stringArray(at: envpPointer)
        guard let vfs = RootFilesystem.vfs else { throw .ENOENT }
        let (image, finalPath, argv, status, programLocation) = try await ProcessLifecycle.readProgram(path, arguments: arguments, vfs: vfs,
                                                                                                      context: a.fs, start: start)
        var credentials = a.credentials
        var file = ExecutedFile(mode: status.mode, owner: status.uid, group: status.gid)   // nosuid: readProgram cleared the bits
        file.noNewPrivileges = a.thread.noNewPrivileges.load(ordering: .relaxed)
        file.sharesFilesystemContext = p.sharesFilesystemContext
        file.unreadable = !credentials.permits(.read, mode: status.mode, uid: status.uid, gid: status.gid)
        try file.takeCapabilities(image.fileCapabilities, caller: credentials)   // security.capability
        let change = credentials.exec(file)
        let secure = change.secure                                     // AT_SECURE
        let loaded = try await ProcessLifecycle.loadProgram(image, arguments: argv, environment: environment, executableName: finalPath,
                                                            credentials: credentials, secure: secure, vfs: vfs, context: a.fs)
        // The other threads end first; the caller takes the pid (de_thread).
        try await ProcessLifecycle.becomeSoleThread(a.thread)
        Futexes.releaseRobustList(of: a.thread)
        a.thread.robustList = UserAddr(0)
        a.thread.rseq = RseqRegistration()               // exec drops it
        // Past the point of no return.
        p.memory = loaded.memory
        a.thread.memoryReplaced(by: loaded.memory)
        a.thread.changeCredentials { $0 = credentials }          // the sole thread, now the leader
        p.control.withLock {
            $0.dumpable = change.dumpable ? 1 : 0
            if secure { $0.parentDeathSignal = 0 }
        }
        RecordLocks.closed(p.files.withLock { $0.closeOnExec() }, by: p)
        p.time.deleteAllTimers()
        p.signals.withLock { st in st.process.exec(threads: &st.threads) }
        p.name = ProcessLifecycle.baseName(start.name ?? path)   // Linux: the file exec'd, even a #! script
        p.commandLine = argv.reduce(into: []) { $0 += $1 + [0] }
        p.environment = environment.reduce(into: []) { $0 += $1 + [0] }
        p.auxv = loaded.auxv
        // The program file itself (a script's interpreter is reached by its path).
        p.executable = start.name != nil && finalPath == start.name! ? programLocation : try? await vfs.resolve(finalPath, context: a.fs)
        p.executableHint = await ProcessLifecycle.executableHint(finalPath, vfs: vfs, context: a.fs, executable: p.executable)
        Processes.withTable { $0.exec(p.pid) }
        a.thread.context.reset(entry: loaded.entry, stack: loaded.stackPointer)
        a.thread.clearChildTID = UserAddr(0)
        p.vforkDone.update { $0 = true }
    }

    static func wait4(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let pid = a.int32(0), statusPointer = a.address(1), rawOptions = a.int32(2), usagePointer = a.address(3)
        let p = a.process
        let callerGroup = Processes.withTable { $0.record(p.pid)?.pgid } ?? p.pid
        let selector = try WaitSelector.wait4(pid: pid, callerGroup: callerGroup)
        let options = try WaitOptions.wait4(rawOptions)
        guard let report = try await waitForChild(p, selector, options) else { return 0 }
        if statusPointer.value != 0 { try a.user.store(report.status, to: statusPointer) }
        if usagePointer.value != 0 { try a.user.store(CPUAccounting.waitUsage(report).rusage, to: usagePointer) }
        return result(report.pid)
    }

    /// waitid(idtype, id, infop, options, rusage): the child's state as a siginfo_t (SIGCHLD, CLD_*),
    /// all of whose reported fields are zero under WNOHANG when no child is ready; returns 0.
    static func waitid(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let idtype = a.int32(0), id = a.int32(1), infoPointer = a.address(2), rawOptions = a.int32(3), usagePointer = a.address(4)
        let p = a.process
        let callerGroup = Processes.withTable { $0.record(p.pid)?.pgid } ?? p.pid
        let selector = try WaitSelector.waitid(idtype: idtype, id: id, callerGroup: callerGroup)
        let options = try WaitOptions.waitid(rawOptions)
        let report = try await waitForChild(p, selector, options)
        if infoPointer.value != 0 {
            var info = LinuxSigInfo(signo: 0, code: 0)
            if let report {
                let uid: UInt32
                switch report.event {
                case .exited, .killed: uid = report.uid
                case .stopped, .continued: uid = Processes.process(report.pid)?.credentials.uid ?? 0
                }
                info = LinuxSigInfo.child(code: report.event.siginfoCode, pid: report.pid, uid: uid, status: report.event.siginfoStatus)
            }
            try a.user.store(info, to: infoPointer)
        }
        if usagePointer.value != 0 {
            let usage = report.map { CPUAccounting.waitUsage($0).rusage } ?? LinuxRusage()
            try a.user.store(usage, to: usagePointer)
        }
        return 0
    }

    /// The wait common to wait4 and waitid: a report, nil under WNOHANG when nothing is ready, or a
    /// sleep until a child changes state (EINTR if a signal comes first). A reaped child's times
    /// go to the caller's children's times.
    private static func waitForChild(_ p: Process, _ selector: WaitSelector, _ options: WaitOptions) async throws(Errno) -> WaitReport? {
        while true {
            let generation = Processes.childChanges.value
            let outcome = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> WaitResult in
                try t.wait(caller: p.pid, selector: selector, options: options)
            }
            switch outcome {
            case .reported(let report):
                if report.reaped { p.time.addChild(report.usage) }
                return report
            case .nothingYet:
                return nil
            case .mustBlock:
                do { try await Processes.childChanges.wait(until: { $0 != generation }) } catch { throw .EINTR }
            }
        }
    }
}
