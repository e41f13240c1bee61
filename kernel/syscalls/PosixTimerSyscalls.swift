import LichenCore

/// timer_create, timer_gettime, timer_getoverrun, timer_settime, timer_delete: SIGEV_SIGNAL,
/// SIGEV_NONE and SIGEV_THREAD_ID on the wall and monotonic clocks and on the caller's own CPU-time
/// clocks. The timers themselves are in kernel/process/PosixTimers.swift.
enum PosixTimerSyscalls {
    /// Without a sigevent: SIGEV_SIGNAL with SIGALRM (and the timer id as the value).
    static func timer_create(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let clock = a.int32(0), event = a.address(1), timerID = a.address(2)
        let time = a.process.time
        let cpuClock = try timerCPUClock(clock, a)
        var notify = LinuxSigevent.SIGEV_SIGNAL, signo = Signal.SIGALRM.number
        var value: UInt64? = nil
        var threadIndex: Int? = nil
        if event.value != 0 {
            let ev = try a.user.load(LinuxSigevent.self, from: event)
            notify = ev.sigev_notify
            signo = ev.sigev_signo
            value = ev.sigev_value
            switch notify {
            case LinuxSigevent.SIGEV_NONE: break
            case LinuxSigevent.SIGEV_SIGNAL, LinuxSigevent.SIGEV_THREAD_ID:
                guard signo >= 1 && signo <= 64 else { throw .EINVAL }
                if notify == LinuxSigevent.SIGEV_THREAD_ID {
                    guard let t = a.process.thread(ev.sigev_notify_thread_id) else { throw .EINVAL }
                    threadIndex = t.index
                }
            default: throw .EINVAL
            }
        }
        let limit = a.process.limits.withLock { $0[LinuxResource.RLIMIT_SIGPENDING].rlim_cur }
        let id = try time.createTimer(clock: clock, cpuClock: cpuClock, notify: notify, signo: signo, value: value,
                                      threadIndex: threadIndex, limit: limit)
        do throws(Errno) {
            try a.user.store(id, to: timerID)
        } catch {
            try? time.deleteTimer(id)                           // as Linux: no timer the caller cannot name
            throw error
        }
        return 0
    }

    static func timer_gettime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let timer = a.int32(0), current = a.address(1)
        let v = try a.process.time.getTimer(timer, process: a.process, thread: a.thread)
        try a.user.store(TimeValues.itimerspec(value: v.value, interval: v.interval), to: current)
        return 0
    }

    static func timer_getoverrun(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let timer = a.int32(0)
        return UInt64(try a.process.time.timerOverrun(timer))
    }

    static func timer_settime(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let timer = a.int32(0), flags = a.int32(1), newValue = a.address(2), oldValue = a.address(3)
        let spec = try a.user.load(LinuxItimerspec.self, from: newValue)
        guard let new = TimeValues.itimer(spec) else { throw .EINVAL }
        let old = try a.process.time.setTimer(timer, value: new.value, interval: new.interval, absolute: flags & TimeSyscalls.TIMER_ABSTIME != 0,
                                              process: a.process, thread: a.thread)
        if oldValue.value != 0 { try a.user.store(TimeValues.itimerspec(value: old.value, interval: old.interval), to: oldValue) }
        return 0
    }

    static func timer_delete(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let timer = a.int32(0)
        try a.process.time.deleteTimer(timer)
        return 0
    }

    private static let otherProcessClock = ReportOnce(count: 1)

    /// timer_create's clock: nil for the wall clocks, else the CPU clock it names (a thread clock's id
    /// resolved to the tid). Only the caller's own process and threads: a thread of another process
    /// is EINVAL as on Linux; another process's clock (which Linux allows) is EOPNOTSUPP, logged once.
    static func timerCPUClock(_ clock: Int32, _ a: SyscallArguments) throws(Errno) -> CPUClockID? {
        if clock == TimeSyscalls.CLOCK_REALTIME || clock == TimeSyscalls.CLOCK_MONOTONIC || clock == TimeSyscalls.CLOCK_BOOTTIME { return nil }
        guard var c = CPUClockID(clock) else { throw .EINVAL }
        if c.perThread {
            if c.id == 0 { c.id = a.thread.tid }
            guard a.process.thread(c.id) != nil else { throw .EINVAL }
        } else if c.id != 0 && c.id != a.process.pid {
            guard Processes.process(c.id) != nil else { throw .EINVAL }
            if otherProcessClock.first(0) { KernelLog.warning("timer_create: timers on another process's CPU clock are not implemented: EOPNOTSUPP") }
            throw .EOPNOTSUPP
        }
        return c
    }
}
