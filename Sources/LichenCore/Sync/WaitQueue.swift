import _Concurrency

/// Tasks sleeping until something happens: the kernel's wait_queue_head. Wakers may run in any
/// context, including interrupt handlers (waking takes the IRQ-saving spinlock and never allocates).
///
/// To sleep until a condition holds, use `wait(until:)`: the condition is checked under the queue's
/// lock before sleeping and after every wake-up, so a waker that makes it true and then calls
/// `wakeOne`/`wakeAll` cannot slip in between the check and the sleep (no lost wake-up). The
/// waker must make the condition true before it wakes, and the condition's state must be atomic or
/// guarded by a lock (it is read while the waker may be writing it).
public final class WaitQueue: @unchecked Sendable {
    let lock = RawSpinLock()
    var waiters = WaitList()  // guarded by lock

    public init() {}

    /// Sleeps until `condition()` is true, re-checking it after every wake-up. `condition` runs
    /// under the queue's spinlock with interrupts masked: keep it short, it must not block.
    /// Throws `.interrupted` if the task is cancelled (unless `interruptible` is false: for waits
    /// that must end only by their condition), `.timedOut` if `timeout` expires, unless the
    /// condition holds by then.
    public func wait(until condition: () -> Bool, timeout: WaitTimeout? = nil,
                     interruptible: Bool = true) async throws(WaitError) {
        if lock.withLock(condition) { return }
        let node = WaitNode(Waiter())
        try await blockingWait(
            node.waiter, interruptible: interruptible, timeout: timeout,
            attempt: { register in
                lock.withLock {
                    if condition() { return () }
                    if register { waiters.append(node) }
                    return nil
                }
            },
            unregister: { lock.withLock { waiters.remove(node) } },
            onWake: { _ in nil })
    }

    /// Sleeps until the next `wakeOne`/`wakeAll` that reaches this task. Wake-ups before the call
    /// are not remembered: when waiting for a condition, use `wait(until:)`.
    public func wait(timeout: WaitTimeout? = nil) async throws(WaitError) {
        let node = WaitNode(Waiter())
        try await blockingWait(
            node.waiter, interruptible: true, timeout: timeout,
            attempt: { register in
                if register { lock.withLock { waiters.append(node) } }
                return nil
            },
            unregister: { lock.withLock { waiters.remove(node) } },
            onWake: { _ in () })
    }

    /// Wakes the longest-waiting task; false if none was waiting.
    @discardableResult
    public func wakeOne() -> Bool {
        lock.withLock { waiters.wakeFirst() } != nil
    }

    /// Wakes every waiting task; returns how many.
    @discardableResult
    public func wakeAll() -> Int {
        lock.withLock { waiters.wakeAll() }
    }

    /// Tasks waiting now, including ones just cancelled that have not left yet (a snapshot).
    public var waiterCount: Int {
        lock.withLock { waiters.count }
    }

    /// Runs `body` under the queue's lock: for state that wait conditions read (`Event`).
    func locked<R>(_ body: () -> R) -> R {
        lock.withLock(body)
    }
}
