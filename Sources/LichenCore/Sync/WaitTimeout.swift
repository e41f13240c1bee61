/// A deadline for a blocking wait. The primitives know nothing of clocks: the kernel's timer queue
/// (or a test) builds a `WaitTimeout` whose `arm` closure schedules `expiry.expire()` for the
/// deadline and returns a closure that cancels it, e.g.
///
///     extension WaitTimeout {
///         static func after(_ ticks: UInt64) -> WaitTimeout {
///             WaitTimeout { expiry in
///                 let timer = timerQueue.add(deadline: now + ticks) { expiry.expire() }
///                 return { timerQueue.remove(timer) }
///             }
///         }
///     }
///
/// A wait arms its timeout only when it is about to sleep (never on its fast path) and always
/// disarms it before returning. `arm` may call `expire()` at once (deadline already past);
/// `expire()` may be called from any context, including an interrupt handler, and is harmless once
/// the wait is over. An expired wait throws `WaitError.timedOut` (unless its condition became true).
public struct WaitTimeout: Sendable {
    let arm: @Sendable (WaitExpiry) -> @Sendable () -> Void

    /// `arm(expiry)` schedules `expiry.expire()` and returns the closure that unschedules it.
    public init(arm: @escaping @Sendable (_ expiry: WaitExpiry) -> @Sendable () -> Void) {
        self.arm = arm
    }

    /// Already expired: the wait still checks its condition once but never sleeps ("try").
    public static var immediate: WaitTimeout {
        WaitTimeout { expiry in
            expiry.expire()
            return {}
        }
    }
}

/// Ends one armed wait with `WaitError.timedOut`.
public struct WaitExpiry: Sendable {
    let waiter: Waiter

    /// Wakes the wait with a timeout, if it is still waiting. Interrupt-safe, never allocates.
    public func expire() {
        waiter.expire()
    }
}
