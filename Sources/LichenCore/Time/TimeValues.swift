/// Conversions between nanoseconds and the user ABI's time structures, with Linux's validation.
public enum TimeValues {
    public static let nanosecondsPerSecond: UInt64 = 1_000_000_000

    /// A timeval as nanoseconds (saturating); nil when Linux's timeval_valid rejects it (EINVAL):
    /// negative seconds, or microseconds outside [0, 1e6).
    public static func nanoseconds(_ t: LinuxTimeval) -> UInt64? {
        guard t.isValid else { return nil }
        let (s, o) = UInt64(t.tv_sec).multipliedReportingOverflow(by: nanosecondsPerSecond)
        if o { return UInt64.max }
        let (sum, o2) = s.addingReportingOverflow(UInt64(t.tv_usec) * 1000)
        return o2 ? UInt64.max : sum
    }

    /// setitimer's argument: (value, interval) in nanoseconds, nil if either timeval is invalid.
    public static func itimer(_ v: LinuxItimerval) -> (value: UInt64, interval: UInt64)? {
        guard let value = nanoseconds(v.it_value), let interval = nanoseconds(v.it_interval) else { return nil }
        return (value, interval)
    }

    /// timer_settime's argument, nil if either timespec is invalid.
    public static func itimer(_ v: LinuxItimerspec) -> (value: UInt64, interval: UInt64)? {
        guard let value = v.it_value.nanoseconds, let interval = v.it_interval.nanoseconds else { return nil }
        return (value, interval)
    }

    /// getitimer's answer (microseconds truncated, as Linux's ns_to_kernel_old_timeval does).
    public static func itimerval(value: UInt64, interval: UInt64) -> LinuxItimerval {
        LinuxItimerval(it_interval: LinuxTimeval(nanoseconds: interval), it_value: LinuxTimeval(nanoseconds: value))
    }

    public static func itimerspec(value: UInt64, interval: UInt64) -> LinuxItimerspec {
        LinuxItimerspec(it_interval: LinuxTimespec(nanoseconds: interval), it_value: LinuxTimespec(nanoseconds: value))
    }

    /// clock_t in USER_HZ ticks (times(2), /proc/<pid>/stat), truncated like nsec_to_clock_t.
    public static func clockTicks(_ ns: UInt64) -> Int64 {
        Int64(ns / (nanosecondsPerSecond / UInt64(LinuxTms.userHz)))
    }
}
