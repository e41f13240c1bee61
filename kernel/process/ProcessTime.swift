import LichenCore
import _Concurrency

/// A process's CPU-time bookkeeping and timers: what its ended threads and reaped children used,
/// the three setitimer timers (IntervalTimers.swift) and its POSIX timers (PosixTimers.swift).
/// A fork starts with a fresh one (Linux clears timers and times in the child); execve keeps it.
final class ProcessTime: @unchecked Sendable {
    struct State {
        var endedThreads = ResourceUsage()
        var children = ResourceUsage()
        var real = IntervalTimer()                // on MonotonicClock
        var realGeneration: UInt64 = 0            // bumped on every change: a stale timer task stops
        var realTask: Task<Void, Never>? = nil
        var virtual = IntervalTimer()             // on the process's user time
        var prof = IntervalTimer()                // on its user + system time
        var posix = LowestFreeIdSlots<PosixTimer>()
        /// The ids of the signalling POSIX timers on CPU-time clocks (few): the kernel-entry check
        /// and `updateCPUTimersArmed` look at these, not at every timer of the process.
        var cpuPosix: [Int32] = []
        /// The last POSIX timer setting's generation: unique across timers, so a stale timer task
        /// never mistakes a new timer that reuses a deleted one's id for its own.
        var posixGeneration: UInt64 = 0
    }
    let state = SpinLock(State())
    /// ITIMER_VIRTUAL, ITIMER_PROF or a CPU-time POSIX timer is armed: the threads check them at
    /// each kernel entry.
    var cpuTimersArmed = false

    /// The process's own usage: its live threads (`current`, the caller, counts its syscall so far)
    /// plus the ones that ended.
    func usage(of process: Process, current: Thread?) -> ResourceUsage {
        var total = state.withLock { $0.endedThreads }
        for t in process.threads { total += t.cpu.usage(current: t === current) }
        return total
    }

    var childrenUsage: ResourceUsage { state.withLock { $0.children } }

    /// A thread finished: its times stay with the process.
    func threadEnded(_ thread: Thread) {
        let u = thread.cpu.usage(current: false)
        state.withLock { $0.endedThreads += u }
    }

    /// wait reaped a child: its usage (its own plus its reaped children's) joins ours.
    func addChild(_ usage: ResourceUsage) { state.withLock { $0.children += usage } }
}

/// The hooks the thread loop, exit and wait call.
enum CPUAccounting {
    /// Back from user mode: user time, and the CPU-time itimers if armed.
    @inline(__always) static func enteredKernel(_ thread: Thread) {
        thread.cpu.enterKernel()
        if thread.process.time.cpuTimersArmed { thread.process.time.checkCPUTimers(thread) }
    }

    /// The process is exiting: its timers stop and its total usage is left in its zombie record
    /// for the parent's wait.
    static func processExiting(_ process: Process, thread: Thread) {
        process.time.stopAll()
        let usage = process.time.usage(of: process, current: thread) + process.time.childrenUsage
        Processes.withTable { $0.setUsage(process.pid, usage) }
    }

    /// wait4's rusage: a reaped child's final usage, else (a stop or continue) its usage so far.
    static func waitUsage(_ report: WaitReport) -> ResourceUsage {
        if report.reaped { return report.usage }
        guard let child = Processes.process(report.pid) else { return ResourceUsage() }
        return child.time.usage(of: child, current: nil) + child.time.childrenUsage
    }

    /// /proc/<pid>/stat fields 10-17: minflt cminflt majflt cmajflt utime stime cutime cstime.
    static func statFields(_ p: Process) -> [String] {
        let own = p.time.usage(of: p, current: nil), children = p.time.childrenUsage
        let values: [UInt64] = [own.minorFaults, children.minorFaults, own.majorFaults, children.majorFaults,
                                UInt64(TimeValues.clockTicks(own.userNanoseconds)), UInt64(TimeValues.clockTicks(own.systemNanoseconds)),
                                UInt64(TimeValues.clockTicks(children.userNanoseconds)), UInt64(TimeValues.clockTicks(children.systemNanoseconds))]
        return values.map { Format.decimal($0) }
    }
}
