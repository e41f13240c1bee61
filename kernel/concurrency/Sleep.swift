import LichenCore
import LichenAsyncRuntime
import _Concurrency

/// Suspends the task until `deadline`. Cancellable: cancelling the task (or a timeout around the call
/// expiring) ends the sleep early with `.cancelled`.
@discardableResult
func sleep(until deadline: Deadline) async -> SleepOutcome {
    if deadline <= Deadline.now { return .elapsed }
    let entry = TimerEntry.make(deadline)
    let shared = SharedEntry(entry: entry)
    let outcome = await withTaskCancellationHandler {
        await withUnsafeContinuation { (continuation: UnsafeContinuation<SleepOutcome, Never>) in
            entry.pointee.action = .resume(continuation)
            if !TimerQueue.insert(entry) { continuation.resume(returning: .cancelled) }
        }
    } onCancel: {
        // Maybe in interrupt context, on any CPU: only unlinks and resumes.
        if case .resume(let continuation)? = TimerQueue.cancel(shared.entry) { continuation.resume(returning: .cancelled) }
    }
    TimerEntry.free(entry)
    return outcome
}

/// Suspends the task for `nanoseconds` (see sleep(until:)).
@discardableResult
func sleep(for nanoseconds: UInt64) async -> SleepOutcome {
    await sleep(until: .after(nanoseconds: nanoseconds))
}

/// Runs `operation` with a deadline: if it has not returned by then, every wait inside it that is
/// cancellable (sleeps, and the sync primitives' waits) is interrupted as if the task were cancelled,
/// but the task itself is not cancelled. `operation` still returns its own value; `timedOut` says
/// whether the deadline passed while it ran.
func withDeadline<T>(_ deadline: Deadline, _ operation: () async -> T) async -> (value: T, timedOut: Bool) {
    let scope = lichen_task_push_interrupt_scope()!
    let entry = TimerEntry.make(deadline)
    entry.pointee.action = .interrupt(task: lichen_current_task()!, scope: scope)
    _ = TimerQueue.insert(entry)
    let value = await operation()
    let timedOut = TimerQueue.cancelAndWait(entry)
    lichen_task_pop_interrupt_scope(scope)
    TimerEntry.free(entry)
    return (value, timedOut)
}

func withTimeout<T>(nanoseconds: UInt64, _ operation: () async -> T) async -> (value: T, timedOut: Bool) {
    await withDeadline(.after(nanoseconds: nanoseconds), operation)
}

/// The entry as the cancellation handler sees it: the queue's lock makes sharing it safe.
private struct SharedEntry: @unchecked Sendable {
    let entry: UnsafeMutablePointer<TimerEntry>
}
