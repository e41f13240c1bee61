import LichenAsyncRuntime

/// The C test-and-test-and-set spinlock (IRQ-saving) for the locks the threads of one process
/// hammer (ProcessMemory, the futex table), instead of the ticket `SpinLock`. With a ticket lock the
/// next holder is fixed, and under qemu with more virtual CPUs than host cores that CPU is often not
/// running, so every page fault waited for the host scheduler (4 threads on -smp 4 took minutes).
/// Here whichever waiting CPU runs takes it (unfair, fine for short sections). Never held across an
/// await: the closure is synchronous. No recursion check: never nest the same lock.
final class UnfairSpinLock {
    private let word: UnsafeMutablePointer<LichenSpinLock>

    init() {
        word = .allocate(capacity: 1)
        word.initialize(to: LichenSpinLock())
    }

    deinit { word.deallocate() }

    func withLock<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        let daif = lichen_spin_lock_irqsave(word)
        defer { lichen_spin_unlock_irqrestore(word, daif) }
        return try body()
    }
}
