// MUST COMPILE: the correct form of await_in_spinlock.swift and await_in_unfair_spinlock.swift. The
// critical section stays synchronous; the task sleeps only after the lock is released.
import _Concurrency
import LichenCore

func sleepABit() async {}

func updateThenSleep(_ lock: SpinLock<Int>) async {
    let snapshot = lock.withLock { value in
        value += 1
        return value
    }
    await sleepABit()
    lock.withLock { value in value -= snapshot - snapshot }
}

func updateThenSleep(_ lock: UnfairSpinLock<Int>) async {
    let snapshot = lock.withLock { value in
        value += 1
        return value
    }
    await sleepABit()
    lock.withLock { value in value -= snapshot - snapshot }
}
