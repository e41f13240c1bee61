import LichenCore
import _Concurrency

/// Clocks, sleeps, CPU-time accounting (times, getrusage, CPU clocks) and timers (setitimer,
/// timer_create and friends).
enum TimeSyscalls {
    /// Only CLOCK_REALTIME can be set (EINVAL for the others, as Linux), by the superuser
    /// (CAP_SYS_TIME), to a time from the epoch on.
    static func setRealtime(_ a: SyscallArguments, clock: Int32, seconds: Int64, nanoseconds: Int64) throws(Errno) {
        _ = try resolution(clock: clock, a)                     // EINVAL for unknown clocks
        guard clock == 0 else { throw .EINVAL }
        guard a.process.credentials.euid == 0 else { throw .EPERM }
        guard nanoseconds >= 0 && nanoseconds < 1_000_000_000, seconds >= 0, seconds < Int64(UInt64.max / 2_000_000_000) else { throw .EINVAL }
        RealtimeClock.set(nanoseconds: UInt64(seconds) * 1_000_000_000 + UInt64(nanoseconds))
    }

    static func clock_gettime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), time = a.address(1)
        try a.user.store(LinuxTimespec(nanoseconds: try now(clock: clock, a)), to: time)
        return 0
    }

    static func gettimeofday(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        if a[0] != 0 { try a.user.store(LinuxTimeval(nanoseconds: RealtimeClock.now), to: a.address(0)) }
        if a[1] != 0 { try a.user.store(LinuxTimezone(), to: a.address(1)) }
        return 0
    }

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 114:                                               // clock_getres
            let resolution = try resolution(clock: a.int32(0), a)
            if a[1] != 0 { try a.user.store(LinuxTimespec(nanoseconds: resolution), to: a.address(1)) }
            return 0
        case 112:                                               // clock_settime
            let t = try a.user.load(LinuxTimespec.self, from: a.address(1))
            try setRealtime(a, clock: a.int32(0), seconds: t.tv_sec, nanoseconds: t.tv_nsec)
            return 0
        case 170:                                               // settimeofday (the timezone is ignored, as in Linux)
            if a[0] != 0 {
                let t = try a.user.load(LinuxTimeval.self, from: a.address(0))
                guard t.tv_usec >= 0 && t.tv_usec < 1_000_000 else { throw .EINVAL }
                try setRealtime(a, clock: 0, seconds: t.tv_sec, nanoseconds: t.tv_usec * 1000)
            } else if a[1] != 0 {
                _ = try a.user.load(LinuxTimezone.self, from: a.address(1))
                guard a.process.credentials.euid == 0 else { throw .EPERM }
            }
            return 0
        case 101:                                               // nanosleep
            return try await sleep(a, request: a.address(0), remaining: a.address(1), absolute: false, clock: 1)
        case 115:                                               // clock_nanosleep
            return try await sleep(a, request: a.address(2), remaining: a.address(3), absolute: a[1] & 1 != 0, clock: a.int32(0))
        case 153:                                               // times
            if a[0] != 0 {
                let own = a.process.time.usage(of: a.process, current: a.thread)
                try a.user.store(ResourceUsage.tms(own: own, children: a.process.time.childrenUsage), to: a.address(0))
            }
            return result(TimeValues.clockTicks(MonotonicClock.now))
        case 165:                                               // getrusage
            let usage: ResourceUsage
            switch a.int32(0) {
            case LinuxResource.RUSAGE_SELF: usage = a.process.time.usage(of: a.process, current: a.thread)
            case LinuxResource.RUSAGE_CHILDREN: usage = a.process.time.childrenUsage
            case LinuxResource.RUSAGE_THREAD: usage = a.thread.cpu.usage(current: true)
            default: throw .EINVAL
            }
            try a.user.store(usage.rusage, to: a.address(1))
            return 0
        case 102:                                               // getitimer
            guard let which = ProcessTime.Which(rawValue: a.int32(0)) else { throw .EINVAL }
            let v = a.process.time.get(which, thread: a.thread)
            try a.user.store(TimeValues.itimerval(value: v.value, interval: v.interval), to: a.address(1))
            return 0
        case 103:                                               // setitimer
            // Linux: the new value is read and checked first; NULL means "disarm".
            var new = (value: UInt64(0), interval: UInt64(0))
            if a[1] != 0 {
                guard let v = TimeValues.itimer(try a.user.load(LinuxItimerval.self, from: a.address(1))) else { throw .EINVAL }
                new = v
            }
            guard let which = ProcessTime.Which(rawValue: a.int32(0)) else { throw .EINVAL }
            let old = a.process.time.set(which, value: new.value, interval: new.interval, thread: a.thread)
            if a[2] != 0 { try a.user.store(TimeValues.itimerval(value: old.value, interval: old.interval), to: a.address(2)) }
            return 0
        case 107...111: return try PosixTimerSyscalls.handle(number, a)
        default: return nil
        }
    }

    /// The clock's reading in nanoseconds (EINVAL for an unknown clock).
    static func now(clock: Int32, _ a: SyscallArguments) throws(Errno) -> UInt64 {
        switch clock {
        case 0, 5: return RealtimeClock.now                   // CLOCK_REALTIME(_COARSE)
        case 1, 4, 6, 7: return MonotonicClock.now            // MONOTONIC, _RAW, _COARSE, BOOTTIME
        default:
            guard let id = CPUClockID(clock) else { throw .EINVAL }
            return id.reading(try cpuUsage(id, a))
        }
    }

    static func resolution(clock: Int32, _ a: SyscallArguments) throws(Errno) -> UInt64 {
        switch clock {
        case 0, 1, 4, 7: return 1
        case 5, 6: return 4_000_000                            // the coarse clocks: a tick (Linux's HZ=250)
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
            guard let t = a.process.threads.first(where: { $0.tid == id.id }) else { throw .EINVAL }
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
        if absolute {
            let now = (clock == 0 ? RealtimeClock.now : MonotonicClock.now)
            ns = ns > now ? ns - now : 0
        }
        let start = MonotonicClock.now
        if await Kernel.sleep(for: ns) == .cancelled {
            if !absolute && remaining.value != 0 {
                let left = ns - min(ns, MonotonicClock.now - start)
                try a.user.store(LinuxTimespec(nanoseconds: left), to: remaining)
            }
            throw .EINTR
        }
        return 0
    }
}
