import LichenCore

/// A point on the monotonic clock, in generic-timer counter ticks (the unit the comparator takes).
struct Deadline: Comparable {
    var ticks: UInt64

    static var now: Deadline { Deadline(ticks: Clock.ticks) }

    /// `nanoseconds` from now (saturating).
    static func after(nanoseconds: UInt64) -> Deadline {
        let (sum, overflow) = Clock.ticks.addingReportingOverflow(ticks(nanoseconds: nanoseconds))
        return Deadline(ticks: overflow ? UInt64.max : sum)
    }

    /// At `nanoseconds` of uptime (MonotonicClock.now).
    static func uptime(nanoseconds: UInt64) -> Deadline { Deadline(ticks: ticks(nanoseconds: nanoseconds)) }

    static func ticks(nanoseconds ns: UInt64) -> UInt64 {
        let f = Clock.frequency
        return (ns / 1_000_000_000) * f + (ns % 1_000_000_000) * f / 1_000_000_000
    }

    static func < (a: Deadline, b: Deadline) -> Bool { a.ticks < b.ticks }
}
