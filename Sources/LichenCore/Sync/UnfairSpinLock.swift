/// A value guarded by an IRQ-saving spinlock that is not fair: `SpinLock`'s API (a synchronous
/// `withLock`, so no `await` compiles inside; tests/compile-fail/ proves it) on a test-and-test-and-set
/// word instead of tickets. For the locks the threads of one process hammer from several CPUs (their
/// memory, the futex table), where a fixed next holder that the host has not scheduled stalls every
/// CPU behind it (see `RawUnfairSpinLock`). Everything else uses the fair `SpinLock`.
public final class UnfairSpinLock<Value: ~Copyable>: @unchecked Sendable {
    private let raw = RawUnfairSpinLock()
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

    /// Whether some CPU holds the lock (a snapshot, for diagnostics).
    public var isLocked: Bool { raw.isLocked }
}
