import LichenCore

/// timerfd_create, timerfd_settime, timerfd_gettime over `TimerFD`. CLOCK_BOOTTIME is the
/// monotonic clock (nothing suspends here); the *_ALARM clocks are their base clocks for the
/// holders of CAP_WAKE_ALARM (there is no suspend to wake from) and EPERM for others, as Linux.
enum TimerFdSyscalls {
    static let TFD_CLOEXEC: UInt64 = 0o2000000, TFD_NONBLOCK: UInt64 = 0o4000
    static let CLOCK_REALTIME_ALARM: Int32 = 8, CLOCK_BOOTTIME_ALARM: Int32 = 9

    static func timerfd_create(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), flags = a.int32(1)
        let realtime: Bool
        switch clock {
        case TimeSyscalls.CLOCK_REALTIME, CLOCK_REALTIME_ALARM: realtime = true
        case TimeSyscalls.CLOCK_MONOTONIC, TimeSyscalls.CLOCK_BOOTTIME, CLOCK_BOOTTIME_ALARM: realtime = false
        default: throw .EINVAL
        }
        let f = UInt64(UInt32(bitPattern: flags))
        guard f & ~(TFD_CLOEXEC | TFD_NONBLOCK) == 0 else { throw .EINVAL }
        if (clock == CLOCK_REALTIME_ALARM || clock == CLOCK_BOOTTIME_ALARM) && !a.credentials.has(.CAP_WAKE_ALARM) { throw .EPERM }
        return try EventFdSyscalls.install(a, TimerFD(realtime: realtime, clockID: clock), nonBlocking: f & TFD_NONBLOCK != 0,
                                           closeOnExec: f & TFD_CLOEXEC != 0)
    }

    static func timer(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> TimerFD {
        guard let t = try a.process.file(fd).operations as? TimerFD else { throw .EINVAL }
        return t
    }

    /// timerfd_settime(fd, flags, new, old): the new value is read first, the old one stored last.
    static func timerfd_settime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), flags = a.int32(1), newValue = a.address(2), oldValue = a.address(3)
        let spec = try a.user.load(LinuxItimerspec.self, from: newValue)
        guard flags & ~(TimerFD.TFD_TIMER_ABSTIME | TimerFD.TFD_TIMER_CANCEL_ON_SET) == 0,
              let new = TimeValues.itimer(spec) else { throw .EINVAL }
        let t = try timer(a, fd)
        let old = t.set(value: new.value, interval: new.interval, flags: flags)
        if oldValue.value != 0 { try a.user.store(TimeValues.itimerspec(value: old.value, interval: old.interval), to: oldValue) }
        return 0
    }

    static func timerfd_gettime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), current = a.address(1)
        let v = try timer(a, fd).get()
        try a.user.store(TimeValues.itimerspec(value: v.value, interval: v.interval), to: current)
        return 0
    }
}
