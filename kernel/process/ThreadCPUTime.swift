import LichenCore
import LichenAsyncRuntime

/// A thread's CPU time. The executor times every job of a user thread's task; the thread splits that
/// time at each kernel entry and exit: what ran inside `UserMode.run` is user time, the rest (syscalls,
/// faults, signal delivery) system time. Time the task spends suspended is in no job, so a sleeping
/// thread accumulates nothing. Written only by the thread itself; other CPUs read plain 64-bit fields,
/// at most one kernel entry or exit old.
struct ThreadCPUTime {
    private(set) var userTicks: UInt64 = 0
    private(set) var systemTicks: UInt64 = 0
    /// The task's CPU ticks at the last entry or exit.
    private var mark: UInt64 = 0
    var minorFaults: UInt64 = 0
    var preemptions: UInt64 = 0
    private var jobs: UInt64 = 0

    /// From inside the thread's task, before it first runs user code.
    mutating func start() {
        lichen_current_task_account()
        mark = lichen_current_task_cpu_ticks()
    }

    /// On the way to user mode: the time since the last entry was kernel work.
    @inline(__always) mutating func leaveKernel() {
        let now = lichen_current_task_cpu_ticks()
        if now > mark { systemTicks &+= now &- mark; mark = now }    // (a job's end may be added late)
    }

    /// Back from user mode.
    @inline(__always) mutating func enterKernel() {
        let now = lichen_current_task_cpu_ticks()
        if now > mark { userTicks &+= now &- mark; mark = now }
        jobs = lichen_current_task_jobs()
    }

    /// The thread's usage; `current` when the thread asks about itself (its time in this syscall so far counts).
    func usage(current: Bool) -> ResourceUsage {
        var system = systemTicks
        var switches = jobs
        if current {
            let now = lichen_current_task_cpu_ticks()
            if now > mark { system &+= now &- mark }
            switches = lichen_current_task_jobs()
        }
        var u = ResourceUsage(user: Clock.nanoseconds(ticks: userTicks), system: Clock.nanoseconds(ticks: system))
        u.minorFaults = minorFaults
        u.involuntarySwitches = preemptions
        u.voluntarySwitches = switches > preemptions ? switches - preemptions : 0
        return u
    }
}
