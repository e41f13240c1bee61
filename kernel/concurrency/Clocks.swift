import LichenCore

/// Nanoseconds since power-on, from the generic timer's counter (never goes back, same on every CPU).
enum MonotonicClock {
    static var now: UInt64 { Clock.uptime }
}

/// Wall-clock time: the PL031 RTC's seconds at boot plus monotonic time since, until clock_settime
/// or settimeofday sets it. (The RTC counts whole seconds, so until then the wall clock is exact to
/// within a second.)
enum RealtimeClock {
    /// Realtime nanoseconds at uptime 0; one aligned 64-bit word, so readers on other CPUs see either
    /// the old or the new value.
    nonisolated(unsafe) private(set) static var base: UInt64 = 0
    nonisolated(unsafe) private(set) static var available = false

    /// Reads the RTC once.
    static func start(rtc: PL031?) {
        guard let rtc else {
            KernelLog.warning("clock: no PL031 RTC; the wall clock starts at the epoch")
            return
        }
        base = UInt64(rtc.secondsSinceEpoch) * 1_000_000_000 &- MonotonicClock.now
        available = true
        Vdso.publish(realtimeBase: base)
    }

    /// Nanoseconds since 1970-01-01 UTC.
    static var now: UInt64 { base &+ MonotonicClock.now }

    /// clock_settime(CLOCK_REALTIME), settimeofday. The vDSO's data page gets the new base too.
    static func set(nanoseconds: UInt64) {
        lastSet.withLock { lastSet in
            lastSet = nanoseconds &- MonotonicClock.now
            base = lastSet
            Vdso.publish(realtimeBase: lastSet)
        }
        TimerQueue.clockWasSet()
    }
    /// The base as last set. Setters change it under its lock together with the two copies readers
    /// use without a lock (`base`, the vDSO's data page), so concurrent setters leave all three equal.
    private static let lastSet = SpinLock<UInt64>(0)
}
