/// A value guarded by an IRQ-saving spinlock: for short critical sections shared between tasks,
/// CPUs and interrupt handlers. Fair (a ticket lock: CPUs get it in arrival order); `UnfairSpinLock`
/// has the same API for the few locks where fairness costs more than it gives.
///
/// The value is reachable only through `withLock`, whose closure is synchronous: an `await` inside
/// it does not compile (tests/compile-fail/ proves it), so no task can sleep holding a spinlock.
///
/// A final class rather than a ~Copyable struct: a lock is shared by reference between everyone
/// who contends for it, the class gives the atomics a stable address and one owner, and it needs
/// no storage tricks to mutate the value from a non-mutating `withLock`. Like the standard
/// library's `Mutex`, it is Sendable whatever `Value` is: the value is `sending` in and out.
public final class SpinLock<Value: ~Copyable>: @unchecked Sendable {
    private let raw = RawSpinLock()
    private var value: Value

    public init(_ initialValue: consuming sending Value) {
        value = initialValue
    }

    /// Runs `body` on the value with the lock held and interrupts masked on this CPU.
    public func withLock<R, E: Error>(_ body: (inout sending Value) throws(E) -> sending R) throws(E) -> sending R {
        let saved = raw.lock()
        defer { raw.unlock(saved) }
        return try body(&value)
    }

    /// Like `withLock`, but returns nil at once instead of spinning when the lock is held.
    public func withLockIfAvailable<R, E: Error>(
        _ body: (inout sending Value) throws(E) -> sending R
    ) throws(E) -> sending R? {
        guard let saved = raw.tryLock() else { return nil }
        defer { raw.unlock(saved) }
        return try body(&value)
    }

    /// The CPU holding the lock (debugging; needs `SpinLockDebug.currentCPU`).
    public var ownerCPU: UInt32? { raw.ownerCPU }
}
