import Synchronization

/// The lock word under every primitive in this folder: an IRQ-saving ticket lock. Internal, because
/// its lock()/unlock() pair could straddle an `await`; the public `SpinLock` only offers a
/// synchronous closure. ~Copyable and built on `Atomic` (which must not move), so it lives as a
/// `let` inside the class that owns the data it protects: no separate allocation.
///
/// Ticket rather than test-and-set: CPUs get the lock in the order they asked for it, so under
/// contention on SMP no CPU starves (test-and-set favours whoever's cache line is closest).
struct RawSpinLock: ~Copyable {
    /// The ticket the next arrival takes.
    private let nextTicket = Atomic<UInt32>(0)
    /// The ticket allowed in; only the holder advances it.
    private let nowServing = Atomic<UInt32>(0)
    /// Holder's CPU index + 1, or 0 (free, or CPU unknown): for debugging only.
    private let owner = Atomic<UInt32>(0)

    init() {}

    /// Masks interrupts, then spins until it is this caller's turn. Returns the interrupt state to
    /// give back to `unlock`.
    func lock() -> UInt64 {
        let saved = InterruptMasking.disable()
        let cpu = SpinLockDebug.currentCPU()
        if cpu != SpinLockDebug.unknownCPU && owner.load(ordering: .relaxed) == cpu &+ 1 {
            // Only this CPU ever stores its own id here, so the value is not stale: we hold the
            // lock already, and with interrupts masked nobody else on this CPU can release it.
            preconditionFailure("SpinLock: recursive acquisition (deadlock)")
        }
        let ticket = nextTicket.wrappingAdd(1, ordering: .relaxed).oldValue
        while nowServing.load(ordering: .acquiring) != ticket { SpinWait.relax() }
        owner.store(cpu &+ 1, ordering: .relaxed)  // unknownCPU + 1 wraps to 0: "unknown"
        return saved
    }

    /// Takes the lock only if it is free now (never spins).
    func tryLock() -> UInt64? {
        let saved = InterruptMasking.disable()
        let serving = nowServing.load(ordering: .acquiring)
        let (taken, _) = nextTicket.compareExchange(
            expected: serving, desired: serving &+ 1, successOrdering: .acquiring, failureOrdering: .relaxed)
        guard taken else {
            InterruptMasking.restore(saved)
            return nil
        }
        owner.store(SpinLockDebug.currentCPU() &+ 1, ordering: .relaxed)
        return saved
    }

    func unlock(_ saved: UInt64) {
        owner.store(0, ordering: .relaxed)
        nowServing.wrappingAdd(1, ordering: .releasing)
        InterruptMasking.restore(saved)
    }

    /// Runs `body` with the lock held (and interrupts masked).
    func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let saved = lock()
        defer { unlock(saved) }
        return try body()
    }

    /// The holder's CPU, when the kernel installed `SpinLockDebug.currentCPU`.
    var ownerCPU: UInt32? {
        let o = owner.load(ordering: .relaxed)
        return o == 0 ? nil : o - 1
    }

    /// True while some CPU holds the lock or waits for it (a snapshot, for diagnostics).
    var isLocked: Bool {
        nextTicket.load(ordering: .relaxed) != nowServing.load(ordering: .relaxed)
    }
}
