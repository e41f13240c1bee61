import LichenCore
import LichenAsyncRuntime

/// The process whose syscall is reading a /proc file: procfs reads get no caller context, but every
/// syscall runs in its thread's task, which the thread records while in the syscall (`Thread.wake`).
enum ProcReader {
    /// Whether one of `p`'s threads is the one reading.
    static func isReader(_ p: Process) -> Bool { CurrentThread.process === p }

    /// The reading process (nil from a kernel task).
    static func current() -> Process? { CurrentThread.process }

    /// The reading thread's credentials (each thread has its own; nil from a kernel task).
    static func credentials() -> Credentials? { CurrentThread.thread?.credentials }
}
