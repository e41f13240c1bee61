// MUST NOT COMPILE: awaiting while holding a spinlock. `SpinLock.withLock` takes a synchronous
// closure, so the `await` makes the closure async and the call is rejected. tests/compile-fail/run.sh
// checks that swiftc refuses this file with the expected diagnostic.
import _Concurrency
import LichenCore

func sleepABit() async {}

func holdAcrossAwait(_ lock: SpinLock<Int>) async {
    lock.withLock { value in
        value += 1
        await sleepABit()  // a sleep point inside the critical section
        value -= 1
    }
}
