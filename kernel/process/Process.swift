import LichenCore
import Synchronization
import _Concurrency

/// A process (thread group): memory, open files, filesystem context, signal dispositions. Its
/// relatives, group and session live in `Processes.withTable` (LichenCore's ProcessTable).
final class Process: @unchecked Sendable {
    let pid: Int32
    let files: SpinLock<FileDescriptorTable<OpenFile>>
    /// What the process's own thread replaces (execve, chdir, prctl) while other CPUs read it (/proc,
    /// signal senders). A class reference or array read without the lock could be freed under the
    /// reader, so every access copies it out under the lock (which retains it).
    private let state: SpinLock<MutableState>
    private struct MutableState {
        var memory: ProcessMemory
        var fs: FSContext
        var name: [UInt8]
        var commandLine: [UInt8] = []
        var environment: [UInt8] = []
        var auxv: [UInt8] = []
        var executable: Location? = nil
        var executableHint: (directory: Location, path: [UInt8])? = nil
    }

    var memory: ProcessMemory {
        get { state.withLock { $0.memory } }
        set {
            // The old memory is released here, after the lock: its teardown frees pages.
            let old = state.withLock { s -> ProcessMemory in
                let o = s.memory
                s.memory = newValue
                return o
            }
            _ = old
        }
    }
    var fs: FSContext {
        get { state.withLock { $0.fs } }
        // cwd, root and umask only: the credentials change by `leaderCredentialsChanged` alone (a
        // chdir by one thread must not put back the leader's credentials it read before a setuid).
        set {
            let old = state.withLock { s -> FSContext in
                let o = s.fs
                var n = newValue
                n.credentials = o.credentials
                s.fs = n
                return o
            }
            _ = old
        }
    }
    /// The thread-group leader's credentials (each thread has its own: ThreadCredentials.swift): what
    /// /proc/PID shows and what signal senders and /proc readers check against. The calling
    /// thread's own are `Thread.credentials` (SyscallArguments.credentials).
    var credentials: Credentials { state.withLock { $0.fs.credentials } }

    /// Where a path walk starts: the root for an absolute path, else the working directory; one
    /// location copied out, not the whole `fs` (the instant path walks).
    func walkStart(absolute: Bool) -> Location { state.withLock { absolute ? $0.fs.root : $0.fs.cwd } }

    /// The leader changed its credentials (Thread.changeCredentials) or a thread became the leader.
    func leaderCredentialsChanged(_ c: Credentials) {
        let old = state.withLock { s -> Credentials in let o = s.fs.credentials; s.fs.credentials = c; return o }
        _ = old                                     // released after the lock (its groups array)
    }

    var name: [UInt8] {
        get { state.withLock { $0.name } }
        set { state.withLock { $0.name = newValue } }
    }
    /// argv of the last execve, each NUL-terminated (/proc/<pid>/cmdline), and the program file (/proc/<pid>/exe).
    var commandLine: [UInt8] {
        get { state.withLock { $0.commandLine } }
        set { state.withLock { $0.commandLine = newValue } }
    }
    /// envp of the last execve, each NUL-terminated (/proc/<pid>/environ; a copy: later changes
    /// the program makes in its own memory are not seen).
    var environment: [UInt8] {
        get { state.withLock { $0.environment } }
        set { state.withLock { $0.environment = newValue } }
    }
    /// The auxiliary vector of the last execve (/proc/<pid>/auxv).
    var auxv: [UInt8] {
        get { state.withLock { $0.auxv } }
        set { state.withLock { $0.auxv = newValue } }
    }
    var executable: Location? {
        get { state.withLock { $0.executable } }
        set { let old = state.withLock { s -> Location? in let o = s.executable; s.executable = newValue; return o }; _ = old }
    }
    var executableHint: (directory: Location, path: [UInt8])? {
        get { state.withLock { $0.executableHint } }
        set { state.withLock { $0.executableHint = newValue } }
    }
    /// Dispositions, process-wide pending signals, every thread's mask and pending set and the
    /// thread group, under one lock (senders on other CPUs and the tty task touch them). A thread's
    /// state is `threads[thread.index]`.
    let signals: SignalStateLock
    /// Bumped when a thread of this process has ended (execve waits for the others to go).
    let threadsChanged = Event<UInt64>(0)
    /// Bumped when a stopped process is continued (SIGCONT, SIGKILL): its threads re-check.
    let continued = Event<UInt64>(0)
    /// Woken whenever a signal is queued to the process or one of its threads (signalfd readers
    /// and pollers, Linux's signalfd_wqh).
    let signalQueued = WaitQueue()
    /// The process's threads (a snapshot, in slot order). Senders on other CPUs read it; a thread
    /// joins and leaves by its slot (`Thread.index`), so neither depends on how many there are.
    var threads: [Thread] { threadList.withLock { $0.compactMap { $0 } } }
    /// `body` for each thread of the snapshot, without building an array (signal sends).
    func forEachThread(_ body: (Thread) -> Void) {
        let list = threadList.withLock { $0 }
        for case let t? in list { body(t) }
    }
    /// The thread in slot `index`, if it is live (a signal's target: no snapshot of every thread).
    func thread(atSlot index: Int) -> Thread? { threadList.withLock { index < $0.count ? $0[index] : nil } }
    /// Threads in rt_sigtimedwait: while there are none, a signal to the process wakes only its
    /// target thread instead of asking every thread whether it waits for it.
    let signalWaiters = Atomic<Int>(0)
    private let threadList = SpinLock<[Thread?]>([])

    /// A thread has finished: the process no longer keeps it (which breaks the process-thread
    /// reference cycle, so an exited process and its memory are freed), nor does the tid map.
    func remove(_ thread: Thread) {
        Processes.unregister(thread)
        threadList.withLock { list in
            if thread.index < list.count, list[thread.index] === thread { list[thread.index] = nil }
        }
    }
    func add(_ thread: Thread) {
        threadList.withLock { list in
            while list.count <= thread.index { list.append(nil) }
            list[thread.index] = thread
        }
        Processes.register(thread)
    }
    func thread(_ tid: Int32) -> Thread? {
        guard let t = Processes.thread(tid), t.process === self else { return nil }
        return t
    }
    /// Made by clone(CLONE_FS): Linux would share cwd, root and umask with the parent, so a set-id
    /// execve grants nothing (LSM_UNSAFE_SHARE). Kept for the process's life (Linux: while shared).
    var sharesFilesystemContext = false
    /// prctl's switches (no_new_privs, dumpable, parent-death signal...).
    let control = SpinLock(ProcessControl())
    /// Nice value, I/O priority, policy (recorded and inherited; affinity is per thread).
    let scheduling = SpinLock(SchedulingAttributes())
    /// getrlimit/setrlimit (inherited; init's come from `ResourceLimits.initial`).
    let limits = SpinLock(ResourceLimits.initial(totalFrames: PhysicalMemory.stats?.totalFrames ?? 0))
    /// /proc/PID/oom_score_adj (inherited by fork, kept by execve; the OOM killer's weighting).
    let oomScoreAdjustment = SpinLock(OOMScoreAdjustment())
    /// Set once the process is exiting (exit_group, a fatal signal): its threads stop at their next
    /// kernel entry; the last one to end reports the exit.
    var exiting = false
    /// CPU times of ended threads and reaped children, itimers, POSIX timers (ProcessTime.swift).
    let time = ProcessTime()
    /// vfork: the parent sleeps until this child execs or exits.
    let vforkDone = Event(false)
    /// When it was created (fork; execve keeps it), on the monotonic clock: /proc/<pid>/stat's starttime.
    let startTime = MonotonicClock.now

    init(pid: Int32, memory: ProcessMemory, files: FileDescriptorTable<OpenFile>, fs: FSContext, name: [UInt8]) {
        self.pid = pid
        var fs = fs
        fs.processID = pid                       // /proc/self
        self.state = SpinLock(MutableState(memory: memory, fs: fs, name: name))
        self.files = SpinLock(files)
        signals = SignalStateLock(SignalStates(pid: pid))
    }

    func file(_ fd: Int32) throws(Errno) -> OpenFile {
        try files.withLock { (table: inout FileDescriptorTable<OpenFile>) throws(Errno) -> OpenFile in try table.get(fd) }
    }
}

/// What `Processes` keeps, under one lock.
struct ProcessRegistry {
    /// Relatives, groups and sessions.
    var table = ProcessTable()
    /// Live processes by pid, and live threads by tid (a radix map: no Dictionary, which needs
    /// floating point the kernel does not have).
    var objects = PidMap<Process>()
    var threads = PidMap<Thread>()
    /// Threads per real user id (RLIMIT_NPROC).
    var tasksByUser = TaskCountsByUser()
}

/// Every process object, and the bookkeeping of how they relate.
enum Processes {
    static let registry = SpinLock(ProcessRegistry())
    /// Bumped whenever a child exits, stops or continues: wait4 sleepers re-check.
    static let childChanges = Event<UInt64>(0)

    static func withTable<R, E: Error>(_ body: (inout ProcessTable) throws(E) -> R) throws(E) -> R {
        try registry.withLock { (r: inout ProcessRegistry) throws(E) -> R in try body(&r.table) }
    }

    /// Threads per real user id, under the registry's lock.
    static func withTaskCounts<R>(_ body: (inout TaskCountsByUser) -> R) -> R {
        registry.withLock { body(&$0.tasksByUser) }
    }

    static func process(_ pid: Int32) -> Process? { registry.withLock { $0.objects[pid] } }

    /// The live thread `tid` of any process (tkill, tgkill, get_robust_list).
    static func thread(_ tid: Int32) -> Thread? { registry.withLock { $0.threads[tid] } }

    /// Every live process (a snapshot, by pid).
    static func all() -> [Process] { registry.withLock { $0.objects.values } }

    static func add(_ process: Process) { registry.withLock { $0.objects[process.pid] = process } }
    static func remove(_ pid: Int32) { registry.withLock { $0.objects[pid] = nil } }

    /// A thread starts or ends (Process.add/remove) or takes a new tid (execve from a non-leader).
    static func register(_ thread: Thread) { registry.withLock { $0.threads[thread.tid] = thread } }
    static func unregister(_ thread: Thread, tid: Int32? = nil) {
        registry.withLock { r in
            let id = tid ?? thread.tid
            if r.threads[id] === thread { r.threads[id] = nil }
        }
    }
}
