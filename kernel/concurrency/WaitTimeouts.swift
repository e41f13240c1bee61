import LichenCore
import _Concurrency

/// Deadlines for the sync primitives' waits (Sources/LichenCore/Sync/WaitTimeout.swift knows no
/// clock): an entry in the timer queue whose expiry, in the timer interrupt, ends the wait.
extension WaitTimeout {
    static func at(_ deadline: Deadline) -> WaitTimeout {
        WaitTimeout { expiry in
            let entry = TimerEntry.make(deadline)
            entry.pointee.action = .call { expiry.expire() }
            _ = TimerQueue.insert(entry)               // a past deadline fires at the next interrupt
            let shared = TimerEntryHandle(entry: entry)
            return {
                _ = TimerQueue.cancelAndWait(shared.entry)   // after this the interrupt cannot touch it
                TimerEntry.free(shared.entry)
            }
        }
    }

    static func after(nanoseconds: UInt64) -> WaitTimeout { at(.after(nanoseconds: nanoseconds)) }
}

/// A timer entry handed to a @Sendable closure: the queue's lock and cancelAndWait make that safe.
struct TimerEntryHandle: @unchecked Sendable {
    let entry: UnsafeMutablePointer<TimerEntry>
}
