import Synchronization

/// The lock word of `UnfairSpinLock`: an IRQ-saving test-and-test-and-set lock. Internal for the
/// same reason as `RawSpinLock` (a lock()/unlock() pair could straddle an `await`).
///
/// Unfair on purpose: whichever waiting CPU runs when the lock is released takes it. With a ticket
/// lock the next holder is fixed, and under qemu with more virtual CPUs than host cores that CPU is
/// often not running, so every waiter waits for the host scheduler too (4 threads faulting on
/// -smp 4 took minutes). Fine for short sections; no recursion check (never nest the same lock).
struct RawUnfairSpinLock: ~Copyable {
    /// 1 while held.
    private let word = Atomic<UInt32>(0)

    init() {}

    /// Masks interrupts, then spins until the word is free and this caller set it. Returns the
    /// interrupt state to give back to `unlock`.
    func lock() -> UInt64 {
        let saved = InterruptMasking.disable()
        while word.exchange(1, ordering: .acquiring) != 0 {
            // Spin on a plain load (the cache line stays shared) until it looks free, then retry.
            while word.load(ordering: .relaxed) != 0 { SpinWait.relax() }
        }
        return saved
    }

    /// Takes the lock only if it is free now (never spins).
    func tryLock() -> UInt64? {
        let saved = InterruptMasking.disable()
        guard word.exchange(1, ordering: .acquiring) == 0 else {
            InterruptMasking.restore(saved)
            return nil
        }
        return saved
    }

    func unlock(_ saved: UInt64) {
        word.store(0, ordering: .releasing)
        InterruptMasking.restore(saved)
    }

    /// True while some CPU holds the lock (a snapshot, for diagnostics).
    var isLocked: Bool { word.load(ordering: .relaxed) != 0 }
}
