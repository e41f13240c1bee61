import LichenCore
import _Concurrency

/// A process (thread group): memory, open files, filesystem context, signal dispositions. Its
/// relatives, group and session live in `Processes.table` (LichenCore's ProcessTable).
final class Process: @unchecked Sendable {
    let pid: Int32
    var memory: ProcessMemory
    let files: SpinLock<FileDescriptorTable<OpenFile>>
    /// Root, cwd, umask: shared by the threads (CLONE_FS), which may run on other CPUs, so read as
    /// a snapshot and replaced under a lock.
    var fs: FSContext {
        get { fsLock.withLock { $0 } }
        set { fsLock.withLock { $0 = newValue } }
    }
    private let fsLock: SpinLock<FSContext>
    var name: [UInt8]
    /// argv of the last execve, each NUL-terminated (/proc/<pid>/cmdline), and the program file (/proc/<pid>/exe).
    var commandLine: [UInt8] = []
    var executable: Location? = nil
    var executableHint: (directory: Location, path: [UInt8])? = nil
    /// Dispositions, process-wide pending signals, every thread's mask and pending set and the
    /// thread group, under one lock (senders on other CPUs and the tty task touch them). A thread's
    /// state is `threads[thread.index]`.
    let signals: SpinLock<SignalStates>
    /// Bumped when a thread of this process has ended (execve waits for the others to go).
    let threadsChanged = Event<UInt64>(0)
    /// Bumped when a stopped process is continued (SIGCONT, SIGKILL): its threads re-check.
    let continued = Event<UInt64>(0)
    /// The process's threads. Read as a snapshot, changed under a lock (senders on other CPUs read it).
    var threads: [Thread] {
        get { threadLock.withLock { _ in threadList } }
        set { threadLock.withLock { _ in threadList = newValue } }
    }
    private var threadList: [Thread] = []
    private let threadLock = SpinLock(())

    /// A thread has finished: the process no longer keeps it (which breaks the process-thread
    /// reference cycle, so an exited process and its memory are freed).
    func remove(_ thread: Thread) {
        threadLock.withLock { _ in threadList.removeAll { $0 === thread } }
    }
    func add(_ thread: Thread) {
        threadLock.withLock { _ in threadList.append(thread) }
    }
    func thread(_ tid: Int32) -> Thread? {
        threadLock.withLock { _ in threadList.first { $0.tid == tid } }
    }
    /// Set once the process is exiting (exit_group, a fatal signal): its threads stop at their next
    /// kernel entry; the last one to end reports the exit.
    var exiting = false
    /// vfork: the parent sleeps until this child execs or exits.
    let vforkDone = Event(false)

    init(pid: Int32, memory: ProcessMemory, files: FileDescriptorTable<OpenFile>, fs: FSContext, name: [UInt8]) {
        self.pid = pid
        self.memory = memory
        self.files = SpinLock(files)
        var fs = fs
        fs.processID = pid                       // /proc/self
        fsLock = SpinLock(fs)
        signals = SpinLock(SignalStates(pid: pid))
        self.name = name
    }

    func file(_ fd: Int32) throws(Errno) -> OpenFile {
        try files.withLock { (table: inout FileDescriptorTable<OpenFile>) throws(Errno) -> OpenFile in try table.get(fd) }
    }
}

/// Every process object, and the bookkeeping of how they relate.
enum Processes {
    nonisolated(unsafe) static var table = ProcessTable()
    /// Live processes by pid. An array, not a Dictionary: Swift's hash tables size themselves with
    /// floating point, which the kernel does not have (the link fails if one slips in).
    nonisolated(unsafe) static var objects: [Process] = []
    static let lock = SpinLock(())
    /// Bumped whenever a child exits, stops or continues: wait4 sleepers re-check.
    static let childChanges = Event<UInt64>(0)

    static func withTable<R, E: Error>(_ body: (inout ProcessTable) throws(E) -> R) throws(E) -> R {
        try lock.withLock { (_: inout Void) throws(E) -> R in try body(&table) }
    }

    static func process(_ pid: Int32) -> Process? { lock.withLock { _ in objects.first { $0.pid == pid } } }

    /// The live thread `tid` of any process (tkill, tgkill, get_robust_list).
    static func thread(_ tid: Int32) -> Thread? {
        for p in lock.withLock({ _ in objects }) {
            if let t = p.thread(tid) { return t }
        }
        return nil
    }

    static func add(_ process: Process) { lock.withLock { _ in objects.append(process) } }
    static func remove(_ pid: Int32) { lock.withLock { _ in objects.removeAll { $0.pid == pid } } }
}
