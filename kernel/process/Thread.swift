import LichenCore
import LichenAsyncRuntime
import _Concurrency
import Synchronization

/// A user thread: a kernel task that runs its context in user mode and handles whatever brings it
/// back (syscalls, faults, interrupts). Blocking in a syscall is an `await`: the CPU runs other tasks.
final class Thread: @unchecked Sendable {
    /// Changes only when execve from a non-leader thread makes it the leader (it takes the pid).
    var tid: Int32
    let process: Process
    let context: UserContext
    /// CLONE_CHILD_CLEARTID / set_tid_address: zeroed and futex-woken when the thread ends (pthread_join).
    var clearChildTID = UserAddr(0)
    /// set_robust_list: the robust futex list head, walked when the thread ends.
    var robustList = UserAddr(0)
    /// rseq(2): the registration and its pending work on the way back to user mode (Rseq.swift).
    var rseq = RseqRegistration()
    /// exit(2)'s status (the process reports the leader's when no group exit decided one).
    var exitCode: Int32 = 0
    /// This thread's slot in `process.signals.threads`.
    let index: Int
    /// The syscall's first argument as it came in (arm64 Linux's orig_x0): a restarted syscall gets it back.
    var originalFirstArgument: UInt64 = 0
    /// The interrupt scope of the syscall in progress, which a signal fires to end its sleep.
    let wake = SpinLock(SignalWake())
    /// Set when the thread must stop running user code (exit, exec replaced it, a fatal signal).
    var finished = false
    /// User and system time (ThreadCPUTime.swift).
    var cpu = ThreadCPUTime()
    /// sched_setaffinity's mask (bit n: CPU n), set by any thread; the thread hands it to its task
    /// on its way to user mode (`followAffinity`), and moves if it is on a CPU outside it.
    let affinity = Atomic<UInt64>(.max)
    private var taskAffinity: UInt64 = .max
    /// Set by clone of a thread: yield once before going back to user mode.
    var yieldBeforeUser = false
    /// The process's signal generation when `signalsQuiet` last found nothing to do (SignalStateLock).
    var quietGeneration: UInt64 = 0
    /// The user FP/SIMD registers are still in this CPU's registers, unsaved: after an exit from
    /// user mode they stay there until the thread may let another task run on this CPU (an
    /// `await`) or its saved state is read; an instant syscall then costs no save (`saveUserFP`).
    private var userFPLive = false
    /// The saved FP/SIMD state was just replaced (rt_sigreturn): the registers still in the CPU are
    /// obsolete and must not be saved over it.
    func discardLiveFP() { userFPLive = false }

    /// How long user code runs before the timer takes the CPU back for other tasks.
    static let timeSlice: UInt64 = 10_000_000
    /// How long user code may keep the CPU from a task woken on it (see `run`).
    static let wakeupGranularity: UInt64 = 1_000_000

    /// This thread's credentials (Linux's per-task cred; ThreadCredentials.swift): read without a
    /// lock by the thread itself, written only by the thread itself (`changeCredentials`).
    private(set) var ownCredentials: Credentials
    /// The same, for other CPUs (kill, /proc/PID/task/TID/status, capget of a tid).
    let publishedCredentials: SpinLock<Credentials>
    /// prctl(PR_SET_NO_NEW_PRIVS): per thread as in Linux (inherited by clone, kept by execve).
    let noNewPrivileges: Atomic<Bool>

    /// A thread with `credentials` (a new process's first thread: the process's own).
    init(tid: Int32, process: Process, context: UserContext, index: Int = 0, credentials: Credentials? = nil, noNewPrivileges: Bool = false) {
        self.tid = tid
        self.process = process
        self.context = context
        self.index = index
        cachedMemory = process.memory
        userSpace = process.memory.space
        let c = credentials ?? process.credentials
        ownCredentials = c
        publishedCredentials = SpinLock(c)
        self.noNewPrivileges = Atomic(noNewPrivileges)
    }

    /// Sets the credentials (ThreadCredentials.swift's `changeCredentials`, on this thread only).
    func storeCredentials(_ c: Credentials) {
        ownCredentials = c
        publishedCredentials.withLock { $0 = c }
    }

    /// The process's memory as this thread's own task sees it, without the process lock on every
    /// entry to user mode and every user copy: only execve replaces a process's memory, and it is
    /// the thread running the execve (by then the only one) that refreshes this. Nil once ended.
    private var cachedMemory: ProcessMemory?
    var memory: ProcessMemory {
        if let m = cachedMemory { return m }      // not `??`: its autoclosure is a call on every user copy
        return process.memory
    }
    /// `cachedMemory`'s address space, which the loop enters user mode in after every syscall.
    /// Unowned: `cachedMemory` keeps it alive until the loop ends, and a strong read here costs a
    /// retain and a release per syscall (with the `memory` getter's own pair).
    private unowned(unsafe) var userSpace: UserAddressSpace
    /// After execve gave the process `memory`.
    func memoryReplaced(by memory: ProcessMemory) {
        cachedMemory = memory
        userSpace = memory.space
    }

    /// read/write's bounce buffer for small transfers, kept: a thread runs one syscall at a time,
    /// and a pipe or tty exchange of a few bytes then allocates nothing. Larger ones get their own.
    private var smallStaging: IOBuffer?
    static let smallStagingBytes = 512

    func stagingBuffer(count: Int) throws(Errno) -> IOBuffer {
        guard count <= Thread.smallStagingBytes else { return try IOBuffer(count: count, zeroed: false) }
        if let buffer = smallStaging { return buffer }
        let buffer = try IOBuffer(count: Thread.smallStagingBytes, zeroed: false)
        smallStaging = buffer
        return buffer
    }

    /// Where signal frames are built and read back (`SignalFrame.frameBytes`, ~1.1 KiB: too large for
    /// a temporary allocation on the stack), kept from the thread's first signal on: a thread pushes
    /// or restores one frame at a time. Nil when the heap could not supply it (then a temporary one).
    private var signalFrameStaging: IOBuffer?
    func signalFrameBuffer() -> IOBuffer? {
        if let buffer = signalFrameStaging { return buffer }
        signalFrameStaging = try? IOBuffer(count: SignalFrame.frameBytes, zeroed: false)
        return signalFrameStaging
    }

    /// The task running the thread; nil once it has finished. Under a lock: other CPUs interrupt it
    /// while the thread itself drops it, and a reference read without the lock could be freed under them.
    private let task = SpinLock<Task<Void, Never>?>(nil)

    /// Threads created but not yet run beyond which fork and clone first let them run. The executor
    /// runs new tasks four for each task whose time slice ended, so a creator that forks faster than
    /// that (a fork bomb: every process forks in a loop) would pile up thousands of children that
    /// never ran, each owed kernel memory for its first steps, while the running ones eat the rest.
    static let startingLimit = 64

    /// fork and clone: yields (up to a bound) while too many created threads have not run yet; ENOMEM
    /// if memory runs short meanwhile (their share counts against user space: PhysicalMemory).
    static func letStartingThreadsRun() async throws(Errno) {
        var rounds = 0
        while PhysicalMemory.startingThreads.load(ordering: .relaxed) > startingLimit && rounds < 1000 {
            guard PhysicalMemory.hasRoomForUser(frames: 16) else { throw .ENOMEM }
            await Task.yield()
            rounds += 1
        }
    }

    func start() {
        PhysicalMemory.startingThreads.wrappingAdd(1, ordering: .relaxed)    // until `run` begins
        let started = Task { await self.run() }
        task.withLock { $0 = started }
    }

    /// Gives the task the thread's affinity if it changed; false if this CPU is outside it.
    @inline(__always) private func followAffinity() -> Bool {
        let mask = affinity.load(ordering: .relaxed)
        if mask != taskAffinity {
            taskAffinity = mask
            lichen_current_task_set_allowed_cpus(mask == .max ? 0 : mask)
        }
        return mask >> UInt64(PerCPU.currentIndex) & 1 != 0
    }

    /// Ends any sleep the thread is in (it sees `finished` or a pending signal when it wakes).
    func interrupt() {
        let running = task.withLock { $0 }
        running?.cancel()
    }

    private func run() async {
        PhysicalMemory.startingThreads.wrappingSubtract(1, ordering: .relaxed)   // its first slab is taken
        runningTask = lichen_current_task()
        CurrentThread.enter(self)
        cpu.start()
        // A new process queues behind the programs already running (Linux's START_DEBIT): a fork
        // bomb's children must not keep a woken shell or reader waiting. A new thread starts at once
        // (programs expect it to run soon: glibc's unwinding at exit races threads still starting).
        if tid == process.pid { await Task.yield() }
        while !finished && !process.exiting {
            if interruptedSyscall != nil || !signalsQuiet() {
                saveUserFP()
                if rseq.isRegistered { rseqBeforeSignal() }
                await deliverSignals()
            }
            if finished || process.exiting { break }
            // After creating a thread, the creator lets it run first, as before the wake-up
            // granularity below: glibc's unwinding of a thread that exits at once races main's exit()
            // (static programs lose their unwind tables there), and Linux runs such threads at once.
            if yieldBeforeUser {
                yieldBeforeUser = false
                saveUserFP()
                await Task.yield()
                continue
            }
            if !followAffinity() {
                saveUserFP()
                await Task.yield()              // the executor queues it on an allowed CPU
                continue                        // signals may have come meanwhile
            }
            // A task woken on this CPU gets it when this thread sleeps or, at the latest, after
            // `wakeupGranularity` (Linux's wake-up preemption granularity), not at once: a thread
            // that wakes its partner and then sleeps itself (a condition-variable or pipe hand-off)
            // then hands over in one switch instead of yielding first and bouncing.
            let woken = lichen_executor_woken_waiting()
            if !TimerQueue.sliceArmed(wakeup: woken) {
                // It ended in the kernel: yield now (need_resched), if anything else waits for this CPU.
                if TimerQueue.takeSliceOver(), lichen_executor_local_work() {
                    cpu.preemptions &+= 1
                    saveUserFP()
                    await Task.yield()
                    continue                        // signals may have come meanwhile
                }
                TimerQueue.armTimeSlice(nanoseconds: woken ? Thread.wakeupGranularity : Thread.timeSlice, wakeup: woken)
            }
            if rseq.isRegistered { rseqReturnToUser() }
            cpu.leaveKernel()
            let exit = UserMode.run(context, in: userSpace)
            userFPLive = true
            CPUAccounting.enteredKernel(self)
            switch exit {
            case .syscall(let number):
                let handler = SyscallTable.handler(number)
                let firstArgument = context.syscallArgument(0)
                if let value = Syscalls.runInstant(handler, self) {
                    context.syscallReturnValue = value
                    if value == Errno.EFAULT.syscallReturn { await restartAfterReadIn(firstArgument) }
                    continue
                }
                saveUserFP()
                originalFirstArgument = context.syscallArgument(0)
                let (result, interrupted) = await interruptibleSyscall(handler, number)
                if finished || process.exiting { break }
                if let result { context.syscallReturnValue = result }
                if result == Errno.EFAULT.syscallReturn { await restartAfterReadIn(originalFirstArgument) }
                if interrupted, result == Errno.EINTR.syscallReturn {
                    interruptedSyscall = InterruptedSyscall(restart: SyscallTable.restart(number, SyscallArguments(thread: self)))
                }
            case .pageFault(let address, let write, let instruction, _):
                let outcome = await memory.handleFaultReadingIn(at: address, write: write, instruction: instruction)
                cpu.minorFaults &+= 1
                PageFaultCount.count()
                if !outcome.resolved && outcome.code == ProcessMemory.outOfMemoryCode {
                    // The OOM killer frees memory, then the instruction faults again: a retry. When memory
                    // was not short, one retry here, then the failure is a SIGSEGV as before.
                    if OutOfMemory.shouldRetry(process) {
                        saveUserFP()
                        await Task.yield()
                    } else if !memory.handleFault(at: address, write: write, instruction: instruction).resolved {
                        KernelLog.noticeRateLimited("pid " + Format.decimal(UInt64(process.pid)) + ": fault at " + Format.hex(address.value)
                                                    + " failed with memory free")
                        fault(.SIGSEGV, code: LinuxSigInfo.SEGV_MAPERR, address: address)
                    }
                } else if !outcome.resolved { fault(outcome.signal, code: outcome.code, address: address) }
            case .alignmentFault(let address):
                fault(.SIGBUS, code: LinuxSigInfo.BUS_ADRALN, address: address)
            case .illegalInstruction:
                fault(.SIGILL, code: LinuxSigInfo.ILL_ILLOPC, address: UserAddr(context.pc))
            case .breakpoint:
                fault(.SIGTRAP, code: LinuxSigInfo.TRAP_BRKPT, address: UserAddr(context.pc))
            case .interrupted:
                cpu.preemptions &+= 1
                _ = TimerQueue.takeSliceOver()              // this yield is the one the slice's end asks for
                rseq.eventPending = rseq.isRegistered       // rseq_cs is checked before returning
                saveUserFP()
                await Task.yield()
            case .unexpected(let esr):
                KernelLog.warning("pid " + Format.decimal(UInt64(process.pid)) + ": unexpected exception, ESR "
                                  + Format.hex(esr, width: 8))
                fault(.SIGILL, code: LinuxSigInfo.ILL_ILLOPC, address: UserAddr(context.pc))
            }
        }
        saveUserFP()
        cachedMemory = nil
        _ = await ProcessLifecycle.threadExit(self)
        UserAddressSpace.deactivateCurrent()
        // Drop the references that keep the thread (and through it the process) alive: an exited
        // process, its memory and its files are freed once its parent has reaped it.
        let handle = task.withLock { t -> Task<Void, Never>? in let h = t; t = nil; return h }
        _ = handle
        process.time.threadEnded(self)
        process.remove(self)
        CurrentThread.leave(self)
    }

    /// Saves the user FP/SIMD registers if they are still only in this CPU's registers.
    @inline(__always) func saveUserFP() {
        if userFPLive {
            UserMode.saveFPState(context)
            userFPLive = false
        }
    }

    /// The task running this thread (set as it starts): code without a thread at hand (a file's
    /// poll) finds the calling thread by it (`isCurrent`). Only the thread itself can match it.
    private var runningTask: UnsafeMutableRawPointer? = nil
    var isCurrent: Bool { runningTask != nil && runningTask == lichen_current_task() }

    /// The syscall a signal just interrupted (it returned EINTR), until delivery decides on a restart.
    var interruptedSyscall: InterruptedSyscall? = nil

    /// Runs a syscall inside an interrupt scope that `wakeForSignal` fires: every cancellable wait
    /// in it (the Sync primitives, sleeps) then ends, and the syscall returns EINTR. Returns whether
    /// a signal interrupted it.
    @inline(__always)
    private func interruptibleSyscall(_ handler: SyscallHandler?, _ number: UInt64) async -> (UInt64?, Bool) {
        let scope = lichen_task_push_interrupt_scope()!
        wake.withLock { w in
            w = SignalWake(task: lichen_current_task(), scope: scope)
            // A signal that came before the scope existed. Its sender bumped the signal generation
            // before taking this lock to wake us, so an unchanged generation means there is none.
            if process.signals.current != quietGeneration { fireIfSignalled(&w) }
        }
        let result = await Syscalls.dispatch(handler, self, number: number)
        let interrupted = wake.withLock { w -> Bool in
            let fired = w.fired
            w = SignalWake()
            return fired
        }
        lichen_task_pop_interrupt_scope(scope)
        return (result, interrupted)
    }

    /// Ends the thread's interruptible sleep if it has a signal to act on (or one it waits for in
    /// rt_sigtimedwait). Called by senders on any CPU.
    func wakeForSignal() {
        wake.withLock { fireIfSignalled(&$0) }
    }

    /// `wakeForSignal` with the wake lock held.
    private func fireIfSignalled(_ w: inout SignalWake) {
        guard let scope = w.scope, let task = w.task, !w.fired else { return }
        let waiting = w.waitingFor
        let (due, _) = process.signals.inspect { st -> Bool in
            let pending = st.threads[index].pending.signals.union(st.process.shared.signals)
            if st.stopped || !pending.subtracting(st.threads[index].blocked).isEmpty { return true }
            return !pending.intersection(waiting).isEmpty
        }
        guard due else { return }
        w.fired = true
        lichen_task_interrupt_scope(task, scope)
    }

    /// Whether the thread sleeps in rt_sigtimedwait for `s`.
    func waits(for s: Signal) -> Bool { wake.withLock { $0.waitingFor.contains(s) } }

    /// Ends the thread's interruptible sleep whatever its signals (a group stop, exec killing it):
    /// the syscall returns EINTR and is restarted or not as for a signal without a handler.
    func kick() {
        wake.withLock { w in
            guard let scope = w.scope, let task = w.task, !w.fired else { return }
            w.fired = true
            lichen_task_interrupt_scope(task, scope)
        }
    }

    /// A synchronous fault: queued for this thread, delivered (or fatal) before it returns to user mode.
    func fault(_ signal: Signal, code: Int32, address: UserAddr) {
        ProcessSignals.sendFault(LinuxSigInfo.fault(signo: signal.number, code: code, address: address.value), to: self)
    }
}

/// A syscall a signal interrupted; `restart` nil: it always fails with EINTR (rt_sigsuspend...).
struct InterruptedSyscall {
    let restart: SyscallRestartKind?
}

/// The interruptible sleep a thread is in, if any.
struct SignalWake: @unchecked Sendable {
    var task: UnsafeMutableRawPointer? = nil
    var scope: UnsafeMutableRawPointer? = nil
    /// Already fired (a scope is interrupted once).
    var fired = false
    /// rt_sigtimedwait's set: these wake the thread even while blocked.
    var waitingFor = SignalSet.empty
}

/// "SIGSEGV" for log messages.
func signalName(_ s: Signal) -> String {
    let names: [StaticString] = ["SIGHUP", "SIGINT", "SIGQUIT", "SIGILL", "SIGTRAP", "SIGABRT", "SIGBUS", "SIGFPE",
                                 "SIGKILL", "SIGUSR1", "SIGSEGV", "SIGUSR2", "SIGPIPE", "SIGALRM", "SIGTERM", "SIGSTKFLT",
                                 "SIGCHLD", "SIGCONT", "SIGSTOP", "SIGTSTP", "SIGTTIN", "SIGTTOU", "SIGURG", "SIGXCPU",
                                 "SIGXFSZ", "SIGVTALRM", "SIGPROF", "SIGWINCH", "SIGIO", "SIGPWR", "SIGSYS"]
    let n = Int(s.number)
    return n >= 1 && n <= names.count ? string(names[n - 1]) : "signal " + Format.decimal(UInt64(n))
}
