// MUST NOT COMPILE: awaiting while holding the unfair spinlock. `UnfairSpinLock.withLock` takes a
// synchronous closure like `SpinLock.withLock`, so the `await` is rejected the same way.
import _Concurrency
import LichenCore

func sleepABit() async {}

func holdAcrossAwait(_ lock: UnfairSpinLock<Int>) async {
    lock.withLock { value in
        value += 1
        await sleepABit()  // a sleep point inside the critical section
        value -= 1
    }
}
