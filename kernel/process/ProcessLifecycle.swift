import LichenCore
import _Concurrency

/// Creating, replacing and ending processes: the first process, fork, execve, exit and wait.
enum ProcessLifecycle {
    static let defaultEnvironment: [[UInt8]] = [Array("HOME=/".utf8), Array("TERM=linux".utf8),
                                                Array("PATH=/sbin:/usr/sbin:/bin:/usr/bin".utf8)]

    /// PID 1: `path` from the root filesystem, stdin/stdout/stderr on /dev/console.
    static func startInit(vfs: VFS, path: [UInt8], arguments: [[UInt8]], root: Location? = nil) async throws(Errno) {
        // The console comes from the rootfs (Linux's console_on_rootfs), whatever the root: a disk
        // root's /dev may be empty.
        let rootfsContext = vfs.context()
        let fsContext = root.map { FSContext(root: $0) } ?? rootfsContext
        var files = FileDescriptorTable<OpenFile>()
        let console = try await vfs.open(Array("/dev/console".utf8), flags: [.O_RDWR], context: rootfsContext)
        console.pathHint = (rootfsContext.root, Array("/dev/console".utf8))
        for _ in 0..<3 { _ = try files.install(console) }
        // The program first: a disk root tries several inits, and a missing one must leave no PID 1.
        let (image, finalPath, argv, _, _) = try await readProgram(path, arguments: arguments, vfs: vfs, context: fsContext)
        let threadsMax = ResourceLimits.threadsMax(totalFrames: PhysicalMemory.stats?.totalFrames ?? 0)
        let pid = try Processes.withTable { (t: inout ProcessTable) throws(Errno) -> Int32 in
            t.threadsMax = threadsMax
            return try t.createInit(sessionLeader: false)
        }
        _ = Processes.withTaskCounts { $0.charge(0) }
        let loaded = try await loadProgram(image, arguments: argv, environment: defaultEnvironment, executableName: finalPath,
                                           credentials: .root, secure: false, vfs: vfs, context: fsContext)
        let process = Process(pid: pid, memory: loaded.memory, files: files, fs: fsContext, name: baseName(path))
        process.commandLine = argv.reduce(into: []) { $0 += $1 + [0] }
        process.environment = defaultEnvironment.reduce(into: []) { $0 += $1 + [0] }
        process.auxv = loaded.auxv
        process.executable = try? await vfs.resolve(finalPath, context: fsContext)
        process.executableHint = await executableHint(finalPath, vfs: vfs, context: fsContext, executable: process.executable)
        Processes.add(process)
        let thread = Thread(tid: pid, process: process, context: UserContext(entry: loaded.entry, stack: loaded.stackPointer))
        process.add(thread)
        thread.start()
    }

    /// Reads a program file, following `#!` interpreters (up to 4 levels, like Linux).
    /// `start` says where the first file is (execveat's directory descriptor, AT_EMPTY_PATH's file,
    /// AT_SYMLINK_NOFOLLOW) and under which name the program runs (a script's path argument).
    static func readProgram(_ path: [UInt8], arguments: [[UInt8]], vfs: VFS, context: FSContext,
                            start: ExecStart = ExecStart()) async throws(Errno)
        -> (image: ProgramFile, path: [UInt8], arguments: [[UInt8]], status: FileStatus, location: Location) {
        var path = path, arguments = arguments, start = start
        for _ in 0..<5 {
            let (image, status, location) = try await readExecutable(path, vfs: vfs, context: context, start: start)
            let name = start.name ?? path
            let head = image.prefix(256)
            guard head.count >= 2, head[0] == UInt8(ascii: "#"), head[1] == UInt8(ascii: "!") else {
                return (image, name, arguments, status, location)
            }
            // The interpreter could not open /dev/fd/N once the close-on-exec descriptor is gone.
            if start.nameInaccessible { throw .ENOENT }
            let script: ScriptInterpreter
            do { script = try ScriptInterpreter(fileHead: head) } catch { throw .ENOEXEC }
            arguments = script.arguments(scriptPath: name, originalArguments: arguments)
            path = script.path
            start = ExecStart()
        }
        throw .ELOOP
    }

    /// Opens a file to execute it (a program, or an ELF interpreter: Linux's open_exec) and reads its
    /// headers (ProgramFile): EACCES unless it is a regular file the caller may execute. As Linux,
    /// execute permission is all it takes: an execute-only (0111) program runs, read by the kernel.
    static func readExecutable(_ path: [UInt8], vfs: VFS, context: FSContext,
                               start: ExecStart = ExecStart()) async throws(Errno) -> (image: ProgramFile, status: FileStatus, location: Location) {
        let location: Location
        if let file = start.file, path.isEmpty {
            location = file
        } else {
            guard !path.isEmpty else { throw .ENOENT }
            location = try await vfs.resolve(path, at: start.directory, followLast: !start.noFollow, context: context)
            if location.metadata.isSymbolicLink { throw .ELOOP }             // AT_SYMLINK_NOFOLLOW
        }
        var status = location.status
        guard status.mode & FileMode.S_IFMT == FileMode.S_IFREG else { throw .EACCES }
        let mountFlags = location.mount.flags
        guard !mountFlags.contains(.noExec) else { throw .EACCES }
        guard context.credentials.permits(.execute, mode: status.mode, uid: status.uid, gid: status.gid) else { throw .EACCES }
        // On a nosuid mount the set-id bits give nothing (Linux's mnt_may_suid).
        if mountFlags.contains(.noSuid) { status.mode &= ~(FileMode.S_ISUID | FileMode.S_ISGID) }
        // The kernel's own read-only open file: the caller's read permission is not asked for.
        let file = OpenFile(location: location, flags: [.O_RDONLY], operations: nil)
        let program = try await ProgramFile.open(file, size: Int(status.size), path: path, directory: start.directory)
        if !mountFlags.contains(.noSuid) { program.fileCapabilities = await Xattrs.storedCapabilities(of: file.location.inode) }
        return (program, status, file.location)
    }

    /// Loads a program `readProgram` read into fresh memory, with the ELF interpreter its PT_INTERP
    /// names (opened from the caller's root and working directory, as Linux does). Nothing of the
    /// caller changes: a failure leaves it as it was.
    static func loadProgram(_ image: ProgramFile, arguments: [[UInt8]], environment: [[UInt8]], executableName: [UInt8],
                            credentials: Credentials, secure: Bool, vfs: VFS, context: FSContext) async throws(Errno) -> ProgramLoader.Loaded {
        let program: ElfImage
        do throws(ExecLoadError) { program = try LoadPlan.programImage(image.pieces, machine: LinuxArch.elfMachine) } catch { throw error.errno }
        func load(_ interpreter: ProgramLoader.Interpreter?) async throws(Errno) -> ProgramLoader.Loaded {
            try await ProgramLoader.load(image, program: program, interpreter: interpreter, arguments: arguments,
                                         environment: environment, executableName: executableName, credentials: credentials,
                                         secure: secure, context: context)
        }
        guard let path = program.interpreter else { return try await load(nil) }
        guard !path.isEmpty else { throw .EACCES }  // Linux's lookup of "" finds the working directory
        let (file, _, _) = try await readExecutable(path, vfs: vfs, context: context)
        let interpreter: ElfImage
        do throws(ExecLoadError) { interpreter = try LoadPlan.interpreterImage(file.pieces, machine: LinuxArch.elfMachine) } catch { throw error.errno }
        return try await load(ProgramLoader.Interpreter(file: file, image: interpreter))
    }

    /// Where /proc/<pid>/exe finds the program: the directory that really holds it (links in the
    /// last component followed, so `./sh` shows as `/bin/busybox`) and its name there.
    static func executableHint(_ path: [UInt8], vfs: VFS, context: FSContext, executable: Location? = nil) async -> (directory: Location, path: [UInt8]) {
        var resolver = vfs.resolver(context)
        let found = try? await resolver.containingDirectory(path, from: context.cwd)
        // A program run through /proc/<pid>/exe (/proc/self/exe): the link's directory cannot name
        // it; a process running the same file knows where it is.
        if found.map({ $0.directory.mount.fileSystem is ProcFileSystem }) ?? true, let executable {
            for p in Processes.all() {
                guard let exe = p.executable, exe.inode === executable.inode, let hint = p.executableHint,
                      !(hint.directory.mount.fileSystem is ProcFileSystem) else { continue }
                return hint
            }
        }
        if let found { return (found.directory, found.name) }
        return (context.cwd, path)
    }

    static func baseName(_ path: [UInt8]) -> [UInt8] {
        guard let slash = path.lastIndex(of: UInt8(ascii: "/")) else { return Array(path.prefix(15)) }
        return Array(path[(slash + 1)...].prefix(15))
    }

    /// exit_group (and a fatal signal): every thread of the process stops at its next kernel entry
    /// (sleeping ones are woken); the last to end reports the exit (`threadExit`).
    static func exitGroup(_ thread: Thread, event: ChildEvent) async {
        let process = thread.process
        thread.finished = true
        guard process.signals.withLock({ $0.group.requestExit(event) }) else { return }
        process.exiting = true
        for t in process.threads where t !== thread {
            t.finished = true
            t.interrupt()
        }
    }

    /// The end of a thread (Thread.run's last step): its robust futexes are released, its
    /// clear_child_tid word is zeroed and woken (pthread_join), its id is freed; the last thread
    /// ends the process. Returns whether it was the last.
    static func threadExit(_ thread: Thread) async -> Bool {
        let process = thread.process
        Futexes.releaseRobustList(of: thread)
        let others = process.signals.withLock { $0.group.count } > 1
        if others && thread.clearChildTID.value != 0 {
            // Like Linux's mm_release: only while the memory is still in use by another thread.
            if (try? UserMemory(memory: process.memory).store(Int32(0), to: thread.clearChildTID)) != nil {
                _ = try? Futexes.wake(thread.clearChildTID, memory: process.memory, private: false, count: 1)
            }
        }
        ResourceLimitSyscalls.releaseTask(thread.credentials.uid)     // counted under its own real uid
        let tid = thread.tid
        let ending = process.signals.withLock { $0.leave(tid: tid, slot: thread.index, code: thread.exitCode) }
        if tid != process.pid { Processes.withTable { $0.releaseThreadID(tid) } }
        process.threadsChanged.update { $0 += 1 }
        guard let ending else { return false }
        await processExit(process, event: ending, lastThread: thread)
        return true
    }

    /// Ends every other thread of `thread`'s process (Linux's zap_other_threads) and waits until they
    /// are gone; false if the wait was interrupted.
    static func endOtherThreads(_ thread: Thread) async -> Bool {
        let process = thread.process
        for t in process.threads where t !== thread {
            t.finished = true
            t.interrupt()
        }
        while true {
            let generation = process.threadsChanged.value
            if process.signals.withLock({ $0.group.count }) == 1 { return true }
            do { try await process.threadsChanged.wait(until: { $0 != generation }) } catch { return false }
        }
    }

    /// execve from a multi-threaded process (Linux's de_thread): every other thread ends, then the
    /// caller takes the pid if it was not the leader. EINTR if the process is killed meanwhile.
    static func becomeSoleThread(_ thread: Thread) async throws(Errno) {
        let process = thread.process
        guard await endOtherThreads(thread) else { throw .EINTR }
        if thread.finished || process.exiting { throw .EINTR }
        guard thread.tid != process.pid else { return }
        let old = thread.tid
        process.signals.withLock { $0.group.becomeLeader(old) }
        Processes.withTable { $0.releaseThreadID(old) }
        Processes.unregister(thread, tid: old)
        thread.tid = process.pid
        thread.becameLeader()
        Processes.register(thread)
    }

    /// The whole process is gone: files close, the parent is told (wait4 can report it now).
    private static func processExit(_ process: Process, event: ChildEvent, lastThread thread: Thread) async {
        process.exiting = true
        IPCNamespace.processExited(process)                    // SEM_UNDO (Linux's exit_sem)
        PosixMessageQueues.processExited(process)              // its mq_notify registrations
        _ = process.files.withLock { $0.closeAll() }
        // The memory goes back before the parent can learn of the exit (Linux's exit_mm): a parent
        // reading MemFree after wait4 finds it returned. This CPU stops using the tables first; a
        // vfork parent sharing the memory keeps its own reference.
        UserAddressSpace.deactivateCurrent()
        process.memory = ProcessMemory.exited
        RecordLocks.exited(process)
        // A session leader's end gives up its controlling terminal (Linux's disassociate_ctty).
        if Processes.withTable({ $0.record(process.pid)?.isSessionLeader ?? false }) { Terminals.sessionLeaderExited(process.pid) }
        let actions = parentActions(of: process.pid)
        let children = Processes.withTable { $0.liveChildren(of: process.pid) }
        CPUAccounting.processExiting(process, thread: thread)
        let uid = process.credentials.uid
        let outcome = Processes.withTable { $0.exit(process.pid, event: event, parentActions: actions, uid: uid) }
        Processes.remove(process.pid)
        if process.pid == 1 {
            KernelLog.notice("init exited (" + describe(event) + "): powering off")
            PowerOff.now()
        }
        if outcome?.autoReaped == true { _ = Processes.withTable { $0.reap(process.pid) } }
        process.vforkDone.update { $0 = true }
        if let outcome { tellRelatives(outcome, pid: process.pid, uid: uid) }
        for pid in children {                                  // prctl(PR_SET_PDEATHSIG)
            guard let child = Processes.process(pid) else { continue }
            let signo = child.control.withLock { $0.parentDeathSignal }
            if signo != 0 { ProcessSignals.send(LinuxSigInfo.kill(signo: signo, code: LinuxSigInfo.SI_USER, pid: process.pid, uid: 0), to: child) }
        }
        Processes.childChanges.update { $0 += 1 }
    }

    private static func parentActions(of pid: Int32) -> SignalActionTable {
        guard let parentPID = Processes.withTable({ $0.record(pid)?.parent }), let parent = Processes.process(parentPID) else {
            return SignalActionTable()
        }
        return parent.signals.withLock { $0.process.actions }
    }

    /// SIGCHLD (or the exit signal) to the parent; the reaper (init or a subreaper) learns of zombies it inherited; orphaned
    /// process groups with stopped members get SIGHUP then SIGCONT (POSIX).
    private static func tellRelatives(_ outcome: ExitOutcome, pid: Int32, uid: UInt32) {
        ProcessSignals.notifyParent(outcome.parent, child: pid, uid: uid, event: outcome.event, signal: outcome.signal)
        for zombie in outcome.reparentedZombies {
            if let (event, uid) = Processes.withTable({ t -> (ChildEvent, UInt32)? in
                guard let r = t.record(zombie), case .zombie(let e) = r.state else { return nil }
                return (e, r.uid) }) {
                ProcessSignals.notifyParent(outcome.reaper, child: zombie, uid: uid, event: event)
            }
        }
        for group in outcome.orphanedStoppedGroups {
            ProcessSignals.send(.SIGHUP, toGroup: group)
            ProcessSignals.send(.SIGCONT, toGroup: group)
        }
    }

    static func describe(_ event: ChildEvent) -> String {
        switch event {
        case .exited(let code): return "exit code " + Format.decimal(UInt64(UInt32(bitPattern: code)))
        case .killed(let s, _): return "killed by " + signalName(s)
        case .stopped(let s): return "stopped by " + signalName(s)
        case .continued: return "continued"
        }
    }
}

/// Where an exec starts (execveat): relative to `directory` (nil: the working directory), or the
/// descriptor's own `file` for an empty path (AT_EMPTY_PATH); `noFollow` refuses a symbolic link
/// as the last component (ELOOP). `name` is the path the program gets (Linux's bprm->filename,
/// /dev/fd/N[/path] for a descriptor-relative exec); `nameInaccessible` when that descriptor is
/// close-on-exec, so a script's interpreter could not open it.
struct ExecStart {
    var directory: Location? = nil
    var file: Location? = nil
    var noFollow = false
    var name: [UInt8]? = nil
    var nameInaccessible = false
}
