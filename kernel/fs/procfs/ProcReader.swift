import LichenCore
import LichenAsyncRuntime

/// The process whose syscall is reading a /proc file: procfs reads get no caller context, but every
/// syscall runs in its thread's task, which the thread records while in the syscall (`Thread.wake`).
enum ProcReader {
    /// Whether one of `p`'s threads is the one reading.
    static func isReader(_ p: Process) -> Bool {
        guard let current = lichen_current_task() else { return false }
        return p.threads.contains { t in t.wake.withLock { $0.task } == current }
    }

    /// The reading process, found among all of them (nil from a kernel task).
    static func current() -> Process? {
        Processes.all().first { isReader($0) }
    }
}
