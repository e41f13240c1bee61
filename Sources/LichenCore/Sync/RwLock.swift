import _Concurrency

/// An async readers-writer lock: any number of readers share it, a writer holds it alone.
///
/// Fairness: FIFO, in arrival order. A reader gets in at once only if no writer holds the lock and
/// nobody is queued; otherwise it queues behind any waiting writer, so a stream of readers cannot
/// starve writers, and a writer cannot starve the readers queued behind it either. When the lock
/// frees up, the head of the queue gets it: one writer, or every reader up to the next writer,
/// admitted together. As in `Mutex`, the lock is handed over (no barging), and a waiter that is
/// interrupted (`...Interruptible`) is skipped and never admitted.
public final class RwLock<Value>: @unchecked Sendable {
    private static var reader: UInt8 { 0 }
    private static var writer: UInt8 { 1 }

    private let lock = RawSpinLock()
    private var readers = 0  // guarded by lock
    private var writing = false  // guarded by lock
    private var waiters = WaitList()  // guarded by lock
    private var value: Value  // guarded by readers/writing

    public init(_ initialValue: sending Value) {
        value = initialValue
    }

    /// Runs `body` on a copy of the value with the lock shared, waiting uninterruptibly.
    public func withReadLock<R, E: Error>(_ body: (Value) async throws(E) -> R) async throws(E) -> R {
        try? await acquire(RwLock.reader, interruptible: false)
        defer { release(RwLock.reader) }
        return try await body(value)
    }

    /// Runs `body` on the value with the lock held exclusively, waiting uninterruptibly.
    public func withWriteLock<R, E: Error>(_ body: (inout Value) async throws(E) -> R) async throws(E) -> R {
        try? await acquire(RwLock.writer, interruptible: false)
        defer { release(RwLock.writer) }
        return try await body(&value)
    }

    /// `withReadLock` that throws `interrupted` if the task is cancelled while waiting.
    public func withReadLockInterruptible<R, E: Error>(
        orThrow interrupted: E, _ body: (Value) async throws(E) -> R
    ) async throws(E) -> R {
        do { try await acquire(RwLock.reader, interruptible: true) } catch { throw interrupted }
        defer { release(RwLock.reader) }
        return try await body(value)
    }

    /// `withWriteLock` that throws `interrupted` if the task is cancelled while waiting.
    public func withWriteLockInterruptible<R, E: Error>(
        orThrow interrupted: E, _ body: (inout Value) async throws(E) -> R
    ) async throws(E) -> R {
        do { try await acquire(RwLock.writer, interruptible: true) } catch { throw interrupted }
        defer { release(RwLock.writer) }
        return try await body(&value)
    }

    /// (readers holding the lock, whether a writer holds it, tasks queued): a snapshot.
    var snapshot: (readers: Int, writing: Bool, waiting: Int) {
        lock.withLock { (readers, writing, waiters.count) }
    }

    /// Lock held: takes the lock for `kind` if it is compatible with the holders and nobody live is
    /// queued ahead.
    private func grantIfFree(_ kind: UInt8) -> Bool {
        waiters.dropStaleHead()
        guard waiters.isEmpty, !writing else { return false }
        if kind == RwLock.writer {
            guard readers == 0 else { return false }
            writing = true
        } else {
            readers += 1
        }
        return true
    }

    private func acquire(_ kind: UInt8, interruptible: Bool) async throws(WaitError) {
        if lock.withLock({ grantIfFree(kind) }) { return }
        try await blockingWait(
            kind: kind, interruptible: interruptible, timeout: nil,
            attempt: { node in
                lock.withLock {
                    if grantIfFree(kind) { return () }
                    if let node { waiters.append(node) }
                    return nil
                }
            },
            unregister: { node in
                lock.withLock {
                    waiters.remove(node)
                    // A writer leaving the head may unblock the readers queued behind it.
                    admitWaiters()
                }
            },
            onWake: { _ in () })  // woken = admitted
    }

    private func release(_ kind: UInt8) {
        lock.withLock {
            if kind == RwLock.writer { writing = false } else { readers -= 1 }
            admitWaiters()
        }
    }

    /// Lock held: hands the lock to the head of the queue, as far as the holders allow.
    private func admitWaiters() {
        while true {
            waiters.dropStaleHead()
            guard let head = waiters.first, !writing else { return }
            if head.kind == RwLock.writer && readers > 0 { return }
            _ = waiters.removeFirst()
            guard head.waiter.wake(source: head.source) else { continue }  // claimed meanwhile
            if head.kind == RwLock.writer {
                writing = true
                return
            }
            readers += 1
        }
    }
}
