import LichenCore
import _Concurrency

/// A user thread: a kernel task that runs its context in user mode and handles whatever brings it
/// back (syscalls, faults, interrupts). Blocking in a syscall is an `await`: the CPU runs other tasks.
final class Thread: @unchecked Sendable {
    let tid: Int32
    let process: Process
    let context: UserContext
    var clearChildTID = UserAddr(0)
    var signalMask = SignalSet.empty
    /// Set when the thread must stop running user code (exit, exec replaced it, a fatal signal).
    var finished = false
    /// The syscall being served, or UInt64.max (for diagnostics).
    var currentSyscall = UInt64.max

    /// How long user code runs before the timer takes the CPU back for other tasks.
    static let timeSlice: UInt64 = 10_000_000

    init(tid: Int32, process: Process, context: UserContext) {
        self.tid = tid
        self.process = process
        self.context = context
    }

    private var task: Task<Void, Never>? = nil

    func start() {
        task = Task { await self.run() }
    }

    /// Ends any sleep the thread is in (it sees `finished` or a pending signal when it wakes).
    func interrupt() { task?.cancel() }

    private func run() async {
        while !finished && !process.exiting {
            TimerQueue.armTimeSlice(nanoseconds: Thread.timeSlice)
            let exit = UserMode.run(context, in: process.memory.space)
            switch exit {
            case .syscall(let number):
                currentSyscall = number
                let result = await Syscalls.dispatch(self, number: number)
                currentSyscall = UInt64.max
                if finished || process.exiting { break }
                if let result { context[register: 0] = result }
            case .pageFault(let address, let write, let instruction, _):
                let (resolved, code) = process.memory.handleFault(at: address, write: write, instruction: instruction)
                if !resolved { await fatalSignal(.SIGSEGV, code: code, address: address) }
            case .alignmentFault(let address):
                await fatalSignal(.SIGBUS, code: 1, address: address)
            case .illegalInstruction:
                await fatalSignal(.SIGILL, code: 1, address: UserAddr(context.pc))
            case .breakpoint:
                await fatalSignal(.SIGTRAP, code: 1, address: UserAddr(context.pc))
            case .interrupted:
                await Task.yield()
            case .unexpected(let esr):
                KernelLog.warning("pid " + Format.decimal(UInt64(process.pid)) + ": unexpected exception, ESR "
                                  + Format.hex(esr, width: 8))
                await fatalSignal(.SIGILL, code: 0, address: UserAddr(context.pc))
            }
        }
        UserAddressSpace.deactivateCurrent()
    }

    /// A synchronous fault the program did not handle (signal handlers arrive with signal delivery):
    /// the process dies with the signal, the kernel lives on.
    func fatalSignal(_ signal: Signal, code: Int32, address: UserAddr) async {
        KernelLog.notice(String(decoding: process.name, as: UTF8.self) + "[" + Format.decimal(UInt64(process.pid)) + "]: "
                         + signalName(signal) + " at " + Format.hex(address.value) + " pc " + Format.hex(context.pc))
        await ProcessLifecycle.exitGroup(self, event: .killed(signal, core: signal.defaultAction == .core))
    }
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
