import LichenCore
import LichenAsyncRuntime

/// Which user thread the running task is: code that gets no thread from its caller (a /proc read, a
/// signalfd's poll, a terminal's job-control check) asks here. A hashed map from each thread's task
/// to the thread, filled as the thread starts and emptied as it ends: the answer costs the same
/// however many threads exist.
enum CurrentThread {
    private static let byTask = SpinLock(HashedBuckets<UInt, Thread>(minimumBits: 6))

    /// The thread whose task is running this code (nil in a kernel task).
    static var thread: Thread? {
        guard let task = lichen_current_task() else { return nil }
        return byTask.withLock { $0.first(UInt(bitPattern: task)) }
    }

    static var process: Process? { thread?.process }

    /// `thread` runs in the current task from now until `leave`.
    static func enter(_ thread: Thread) {
        guard let task = lichen_current_task() else { return }
        byTask.withLock { $0.append(UInt(bitPattern: task), thread) }
    }

    static func leave(_ thread: Thread) {
        guard let task = lichen_current_task() else { return }
        byTask.withLock { _ = $0.remove(UInt(bitPattern: task)) { $0 === thread } }
    }
}
