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
    /// Told of every wake-up (epoll's entries: Linux's wait-queue callbacks); guarded by lock. Copied
    /// out under the lock (a retain, no allocation) and called after it is released.
    var watchers: [WaitQueueWatcher] = []

    public init() {}

    /// Sleeps until `condition()` is true, re-checking it after every wake-up. `condition` runs
    /// under the queue's spinlock with interrupts masked: keep it short, it must not block.
    /// Throws `.interrupted` if the task is cancelled (unless `interruptible` is false: for waits
    /// that must end only by their condition), `.timedOut` if `timeout` expires, unless the
    /// condition holds by then.
    @inline(__always)
    public func wait(until condition: () -> Bool, timeout: WaitTimeout? = nil,
                     interruptible: Bool = true) async throws(WaitError) {
        if lock.withLock(condition) { return }
        try await blockingWait(
            interruptible: interruptible, timeout: timeout,
            attempt: { node in
                lock.withLock {
                    if condition() { return () }
                    if let node { waiters.append(node) }
                    return nil
                }
            },
            unregister: { node in lock.withLock { waiters.remove(node) } },
            onWake: { _ in nil })
    }

    /// Sleeps until the next `wakeOne`/`wakeAll` that reaches this task. Wake-ups before the call
    /// are not remembered: when waiting for a condition, use `wait(until:)`.
    public func wait(timeout: WaitTimeout? = nil) async throws(WaitError) {
        try await blockingWait(
            interruptible: true, timeout: timeout,
            attempt: { node in
                if let node { lock.withLock { waiters.append(node) } }
                return nil
            },
            unregister: { node in lock.withLock { waiters.remove(node) } },
            onWake: { _ in () })
    }

    /// Wakes the longest-waiting task; false if none was waiting. Watchers are told too.
    @discardableResult
    public func wakeOne() -> Bool {
        var told: [WaitQueueWatcher]? = nil
        let woken = lock.withLock { () -> Bool in
            if !watchers.isEmpty { told = watchers }
            return waiters.wakeFirst() != nil
        }
        if let told { for w in told { w.queueWoke(.all) } }
        return woken
    }

    /// Wakes every waiting task; returns how many. Watchers are told too.
    @discardableResult
    public func wakeAll() -> Int {
        wakeAll(reporting: .all)
    }

    /// Wakes every waiting task, telling watchers which poll events may have changed (Linux's wake
    /// key: a pipe read makes room, it does not make the reader's side readable again).
    @discardableResult
    public func wakeAll(reporting events: PollEvents) -> Int {
        // Most queues have no watcher: then the array is not even retained.
        var told: [WaitQueueWatcher]? = nil
        let woken = lock.withLock { () -> Int in
            if !watchers.isEmpty { told = watchers }
            return waiters.wakeAll()
        }
        if let told { for w in told { w.queueWoke(events) } }
        return woken
    }

    /// Tells `watcher` of every later wake-up, until `removeWatcher`.
    public func addWatcher(_ watcher: WaitQueueWatcher) {
        lock.withLock { watchers.append(watcher) }
    }

    public func removeWatcher(_ watcher: WaitQueueWatcher) {
        lock.withLock { watchers.removeAll { $0 === watcher } }
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

/// Something told of a queue's wake-ups without sleeping on it (an epoll entry): `queueWoke` runs
/// in the waker's context, possibly an interrupt handler, after the queue's lock is released: it
/// must not sleep or allocate.
open class WaitQueueWatcher: @unchecked Sendable {
    public init() {}
    /// `events`: what may have changed (`.all` when the waker does not say).
    open func queueWoke(_ events: PollEvents) {}
}
