/// One interval timer (setitimer's three, a POSIX timer) on some clock, in nanoseconds of that clock:
/// wall-clock uptime for ITIMER_REAL, the process's CPU time for ITIMER_VIRTUAL and ITIMER_PROF.
/// The caller supplies `now`; this only does the arithmetic, so it is host-tested.
public struct IntervalTimer: Hashable, Sendable {
    /// When it fires next, on its clock; 0 = disarmed (like Linux's it->expires).
    public private(set) var expiry: UInt64 = 0
    /// The period after a firing; 0 = one-shot.
    public private(set) var interval: UInt64 = 0

    public init() {}

    public var isArmed: Bool { expiry != 0 }

    /// Arms it to fire `value` from `now` (or at `value` when `absolute`), then every `interval`;
    /// a zero value disarms it. Returns the previous setting as `current(now:)` saw it.
    @discardableResult
    public mutating func set(value: UInt64, interval: UInt64, now: UInt64, absolute: Bool = false) -> (value: UInt64, interval: UInt64) {
        let old = current(now: now)
        if value == 0 {
            expiry = 0
        } else if absolute {
            expiry = max(value, 1)
        } else {
            let (sum, overflow) = now.addingReportingOverflow(value)
            expiry = overflow ? UInt64.max : max(sum, 1)
        }
        self.interval = interval
        return old
    }

    /// What getitimer reports: the time left (at least `minimum` while armed: Linux shows a timer
    /// that is due but not yet handled as still pending) and the interval.
    public func current(now: UInt64, minimum: UInt64 = 1) -> (value: UInt64, interval: UInt64) {
        guard isArmed else { return (0, interval) }
        return (expiry > now ? max(expiry - now, minimum) : minimum, interval)
    }

    /// At `now`: how many times it has fired since last asked (0: not due), and it moves on to its
    /// next period after `now` (overruns are the extra periods) or disarms when one-shot.
    public mutating func expire(now: UInt64) -> UInt64 {
        guard isArmed, now >= expiry else { return 0 }
        guard interval > 0 else { expiry = 0; return 1 }
        let periods = (now - expiry) / interval + 1
        let (advance, o1) = periods.multipliedReportingOverflow(by: interval)
        let (next, o2) = expiry.addingReportingOverflow(advance)
        expiry = (o1 || o2) ? UInt64.max : next
        return periods
    }
}
