/// A timerfd's timer, in nanoseconds of its clock (Linux's timerfd_ctx without the hrtimer): the
/// next expiry and the period. Expirations are counted from the clock when asked (read, poll,
/// gettime), so a periodic timer needs no interrupt per period; the kernel only arms a wake-up for
/// `next` while nobody has seen the expirations yet.
public struct TimerFdState: Sendable, Equatable {
    public private(set) var armed = false
    public private(set) var next: UInt64 = 0
    public private(set) var interval: UInt64 = 0
    /// The realtime clock was set under a TFD_TIMER_CANCEL_ON_SET timer: reads give ECANCELED once.
    public var cancelled = false

    public init() {}

    /// Expirations at `now` not read yet.
    public func expirations(at now: UInt64) -> UInt64 {
        guard armed, now >= next else { return 0 }
        return interval == 0 ? 1 : 1 + (now - next) / interval
    }

    /// read(): takes the expirations (nil while there are none); a one-shot timer is disarmed, a
    /// periodic one moves to its first expiry after `now`.
    public mutating func take(at now: UInt64) -> UInt64? {
        let n = expirations(at: now)
        guard n > 0 else { return nil }
        if interval == 0 {
            armed = false
        } else {
            let (step, overflow) = n.multipliedReportingOverflow(by: interval)
            let (sum, overflow2) = next.addingReportingOverflow(step)
            next = overflow || overflow2 ? UInt64.max : sum
        }
        return n
    }

    /// timerfd_gettime: the time to the next expiry (0 when disarmed or a one-shot expiry is
    /// unread) and the period.
    public func remaining(at now: UInt64) -> (value: UInt64, interval: UInt64) {
        guard armed else { return (0, interval) }
        if now < next { return (next - now, interval) }
        if interval == 0 { return (0, 0) }
        return (interval - (now - next) % interval, interval)
    }

    /// timerfd_settime: value 0 disarms; else the first expiry is `value` (absolute) or `now + value`.
    /// Unread expirations are dropped. Returns the old setting, as `remaining`.
    public mutating func set(value: UInt64, interval: UInt64, absolute: Bool, at now: UInt64)
        -> (value: UInt64, interval: UInt64)
    {
        let old = remaining(at: now)
        cancelled = false
        self.interval = interval
        armed = value != 0
        if armed {
            let (sum, overflow) = now.addingReportingOverflow(value)
            next = absolute ? value : (overflow ? UInt64.max : sum)
        } else {
            self.interval = 0
        }
        return old
    }
}
