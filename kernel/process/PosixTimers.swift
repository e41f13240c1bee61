import LichenCore
import _Concurrency

/// A POSIX timer (timer_create). On CLOCK_REALTIME or CLOCK_MONOTONIC (BOOTTIME too) it is kept on
/// the monotonic clock, except an absolute CLOCK_REALTIME setting, kept on the wall clock (its expiry
/// and periods follow clock_settime, as Linux's realtime hrtimers do); SIGEV_SIGNAL timers have a
/// task like ITIMER_REAL's; on a CPU-time clock it is kept on that clock and checked
/// at its threads' kernel entries (PosixCPUTimers.swift). SIGEV_NONE timers only expire when read.
struct PosixTimer {
    let id: Int32
    let clock: Int32
    /// The CPU-time clock (id: the thread's tid for a thread clock), nil for the wall clocks.
    let cpuClock: CPUClockID?
    let notify: Int32
    let signo: Int32
    let value: UInt64
    /// SIGEV_THREAD_ID: the target thread's slot.
    let threadIndex: Int?
    var timer = IntervalTimer()
    var generation: UInt64 = 0
    var overrun = TimerOverrun()
    var task: Task<Void, Never>? = nil
    /// Set absolutely on CLOCK_REALTIME: `timer` counts wall-clock nanoseconds.
    var onWallClock = false

    var signals: Bool { notify != LinuxSigevent.SIGEV_NONE }
}

extension ProcessTime {
    /// `limit`: RLIMIT_SIGPENDING's soft limit. Linux charges each timer's preallocated signal to it
    /// (EAGAIN past it, whoever asks); Lichen counts the process's timers against it (its signal
    /// queue limit is per process too), with no fixed cap besides.
    func createTimer(clock: Int32, cpuClock: CPUClockID?, notify: Int32, signo: Int32, value: UInt64?, threadIndex: Int?,
                     limit: UInt64) throws(Errno) -> Int32 {
        try state.withLock { (s: inout State) throws(Errno) -> Int32 in
            guard UInt64(s.posix.count) < limit, s.posix.count < Int(Int32.max) else { throw .EAGAIN }
            // The lowest free id (LowestFreeIdSlots). No sigevent: SIGEV_SIGNAL with SIGALRM and the timer id as the value.
            let id = s.posix.insert { id in
                PosixTimer(id: id, clock: clock, cpuClock: cpuClock, notify: notify, signo: signo, value: value ?? UInt64(id),
                           threadIndex: threadIndex)
            }
            if cpuClock != nil && notify != LinuxSigevent.SIGEV_NONE { s.cpuPosix.append(id) }
            return id
        }
    }

    func deleteTimer(_ id: Int32) throws(Errno) {
        let task = try state.withLock { (s: inout State) throws(Errno) -> Task<Void, Never>? in
            guard let removed = s.posix.remove(id) else { throw .EINVAL }
            if removed.cpuClock != nil, let i = s.cpuPosix.firstIndex(of: id) { s.cpuPosix.remove(at: i) }
            let task = removed.task
            updateCPUTimersArmed(s)
            return task
        }
        task?.cancel()
    }

    /// Now on timer `id`'s clock (nil: no such timer, or its thread has ended: its clock stands still).
    private func now(ofTimer id: Int32, process: Process, thread: Thread?) throws(Errno) -> UInt64? {
        let (cpuClock, onWallClock) = try state.withLock { (s: inout State) throws(Errno) -> (CPUClockID?, Bool) in
            guard let t = s.posix[id] else { throw .EINVAL }
            return (t.cpuClock, t.onWallClock)
        }
        guard let cpuClock else { return onWallClock ? RealtimeClock.now : MonotonicClock.now }
        return cpuNow(cpuClock, process: process, current: thread)
    }

    /// timer_gettime: (remaining, interval); a due SIGEV_SIGNAL timer shows 1 ns, a SIGEV_NONE one moves on.
    func getTimer(_ id: Int32, process: Process, thread: Thread?) throws(Errno) -> (value: UInt64, interval: UInt64) {
        let clockNow = try now(ofTimer: id, process: process, thread: thread)
        return try state.withLock { (s: inout State) throws(Errno) -> (value: UInt64, interval: UInt64) in
            guard let reading = s.posix.update(id, { t -> (value: UInt64, interval: UInt64) in
                guard let now = clockNow else { return t.timer.current(now: t.timer.expiry, minimum: 1) }
                if !t.signals { _ = t.timer.expire(now: now) }
                return t.timer.current(now: now, minimum: 1)
            }) else { throw .EINVAL }
            return reading
        }
    }

    func timerOverrun(_ id: Int32) throws(Errno) -> Int32 {
        try state.withLock { (s: inout State) throws(Errno) -> Int32 in
            guard let t = s.posix[id] else { throw .EINVAL }
            return t.overrun.last
        }
    }

    /// timer_settime: arms (value > 0) or disarms; returns the old setting.
    func setTimer(_ id: Int32, value: UInt64, interval: UInt64, absolute: Bool, process: Process, thread: Thread) throws(Errno) -> (value: UInt64, interval: UInt64) {
        let old = try getTimer(id, process: process, thread: thread)
        let wallNow = RealtimeClock.now
        let clockNow = try now(ofTimer: id, process: process, thread: thread) ?? 0
        let (generation, stale, runsTask) = try state.withLock { (s: inout State) throws(Errno) -> (UInt64, Task<Void, Never>?, Bool) in
            guard s.posix[id] != nil else { throw .EINVAL }
            s.posixGeneration &+= 1
            let generation = s.posixGeneration
            let (stale, runsTask) = s.posix.update(id) { t -> (Task<Void, Never>?, Bool) in
                // Periods already past on the wall clock count as overruns of the first expiry (timerFired).
                let onWallClock = absolute && t.clock == 0
                t.onWallClock = onWallClock
                t.timer.set(value: value, interval: value == 0 ? 0 : interval,
                            now: onWallClock ? wallNow : clockNow, absolute: absolute)
                t.generation = generation
                t.overrun.reset(missed: 0)
                let stale = t.task
                t.task = nil
                return (stale, t.signals && t.cpuClock == nil)
            }!
            updateCPUTimersArmed(s)
            return (generation, stale, runsTask)
        }
        stale?.cancel()
        if value > 0 && runsTask {
            let task = Task { await ProcessTime.runPosixTimer(process, id: id, generation: generation) }
            let late = state.withLock { s -> Bool in
                guard s.posix[id]?.generation == generation else { return true }
                s.posix.update(id) { $0.task = task }
                return false
            }
            if late { task.cancel() }
        }
        return old
    }

    /// Forgotten on execve (Linux deletes POSIX timers; the itimers stay).
    func deleteAllTimers() {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            let t = s.posix.all.compactMap { $0.task }
            s.posix.removeAll()
            s.cpuPosix.removeAll()
            updateCPUTimersArmed(s)
            return t
        }
        for t in tasks { t.cancel() }
    }

    /// Timer `id` (of `generation`, nil: any) expired `expirations` times: queues its signal unless the
    /// previous one is still queued (then they are overruns).
    static func timerFired(_ process: Process, id: Int32, generation: UInt64?, expirations: UInt64) {
        guard let t = process.time.state.withLock({ s -> PosixTimer? in s.posix[id] }) else { return }
        let queued = signalQueued(process, timer: t)
        let send = process.time.state.withLock { s -> Bool in
            guard let t = s.posix[id], generation == nil || t.generation == generation else { return false }
            return s.posix.update(id) { $0.overrun.fired(expirations, signalQueued: queued) }!
        }
        guard send else { return }
        var info = LinuxSigInfo(signo: t.signo, code: LinuxSigInfo.SI_TIMER)
        info.si_tid = t.id
        info.si_value = t.value
        ProcessSignals.send(info, to: process, thread: t.threadIndex)
    }

    /// Whether the timer's signal is still waiting in its queue (process-wide or its thread's).
    private static func signalQueued(_ process: Process, timer t: PosixTimer) -> Bool {
        process.signals.withLock { st in
            let queue = t.threadIndex.flatMap { i in st.threads.indices.contains(i) ? st.threads[i].pending.queue : nil } ?? st.process.shared.queue
            return queue.contains { $0.si_code == LinuxSigInfo.SI_TIMER && $0.si_tid == t.id && $0.si_signo == t.signo }
        }
    }

    /// A timer's signal is being delivered (to a handler or sigwaitinfo): its si_overrun counts the
    /// expirations it stood for, up to now (Linux's posixtimer_rearm).
    func timerSignalDelivered(_ info: inout LinuxSigInfo, process: Process, thread: Thread) {
        guard info.si_code == LinuxSigInfo.SI_TIMER else { return }
        let id = info.si_tid
        let clockNow = (try? now(ofTimer: id, process: process, thread: thread)) ?? nil
        let overrun = state.withLock { s -> Int32? in
            s.posix.update(id) { t in
                let late = clockNow.map { t.timer.expire(now: $0) } ?? 0
                return t.overrun.delivered(late)
            }
        }
        if let overrun { info.si_overrun = overrun }
    }

    private static func runPosixTimer(_ process: Process, id: Int32, generation: UInt64) async {
        while true {
            guard let (expiry, onWallClock) = process.time.state.withLock({ s -> (UInt64, Bool)? in
                guard let t = s.posix[id], t.generation == generation, t.timer.isArmed else { return nil }
                return (t.timer.expiry, t.onWallClock)
            }) else { return }
            let wakeUp = onWallClock ? ProcessTime.wallClockWakeUp(for: expiry) : ProcessTime.wakeUp(for: expiry)
            if await Kernel.sleep(until: wakeUp) == .cancelled { return }
            let now = onWallClock ? RealtimeClock.now : MonotonicClock.now
            let expirations = process.time.state.withLock { s -> UInt64 in
                guard s.posix[id]?.generation == generation else { return 0 }
                return s.posix.update(id) { $0.timer.expire(now: now) } ?? 0
            }
            if expirations > 0 { timerFired(process, id: id, generation: generation, expirations: expirations) }
        }
    }
}
