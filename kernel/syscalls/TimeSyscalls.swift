import LichenCore
import _Concurrency

/// Clocks, sleeps, CPU-time accounting (times, getrusage, CPU clocks) and interval timers
/// (setitimer; timer_create and friends: PosixTimerSyscalls).
enum TimeSyscalls {
    /// Clock ids (CPU clocks, including the negative ids of other processes and threads: CPUClockID).
    static let CLOCK_REALTIME: Int32 = 0, CLOCK_MONOTONIC: Int32 = 1
    static let CLOCK_PROCESS_CPUTIME_ID: Int32 = 2, CLOCK_THREAD_CPUTIME_ID: Int32 = 3
    static let CLOCK_MONOTONIC_RAW: Int32 = 4, CLOCK_REALTIME_COARSE: Int32 = 5, CLOCK_MONOTONIC_COARSE: Int32 = 6
    static let CLOCK_BOOTTIME: Int32 = 7
    /// clock_nanosleep and timer_settime flag: the time is absolute.
    static let TIMER_ABSTIME: Int32 = 1

    /// Only CLOCK_REALTIME can be set (EINVAL for the others, as Linux), by the superuser
    /// (CAP_SYS_TIME), to a time from the epoch on.
    static func setRealtime(_ a: SyscallArguments, clock: Int32, seconds: Int64, nanoseconds: Int64) throws(Errno) {
        _ = try resolution(clock: clock, a)                     // EINVAL for unknown clocks
        guard clock == CLOCK_REALTIME else { throw .EINVAL }
        guard a.credentials.has(.CAP_SYS_TIME) else { throw .EPERM }
        guard nanoseconds >= 0 && nanoseconds < 1_000_000_000, seconds >= 0, seconds < Int64(UInt64.max / 2_000_000_000) else { throw .EINVAL }
        RealtimeClock.set(nanoseconds: UInt64(seconds) * 1_000_000_000 + UInt64(nanoseconds))
        TimerFD.realtimeWasSet()                                // TFD_TIMER_CANCEL_ON_SET timers
    }

    static func clock_gettime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), time = a.address(1)
        try a.user.store(LinuxTimespec(nanoseconds: try now(clock: clock, a)), to: time)
        return 0
    }

    static func gettimeofday(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let time = a.address(0), zone = a.address(1)
        if time.value != 0 { try a.user.store(LinuxTimeval(nanoseconds: RealtimeClock.now), to: time) }
        if zone.value != 0 { try a.user.store(LinuxTimezone(), to: zone) }
        return 0
    }

    static func clock_getres(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), res = a.address(1)
        let resolution = try resolution(clock: clock, a)
        if res.value != 0 { try a.user.store(LinuxTimespec(nanoseconds: resolution), to: res) }
        return 0
    }

    static func clock_settime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), time = a.address(1)
        let t = try a.user.load(LinuxTimespec.self, from: time)
        try setRealtime(a, clock: clock, seconds: t.tv_sec, nanoseconds: t.tv_nsec)
        return 0
    }

    /// The timezone is ignored, as in Linux (only checked for readability and privilege).
    static func settimeofday(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let time = a.address(0), zone = a.address(1)
        if time.value != 0 {
            let t = try a.user.load(LinuxTimeval.self, from: time)
            guard t.tv_usec >= 0 && t.tv_usec < 1_000_000 else { throw .EINVAL }
            try setRealtime(a, clock: CLOCK_REALTIME, seconds: t.tv_sec, nanoseconds: t.tv_usec * 1000)
        } else if zone.value != 0 {
            _ = try a.user.load(LinuxTimezone.self, from: zone)
            guard a.credentials.has(.CAP_SYS_TIME) else { throw .EPERM }
        }
        return 0
    }

    static func nanosleep(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let request = a.address(0), remaining = a.address(1)
        return try await sleep(a, request: request, remaining: remaining, absolute: false, clock: CLOCK_MONOTONIC)
    }

    static func clock_nanosleep(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let clock = a.int32(0), flags = a.int32(1), request = a.address(2), remaining = a.address(3)
        return try await sleep(a, request: request, remaining: remaining, absolute: flags & TIMER_ABSTIME != 0, clock: clock)
    }

    static func times(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let buffer = a.address(0)
        if buffer.value != 0 {
            let own = a.process.time.usage(of: a.process, current: a.thread)
            try a.user.store(ResourceUsage.tms(own: own, children: a.process.time.childrenUsage), to: buffer)
        }
        return result(TimeValues.clockTicks(MonotonicClock.now))
    }

    static func getrusage(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let who = a.int32(0), buffer = a.address(1)
        let usage: ResourceUsage
        switch who {
        case LinuxResource.RUSAGE_SELF: usage = a.process.time.usage(of: a.process, current: a.thread)
        case LinuxResource.RUSAGE_CHILDREN: usage = a.process.time.childrenUsage
        case LinuxResource.RUSAGE_THREAD: usage = a.thread.cpu.usage(current: true)
        default: throw .EINVAL
        }
        try a.user.store(usage.rusage, to: buffer)
        return 0
    }

    static func getitimer(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let whichValue = a.int32(0), current = a.address(1)
        guard let which = ProcessTime.Which(rawValue: whichValue) else { throw .EINVAL }
        let v = a.process.time.get(which, thread: a.thread)
        try a.user.store(TimeValues.itimerval(value: v.value, interval: v.interval), to: current)
        return 0
    }

    /// Linux reads and checks the new value before `which`; a NULL new value disarms.
    static func setitimer(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let whichValue = a.int32(0), newValue = a.address(1), oldValue = a.address(2)
        var new = (value: UInt64(0), interval: UInt64(0))
        if newValue.value != 0 {
            guard let v = TimeValues.itimer(try a.user.load(LinuxItimerval.self, from: newValue)) else { throw .EINVAL }
            new = v
        }
        guard let which = ProcessTime.Which(rawValue: whichValue) else { throw .EINVAL }
        let old = a.process.time.set(which, value: new.value, interval: new.interval, thread: a.thread)
        if oldValue.value != 0 { try a.user.store(TimeValues.itimerval(value: old.value, interval: old.interval), to: oldValue) }
        return 0
    }

    /// The clock's reading in nanoseconds (EINVAL for an unknown clock).
    static func now(clock: Int32, _ a: SyscallArguments) throws(Errno) -> UInt64 {
        switch clock {
        case CLOCK_REALTIME, CLOCK_REALTIME_COARSE: return RealtimeClock.now
        case CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_MONOTONIC_COARSE, CLOCK_BOOTTIME: return MonotonicClock.now
        default:
            guard let id = CPUClockID(clock) else { throw .EINVAL }
            return id.reading(try cpuUsage(id, a))
        }
    }

    static func resolution(clock: Int32, _ a: SyscallArguments) throws(Errno) -> UInt64 {
        switch clock {
        case CLOCK_REALTIME, CLOCK_MONOTONIC, CLOCK_MONOTONIC_RAW, CLOCK_BOOTTIME: return 1
        case CLOCK_REALTIME_COARSE, CLOCK_MONOTONIC_COARSE: return 4_000_000   // a tick (Linux's HZ=250)
        default:
            guard let id = CPUClockID(clock) else { throw .EINVAL }
            _ = try cpuUsage(id, a)
            return id.kind == .sched ? 1 : 4_000_000
        }
    }

    /// The usage a CPU clock reads: a process (any; 0 = the caller's) or a thread of the caller's
    /// process (as Linux requires). EINVAL when there is no such process or thread.
    static func cpuUsage(_ id: CPUClockID, _ a: SyscallArguments) throws(Errno) -> ResourceUsage {
        if id.perThread {
            if id.id == 0 || id.id == a.thread.tid { return a.thread.cpu.usage(current: true) }
            guard let t = a.process.thread(id.id) else { throw .EINVAL }
            return t.cpu.usage(current: false)
        }
        if id.id == 0 || id.id == a.process.pid { return a.process.time.usage(of: a.process, current: a.thread) }
        guard let p = Processes.process(id.id) else { throw .EINVAL }
        return p.time.usage(of: p, current: nil)
    }

    static func sleep(_ a: SyscallArguments, request: UserAddr, remaining: UserAddr, absolute: Bool, clock: Int32) async throws(Errno) -> UInt64 {
        let t = try a.user.load(LinuxTimespec.self, from: request)
        guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
        var ns = UInt64(t.tv_sec) &* 1_000_000_000 &+ UInt64(t.tv_nsec)
        let deadline: Deadline
        if absolute && clock == CLOCK_REALTIME {
            deadline = .realtime(nanoseconds: ns)       // follows clock_settime
        } else {
            if absolute { let now = MonotonicClock.now; ns = ns > now ? ns - now : 0 }
            deadline = .after(nanoseconds: ns)
        }
        let start = MonotonicClock.now
        if await Kernel.sleep(until: deadline) == .cancelled {
            if !absolute && remaining.value != 0 {
                let left = ns - min(ns, MonotonicClock.now - start)
                try a.user.store(LinuxTimespec(nanoseconds: left), to: remaining)
            }
            throw .EINTR
        }
        return 0
    }
}
