// Time structures of the Linux arm64 user ABI (64-bit time everywhere: arm64 has no 32-bit time_t).
// Field names are the C names, so the layout test (tools/abi-layout.sh) can check every one.

/// `struct timespec` (= `struct __kernel_timespec` on arm64): 16 bytes.
public struct LinuxTimespec: Hashable, Sendable {
    public var tv_sec: Int64
    public var tv_nsec: Int64
    public init(tv_sec: Int64 = 0, tv_nsec: Int64 = 0) { self.tv_sec = tv_sec; self.tv_nsec = tv_nsec }
    /// From nanoseconds since an epoch.
    public init(nanoseconds: UInt64) {
        tv_sec = Int64(nanoseconds / 1_000_000_000)
        tv_nsec = Int64(nanoseconds % 1_000_000_000)
    }
    /// Whether tv_nsec is in [0, 1e9) and tv_sec is not negative: what nanosleep and friends require
    /// (EINVAL otherwise).
    public var isValid: Bool { tv_sec >= 0 && tv_nsec >= 0 && tv_nsec < 1_000_000_000 }
    /// Total nanoseconds, saturating; nil if invalid.
    public var nanoseconds: UInt64? {
        guard isValid else { return nil }
        let (s, o) = UInt64(tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
        if o { return UInt64.max }
        let (t, o2) = s.addingReportingOverflow(UInt64(tv_nsec))
        return o2 ? UInt64.max : t
    }
    /// The utimensat special values of tv_nsec (include/linux/stat.h, not in the UAPI headers).
    public static let UTIME_NOW: Int64 = (1 << 30) - 1
    public static let UTIME_OMIT: Int64 = (1 << 30) - 2
}

/// `struct timeval`: 16 bytes.
public struct LinuxTimeval: Hashable, Sendable {
    public var tv_sec: Int64
    public var tv_usec: Int64
    public init(tv_sec: Int64 = 0, tv_usec: Int64 = 0) { self.tv_sec = tv_sec; self.tv_usec = tv_usec }
    public init(nanoseconds: UInt64) {
        tv_sec = Int64(nanoseconds / 1_000_000_000)
        tv_usec = Int64(nanoseconds % 1_000_000_000 / 1000)
    }
    public var isValid: Bool { tv_sec >= 0 && tv_usec >= 0 && tv_usec < 1_000_000 }
}

/// `struct timezone`: 8 bytes (gettimeofday's obsolete second argument).
public struct LinuxTimezone: Hashable, Sendable {
    public var tz_minuteswest: Int32
    public var tz_dsttime: Int32
    public init(tz_minuteswest: Int32 = 0, tz_dsttime: Int32 = 0) {
        self.tz_minuteswest = tz_minuteswest; self.tz_dsttime = tz_dsttime
    }
}

/// `struct itimerval`: 32 bytes (setitimer/getitimer).
public struct LinuxItimerval: Hashable, Sendable {
    public var it_interval: LinuxTimeval
    public var it_value: LinuxTimeval
    public init(it_interval: LinuxTimeval = LinuxTimeval(), it_value: LinuxTimeval = LinuxTimeval()) {
        self.it_interval = it_interval; self.it_value = it_value
    }
}

/// `struct tms`: 32 bytes (times(2)), in clock ticks (USER_HZ = 100).
public struct LinuxTms: Hashable, Sendable {
    public var tms_utime: Int64
    public var tms_stime: Int64
    public var tms_cutime: Int64
    public var tms_cstime: Int64
    public init(tms_utime: Int64 = 0, tms_stime: Int64 = 0, tms_cutime: Int64 = 0, tms_cstime: Int64 = 0) {
        self.tms_utime = tms_utime; self.tms_stime = tms_stime
        self.tms_cutime = tms_cutime; self.tms_cstime = tms_cstime
    }
    /// USER_HZ: the unit of clock_t in the user ABI (AT_CLKTCK).
    public static let userHz: Int64 = 100
}

/// `struct itimerspec`: 32 bytes (timer_settime/timer_gettime).
public struct LinuxItimerspec: Hashable, Sendable {
    public var it_interval: LinuxTimespec
    public var it_value: LinuxTimespec
    public init(it_interval: LinuxTimespec = LinuxTimespec(), it_value: LinuxTimespec = LinuxTimespec()) {
        self.it_interval = it_interval; self.it_value = it_value
    }
}

/// `struct sigevent` (timer_create): 64 bytes; the value, signal, notification, then a union whose
/// first int is the target thread of SIGEV_THREAD_ID.
public struct LinuxSigevent: Hashable, Sendable {
    public var sigev_value: UInt64 = 0
    public var sigev_signo: Int32 = 0
    public var sigev_notify: Int32 = 0
    public var sigev_notify_thread_id: Int32 = 0
    public var __pad0: Int32 = 0
    public var __pad: (UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0)
    public init() {}
    public static func == (a: LinuxSigevent, b: LinuxSigevent) -> Bool {
        a.sigev_value == b.sigev_value && a.sigev_signo == b.sigev_signo && a.sigev_notify == b.sigev_notify
            && a.sigev_notify_thread_id == b.sigev_notify_thread_id
    }
    public func hash(into h: inout Hasher) { h.combine(sigev_value); h.combine(sigev_signo); h.combine(sigev_notify) }
    public static let SIGEV_SIGNAL: Int32 = 0, SIGEV_NONE: Int32 = 1, SIGEV_THREAD: Int32 = 2, SIGEV_THREAD_ID: Int32 = 4
}
