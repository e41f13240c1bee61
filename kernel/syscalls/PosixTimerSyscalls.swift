import LichenCore

/// timer_create (107), timer_gettime (108), timer_getoverrun (109), timer_settime (110),
/// timer_delete (111): SIGEV_SIGNAL, SIGEV_NONE and SIGEV_THREAD_ID on the wall and monotonic clocks
/// and on the caller's own CPU-time clocks.
enum PosixTimerSyscalls {
    static func handle(_ number: UInt64, _ a: SyscallArguments) throws(Errno) -> UInt64? {
        let time = a.process.time
        switch number {
        case 107:
            let clock = a.int32(0)
            let cpuClock = try timerCPUClock(clock, a)
            var notify = LinuxSigevent.SIGEV_SIGNAL, signo = Signal.SIGALRM.number
            var value: UInt64? = nil
            var threadIndex: Int? = nil
            if a[1] != 0 {
                let ev = try a.user.load(LinuxSigevent.self, from: a.address(1))
                notify = ev.sigev_notify
                signo = ev.sigev_signo
                value = ev.sigev_value
                switch notify {
                case LinuxSigevent.SIGEV_NONE: break
                case LinuxSigevent.SIGEV_SIGNAL, LinuxSigevent.SIGEV_THREAD_ID:
                    guard signo >= 1 && signo <= 64 else { throw .EINVAL }
                    if notify == LinuxSigevent.SIGEV_THREAD_ID {
                        guard let t = a.process.threads.first(where: { $0.tid == ev.sigev_notify_thread_id }) else { throw .EINVAL }
                        threadIndex = t.index
                    }
                default: throw .EINVAL
                }
            }
            let id = try time.createTimer(clock: clock, cpuClock: cpuClock, notify: notify, signo: signo, value: value, threadIndex: threadIndex)
            do throws(Errno) {
                try a.user.store(id, to: a.address(2))
            } catch {
                try? time.deleteTimer(id)
                throw error
            }
            return 0
        case 108:
            let v = try time.getTimer(a.int32(0), process: a.process, thread: a.thread)
            try a.user.store(TimeValues.itimerspec(value: v.value, interval: v.interval), to: a.address(1))
            return 0
        case 109: return UInt64(try time.timerOverrun(a.int32(0)))
        case 110:
            let flags = a.int32(1)
            let spec = try a.user.load(LinuxItimerspec.self, from: a.address(2))
            guard let new = TimeValues.itimer(spec) else { throw .EINVAL }
            let old = try time.setTimer(a.int32(0), value: new.value, interval: new.interval, absolute: flags & 1 != 0, process: a.process, thread: a.thread)
            if a[3] != 0 { try a.user.store(TimeValues.itimerspec(value: old.value, interval: old.interval), to: a.address(3)) }
            return 0
        case 111:
            try time.deleteTimer(a.int32(0))
            return 0
        default: return nil
        }
    }

    private static let otherProcessClock = ReportOnce(count: 1)

    /// timer_create's clock: nil for the wall clocks, else the CPU clock it names (a thread clock's id
    /// resolved to the tid). Only the caller's own process and threads: a thread of another process
    /// is EINVAL as on Linux; another process's clock (which Linux allows) is EOPNOTSUPP, logged once.
    static func timerCPUClock(_ clock: Int32, _ a: SyscallArguments) throws(Errno) -> CPUClockID? {
        if clock == 0 || clock == 1 || clock == 7 { return nil }
        guard var c = CPUClockID(clock) else { throw .EINVAL }
        if c.perThread {
            if c.id == 0 { c.id = a.thread.tid }
            guard a.process.threads.contains(where: { $0.tid == c.id }) else { throw .EINVAL }
        } else if c.id != 0 && c.id != a.process.pid {
            guard Processes.process(c.id) != nil else { throw .EINVAL }
            if otherProcessClock.first(0) { KernelLog.warning("timer_create: timers on another process's CPU clock are not implemented: EOPNOTSUPP") }
            throw .EOPNOTSUPP
        }
        return c
    }
}
