import _Concurrency
import Synchronization

/// One blocked task, and its node in the one list it waits on (`waitAny` adds a `WaitNode` per list
/// instead). It can be linked into several wait lists at once and is
/// resumed exactly once per round, by whoever claims it first: a waker on any of those lists, the
/// task's cancellation handler, or its timeout. Claiming is one compare-and-swap on `state`, so a
/// waker that loses the race knows the task did not take its wake-up and passes it on.
///
/// A wait may take several rounds (woken, condition re-checked, still false: sleep again); the
/// Waiter is reused, and interruption and expiry are sticky so they also end every later round.
/// Once the wait is over, the CPU may keep it for a later wait (`WaiterRecycling`).
final class Waiter: WaitNode, @unchecked Sendable {
    // state: low 32 bits = the round's outcome (0 while unclaimed), plus flags.
    private static let outcomeMask: UInt64 = 0xFFFF_FFFF
    /// The task is suspended and `continuation` is valid: the claimer must resume it.
    private static let armed: UInt64 = 1 << 32
    /// Sticky: the task was cancelled.
    private static let interruptPending: UInt64 = 1 << 33
    /// Sticky: the timeout expired.
    private static let expiredFlag: UInt64 = 1 << 34
    private static let interruptedCode: UInt64 = 1
    private static let timedOutCode: UInt64 = 2
    private static let wokenBase: UInt64 = 3

    private let state = Atomic<UInt64>(0)
    /// Written by the owner before it sets `armed`; read only by the claimer that clears `armed`.
    /// It carries the claimed state rather than Void: with swiftc 6.3.1 Embedded -Osize, resuming
    /// a Void continuation inside its own withUnsafeContinuation closure produced invalid IR
    /// (`load i64, i64 0`) with a _Concurrency whose resume() passes `()` to the builtin.
    private var continuation: UnsafeContinuation<UInt64, Never>?

    init(kind: UInt8 = 0) {
        super.init(waiterKind: kind)
    }

    /// A fresh waiter: one the CPU kept from a finished wait, or a new one.
    static func obtain(kind: UInt8 = 0) -> Waiter {
        if let take = WaiterRecycling.take, let raw = take() {
            let waiter = Unmanaged<Waiter>.fromOpaque(raw).takeRetainedValue()
            waiter.state.store(0, ordering: .relaxed)
            waiter.kind = kind
            return waiter
        }
        return Waiter(kind: kind)
    }

    /// Offers a finished wait's waiter to the CPU's keep. Only an unlinked waiter nobody else still
    /// references (no waker, timer or cancellation handler can reach it any more) is kept.
    static func recycle(_ waiter: inout Waiter) {
        guard let keep = WaiterRecycling.keep, !waiter.isLinked, isKnownUniquelyReferenced(&waiter) else { return }
        let raw = Unmanaged.passRetained(waiter).toOpaque()
        if !keep(raw) { Unmanaged<Waiter>.fromOpaque(raw).release() }
    }

    /// A wake-up through the list registered as `source`. False if the round was already claimed
    /// (the task is not waiting any more, or someone else woke it).
    func wake(source: Int) -> Bool {
        claim(Waiter.wokenBase + UInt64(source))
    }

    /// Cancellation: ends this round and every later one.
    func interrupt() {
        state.bitwiseOr(Waiter.interruptPending, ordering: .relaxed)
        _ = claim(Waiter.interruptedCode)
    }

    /// Timeout: ends this round and every later one.
    func expire() {
        state.bitwiseOr(Waiter.expiredFlag, ordering: .relaxed)
        _ = claim(Waiter.timedOutCode)
    }

    private func claim(_ code: UInt64) -> Bool {
        var old = state.load(ordering: .relaxed)
        while old & Waiter.outcomeMask == 0 {
            let (done, seen) = state.compareExchange(
                expected: old, desired: (old | code) & ~Waiter.armed,
                successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed)
            if done {
                if old & Waiter.armed != 0 { continuation.unsafelyUnwrapped.resume(returning: old | code) }
                return true
            }
            old = seen
        }
        return false
    }

    /// Owner only, with no node of this waiter linked anywhere: starts a round. If an interrupt or
    /// expiry is pending, the round is over before it starts.
    func beginRound() {
        var old = state.load(ordering: .relaxed)
        while true {
            var new = old & (Waiter.interruptPending | Waiter.expiredFlag)
            if new & Waiter.interruptPending != 0 {
                new |= Waiter.interruptedCode
            } else if new & Waiter.expiredFlag != 0 {
                new |= Waiter.timedOutCode
            }
            let (done, seen) = state.compareExchange(
                expected: old, desired: new, successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed)
            if done { return }
            old = seen
        }
    }

    /// Owner only: sleeps until the round is claimed (returns at once if it already is).
    @inline(__always)
    func suspend() async {
        _ = await withUnsafeContinuation { (c: UnsafeContinuation<UInt64, Never>) in
            continuation = c
            var old = state.load(ordering: .relaxed)
            while old & Waiter.outcomeMask == 0 {
                let (done, seen) = state.compareExchange(
                    expected: old, desired: old | Waiter.armed,
                    successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed)
                if done { return }  // a claimer will resume us
                old = seen
            }
            c.resume(returning: old)  // claimed before we could sleep
        }
    }

    /// True once the current round has been claimed.
    var isClaimed: Bool { state.load(ordering: .acquiring) & Waiter.outcomeMask != 0 }

    /// How the current round ended (only meaningful once claimed).
    var outcome: WaitOutcome {
        let code = state.load(ordering: .acquiring) & Waiter.outcomeMask
        switch code {
        case Waiter.interruptedCode: return .interrupted
        case Waiter.timedOutCode: return .timedOut
        default: return .woken(source: Int(code - Waiter.wokenBase))
        }
    }
}

/// How one round of a wait ended.
enum WaitOutcome: Equatable {
    case woken(source: Int)
    case interrupted
    case timedOut
}
