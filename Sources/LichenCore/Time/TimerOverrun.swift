/// A POSIX timer's overrun count, as Linux keeps it: a timer whose signal is still queued gets no
/// second one; its expirations meanwhile, and those up to the signal's delivery, are that signal's
/// overruns (si_overrun), which timer_getoverrun then reports until the next delivery. Counts
/// saturate at DELAYTIMER_MAX (INT_MAX), as Linux's timer_overrun_to_int does.
public struct TimerOverrun: Hashable, Sendable {
    public static let delayTimerMax = Int32.max

    /// Expirations since the last delivery that got no signal of their own (Linux's it_overrun).
    public private(set) var missed: UInt64 = 0
    /// The delivered signal's count (Linux's it_overrun_last): what timer_getoverrun returns.
    public private(set) var last: Int32 = 0

    public init() {}

    /// timer_settime: counting starts over; `missed` expirations (of an absolute expiry set in the
    /// past) already count.
    public mutating func reset(missed: UInt64 = 0) {
        self.missed = missed
        last = 0
    }

    /// `expirations` (> 0) happened at one firing; returns whether to queue a signal (none while
    /// the timer's previous signal is still queued).
    public mutating func fired(_ expirations: UInt64, signalQueued: Bool) -> Bool {
        let own: UInt64 = signalQueued ? 0 : 1
        missed = Self.saturatingAdd(missed, expirations - own)
        return !signalQueued
    }

    /// The timer's signal is being delivered, `expirations` more having passed since the firing
    /// that queued it: returns its si_overrun.
    public mutating func delivered(_ expirations: UInt64) -> Int32 {
        let total = Self.saturatingAdd(missed, expirations)
        last = total > UInt64(Self.delayTimerMax) ? Self.delayTimerMax : Int32(total)
        missed = 0
        return last
    }

    static func saturatingAdd(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? .max : sum
    }
}
