import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// For syscalls that loop without sleeping (gigabytes from /dev/zero, sendfile, a huge write to
/// tmpfs). Kernel tasks are never preempted, so such a loop must give the CPU away now and then
/// (`CPUShare`, Linux's cond_resched), or nothing else runs on its CPU: not the timer task that sends
/// its SIGALRM, not the process that wants to SIGKILL it. And no wait inside it throws EINTR, so it
/// looks for signals between chunks, as Linux's loops call signal_pending and fatal_signal_pending.
extension Process {
    /// Linux's fatal_signal_pending: the process is ending, or SIGKILL is queued for it.
    var fatalSignalPending: Bool { exiting || signals.withLock { $0.process.shared.contains(.SIGKILL) } }
}

extension SyscallArguments {
    /// Linux's signal_pending: a signal the thread must act on (or a stop) has interrupted the
    /// running syscall; it should stop and return what it moved, or EINTR if nothing.
    var signalPending: Bool { lichen_current_task_is_interrupted() }
}

/// Yields the CPU once a time slice has gone by since the loop started or last yielded.
struct CPUShare {
    private var until = MonotonicClock.now &+ Thread.timeSlice

    mutating func yieldIfDue() async {
        guard MonotonicClock.now >= until else { return }
        await Task.yield()
        until = MonotonicClock.now &+ Thread.timeSlice
    }
}
