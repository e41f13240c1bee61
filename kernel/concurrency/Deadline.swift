import LichenCore

/// A point on the monotonic clock, in generic-timer counter ticks (the unit the comparator takes).
/// A deadline set on the wall clock (an absolute CLOCK_REALTIME wait) also keeps its wall-clock
/// time: when clock_settime moves the wall clock, the timer queue recomputes its ticks, so the wait
/// ends when the wall clock reaches it (Linux's clock_was_set), earlier or later than first computed.
struct Deadline: Comparable {
    var ticks: UInt64
    /// Nanoseconds since the epoch this deadline stands for, or 0 for a monotonic deadline.
    var realtime: UInt64 = 0

    static var now: Deadline { Deadline(ticks: Clock.ticks) }

    /// `nanoseconds` from now (saturating).
    static func after(nanoseconds: UInt64) -> Deadline {
        let (sum, overflow) = Clock.ticks.addingReportingOverflow(ticks(nanoseconds: nanoseconds))
        return Deadline(ticks: overflow ? UInt64.max : sum)
    }

    /// At `nanoseconds` of uptime (MonotonicClock.now).
    static func uptime(nanoseconds: UInt64) -> Deadline { Deadline(ticks: ticks(nanoseconds: nanoseconds)) }

    /// When the wall clock (RealtimeClock) reads `nanoseconds` since the epoch (at least 1).
    static func realtime(nanoseconds: UInt64) -> Deadline {
        var deadline = Deadline(ticks: 0, realtime: max(nanoseconds, 1))
        deadline.follow(realtimeBase: RealtimeClock.base)
        return deadline
    }

    /// Recomputes a wall-clock deadline's ticks for the wall clock's base (realtime at uptime 0),
    /// rounded up: the wall clock read when it fires is at or past `realtime`.
    mutating func follow(realtimeBase base: UInt64) {
        guard realtime != 0 else { return }
        ticks = realtime > base ? Deadline.ticks(nanoseconds: realtime - base) &+ 1 : 0
    }

    static func ticks(nanoseconds ns: UInt64) -> UInt64 {
        let f = Clock.frequency
        return (ns / 1_000_000_000) * f + (ns % 1_000_000_000) * f / 1_000_000_000
    }

    static func < (a: Deadline, b: Deadline) -> Bool { a.ticks < b.ticks }
    static func == (a: Deadline, b: Deadline) -> Bool { a.ticks == b.ticks }
}
