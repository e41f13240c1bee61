import _Concurrency

/// An async mutex: a task that finds it held sleeps instead of spinning, and may itself `await`
/// while holding it (unlike `SpinLock`).
///
/// Fair: waiters get the lock in arrival order. Unlock hands the lock directly to the first waiter
/// (it stays held throughout), so a task arriving just then cannot barge in ahead of the queue.
///
/// `withLock` waits uninterruptibly, like Linux mutex_lock (a pending cancellation stays pending
/// and interrupts the next interruptible wait). `withLockInterruptible` gives up when the task is
/// cancelled; a waiter that gives up is skipped by the hand-off and never gets the lock.
///
/// Named like the standard library's `Synchronization.Mutex`: a file that imports both modules
/// writes `LichenCore.Mutex`.
public final class Mutex<Value: ~Copyable>: @unchecked Sendable {
    private let lock = RawSpinLock()
    private var held = false  // guarded by lock
    private var waiters = WaitList()  // guarded by lock
    private var value: Value  // guarded by `held`

    public init(_ initialValue: consuming sending Value) {
        value = initialValue
    }

    /// Runs `body` on the value with the mutex held, sleeping (uninterruptibly) until it is free.
    public func withLock<R, E: Error>(
        _ body: (inout sending Value) async throws(E) -> sending R
    ) async throws(E) -> sending R {
        if !tryAcquire() {
            do {
                try await acquireSlowly(interruptible: false)
            } catch {
                preconditionFailure("uninterruptible wait failed")
            }
        }
        defer { release() }
        return try await body(&value)
    }

    /// Like `withLock`, but if the task is cancelled while waiting, gives up and throws
    /// `interrupted` (the kernel passes EINTR). A task cancelled before the call still gets a free
    /// mutex; it is interrupted only if it would have to sleep.
    public func withLockInterruptible<R, E: Error>(
        orThrow interrupted: E, _ body: (inout sending Value) async throws(E) -> sending R
    ) async throws(E) -> sending R {
        if !tryAcquire() {
            do {
                try await acquireSlowly(interruptible: true)
            } catch {
                throw interrupted
            }
        }
        defer { release() }
        return try await body(&value)
    }

    /// Runs `body` if the mutex is free now; nil (without waiting) otherwise.
    public func withLockIfAvailable<R, E: Error>(
        _ body: (inout sending Value) async throws(E) -> sending R
    ) async throws(E) -> sending R? {
        guard tryAcquire() else { return nil }
        defer { release() }
        return try await body(&value)
    }

    /// Whether some task holds the mutex (a snapshot, for diagnostics).
    public var isLocked: Bool { lock.withLock { held } }

    /// Tasks waiting now (a snapshot; may include interrupted ones about to leave).
    var waiterCount: Int { lock.withLock { waiters.count } }

    private func tryAcquire() -> Bool {
        lock.withLock {
            // Not held means no live waiter: release() hands over while one exists.
            if held { return false }
            held = true
            return true
        }
    }

    private func acquireSlowly(interruptible: Bool) async throws(WaitError) {
        try await blockingWait(
            interruptible: interruptible, timeout: nil,
            attempt: { node in
                lock.withLock {
                    if !held {
                        held = true
                        return ()
                    }
                    if let node { waiters.append(node) }
                    return nil
                }
            },
            unregister: { node in lock.withLock { waiters.remove(node) } },
            onWake: { _ in () })  // woken = handed the mutex
    }

    private func release() {
        lock.withLock {
            // Hand over to the first waiter that takes the wake-up; `held` stays true.
            if waiters.wakeFirst() == nil { held = false }
        }
    }
}
