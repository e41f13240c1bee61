import LichenCore
import Synchronization

/// A process's signal state under its lock, with a generation that every access bumps. A thread
/// that found nothing to deliver at generation g goes back to user mode without taking the lock
/// while the generation is still g: after a syscall that did not touch signals (getpid, read) and
/// with no sender in between, which is nearly always. Senders bump it under the lock, so a thread
/// that sees the old value runs on as if the signal had come a moment later (as when it is sent
/// to a thread already in user mode on another CPU).
final class SignalStateLock: @unchecked Sendable {
    private let lock: SpinLock<SignalStates>
    private let generation = Atomic<UInt64>(1)

    init(_ states: SignalStates) { lock = SpinLock(states) }

    /// Any access: the caller may change what is deliverable.
    func withLock<R, E: Error>(_ body: (inout SignalStates) throws(E) -> R) throws(E) -> R {
        try lock.withLock { (st: inout SignalStates) throws(E) -> R in
            generation.wrappingAdd(1, ordering: .relaxed)
            return try body(&st)
        }
    }

    /// A read that changes nothing, with the generation it saw.
    func inspect<R>(_ body: (inout SignalStates) -> R) -> (R, UInt64) {
        lock.withLock { (st: inout SignalStates) -> (R, UInt64) in (body(&st), generation.load(ordering: .relaxed)) }
    }

    /// The generation now, without the lock.
    var current: UInt64 { generation.load(ordering: .acquiring) }
}
