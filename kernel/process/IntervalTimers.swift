import LichenCore
import _Concurrency

/// setitimer/getitimer: ITIMER_REAL is a kernel task sleeping until the expiry (SIGALRM), re-armed
/// for periodic timers and cancelled when the setting changes; ITIMER_VIRTUAL (SIGVTALRM) and
/// ITIMER_PROF (SIGPROF) are compared against the process's CPU time at every kernel entry of its
/// threads (a thread spinning in user mode enters at least once per time slice, 10 ms).
extension ProcessTime {
    enum Which: Int32 { case real = 0, virtual = 1, prof = 2 }

    /// Linux shows a due timer that has not fired yet as 1 µs from expiry.
    static let dueMinimum: UInt64 = 1000
    /// A timer task sleeps at least this long between firings: kernel tasks are not preempted, so a
    /// 1 µs period must not turn into a loop that never suspends (missed periods become overruns).
    static let minimumPeriod: UInt64 = 100_000

    /// When a timer task wakes for `expiry`: one counter tick after it (so the nanosecond clock read
    /// then is past it), and never sooner than `minimumPeriod` from now.
    static func wakeUp(for expiry: UInt64) -> Deadline {
        let soonest = MonotonicClock.now &+ minimumPeriod
        return Deadline(ticks: Deadline.ticks(nanoseconds: max(expiry, soonest)) &+ 1)
    }

    /// The same on the wall clock: the deadline moves when clock_settime moves the clock.
    static func wallClockWakeUp(for expiry: UInt64) -> Deadline {
        .realtime(nanoseconds: max(expiry, RealtimeClock.now &+ minimumPeriod))
    }

    /// The process's CPU clocks now: (user, user + system).
    private func cpuNow(_ thread: Thread) -> (user: UInt64, total: UInt64) {
        let u = usage(of: thread.process, current: thread)
        return (u.userNanoseconds, u.totalNanoseconds)
    }

    func get(_ which: Which, thread: Thread) -> (value: UInt64, interval: UInt64) {
        switch which {
        case .real:
            let now = MonotonicClock.now
            return state.withLock { $0.real.current(now: now, minimum: ProcessTime.dueMinimum) }
        case .virtual, .prof:
            let now = cpuNow(thread)
            return state.withLock { s in
                which == .virtual ? s.virtual.current(now: now.user, minimum: ProcessTime.dueMinimum)
                                  : s.prof.current(now: now.total, minimum: ProcessTime.dueMinimum)
            }
        }
    }

    /// Arms (value > 0) or disarms a timer; returns the old setting.
    func set(_ which: Which, value: UInt64, interval: UInt64, thread: Thread) -> (value: UInt64, interval: UInt64) {
        switch which {
        case .real: return setReal(value: value, interval: interval, process: thread.process)
        case .virtual, .prof:
            let now = cpuNow(thread)
            return state.withLock { s in
                let old = which == .virtual ? s.virtual.set(value: value, interval: interval, now: now.user)
                                            : s.prof.set(value: value, interval: interval, now: now.total)
                updateCPUTimersArmed(s)
                let o = old
                return (o.value == 0 ? 0 : max(o.value, ProcessTime.dueMinimum), o.interval)
            }
        }
    }

    private func setReal(value: UInt64, interval: UInt64, process: Process) -> (value: UInt64, interval: UInt64) {
        let now = MonotonicClock.now
        let (old, generation, stale) = state.withLock { s -> ((value: UInt64, interval: UInt64), UInt64, Task<Void, Never>?) in
            let old = s.real.current(now: now, minimum: ProcessTime.dueMinimum)
            s.real.set(value: value, interval: value == 0 ? 0 : interval, now: now)
            s.realGeneration &+= 1
            let stale = s.realTask
            s.realTask = nil
            return (old, s.realGeneration, stale)
        }
        stale?.cancel()
        if value > 0 {
            let task = Task { await ProcessTime.runRealTimer(process, generation: generation) }
            let late = state.withLock { s -> Bool in
                guard s.realGeneration == generation else { return true }
                s.realTask = task
                return false
            }
            if late { task.cancel() }
        }
        return old
    }

    /// The ITIMER_REAL task: sleeps to each expiry and sends SIGALRM while its generation is current.
    private static func runRealTimer(_ process: Process, generation: UInt64) async {
        while true {
            guard let expiry = process.time.state.withLock({ s -> UInt64? in
                s.realGeneration == generation && s.real.isArmed ? s.real.expiry : nil }) else { return }
            if await Kernel.sleep(until: wakeUp(for: expiry)) == .cancelled { return }
            let now = MonotonicClock.now
            let fired = process.time.state.withLock { s -> Bool in
                s.realGeneration == generation && s.real.expire(now: now) > 0
            }
            if fired {
                ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGALRM.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0),
                                    to: process)
            }
        }
    }

    /// At a kernel entry while a CPU-time timer (an itimer or a POSIX one) is armed.
    func checkCPUTimers(_ thread: Thread) {
        let now = cpuNow(thread)
        let (virtual, prof) = state.withLock { s -> (UInt64, UInt64) in
            (s.virtual.expire(now: now.user), s.prof.expire(now: now.total))
        }
        checkPosixCPUTimers(thread)
        let p = thread.process
        if virtual > 0 { ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGVTALRM.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: p) }
        if prof > 0 { ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGPROF.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: p) }
    }

    /// Exit: every timer stops (their tasks end, releasing the process).
    func stopAll() {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            s.real = IntervalTimer()
            s.realGeneration &+= 1
            s.virtual = IntervalTimer()
            s.prof = IntervalTimer()
            var t = s.posix.all.compactMap { $0.task }
            if let r = s.realTask { t.append(r) }
            s.realTask = nil
            s.posix.removeAll()
            s.cpuPosix.removeAll()
            return t
        }
        cpuTimersArmed = false
        for t in tasks { t.cancel() }
    }
}
