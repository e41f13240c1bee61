import LichenCore
import _Concurrency

/// A POSIX timer (timer_create) on CLOCK_REALTIME or CLOCK_MONOTONIC (BOOTTIME too), kept on the
/// monotonic clock: an absolute realtime expiry is converted when it is set. SIGEV_SIGNAL timers
/// have a task like ITIMER_REAL's; SIGEV_NONE timers only expire when read.
struct PosixTimer {
    let id: Int32
    let clock: Int32
    let notify: Int32
    let signo: Int32
    let value: UInt64
    /// SIGEV_THREAD_ID: the target thread's slot.
    let threadIndex: Int?
    var timer = IntervalTimer()
    var generation: UInt64 = 0
    /// Expirations that did not get a signal of their own at the last firing (timer_getoverrun).
    var overrun: Int32 = 0
    var task: Task<Void, Never>? = nil
}

extension ProcessTime {
    /// Linux's default RLIMIT_SIGPENDING is far higher; enough for any sane program.
    static let maxPosixTimers = 256

    func createTimer(clock: Int32, notify: Int32, signo: Int32, value: UInt64?, threadIndex: Int?) throws(Errno) -> Int32 {
        try state.withLock { (s: inout State) throws(Errno) -> Int32 in
            guard s.posix.count < ProcessTime.maxPosixTimers else { throw .EAGAIN }
            var id: Int32 = 0
            while s.posix.contains(where: { $0.id == id }) { id += 1 }
            // No sigevent: SIGEV_SIGNAL with SIGALRM and the timer id as the value.
            s.posix.append(PosixTimer(id: id, clock: clock, notify: notify, signo: signo, value: value ?? UInt64(id),
                                      threadIndex: threadIndex))
            return id
        }
    }

    func deleteTimer(_ id: Int32) throws(Errno) {
        let task = try state.withLock { (s: inout State) throws(Errno) -> Task<Void, Never>? in
            guard let i = s.posix.firstIndex(where: { $0.id == id }) else { throw .EINVAL }
            return s.posix.remove(at: i).task
        }
        task?.cancel()
    }

    /// The realtime clock minus the monotonic one (both in nanoseconds).
    private static var realtimeOffset: UInt64 { RealtimeClock.now &- MonotonicClock.now }

    /// timer_gettime: (remaining, interval); a due SIGEV_SIGNAL timer shows 1 ns, a SIGEV_NONE one moves on.
    func getTimer(_ id: Int32) throws(Errno) -> (value: UInt64, interval: UInt64) {
        let now = MonotonicClock.now
        return try state.withLock { (s: inout State) throws(Errno) -> (value: UInt64, interval: UInt64) in
            guard let i = s.posix.firstIndex(where: { $0.id == id }) else { throw .EINVAL }
            if s.posix[i].notify == LinuxSigevent.SIGEV_NONE { _ = s.posix[i].timer.expire(now: now) }
            return s.posix[i].timer.current(now: now, minimum: 1)
        }
    }

    func timerOverrun(_ id: Int32) throws(Errno) -> Int32 {
        try state.withLock { (s: inout State) throws(Errno) -> Int32 in
            guard let t = s.posix.first(where: { $0.id == id }) else { throw .EINVAL }
            return t.overrun
        }
    }

    /// timer_settime: arms (value > 0) or disarms; returns the old setting.
    func setTimer(_ id: Int32, value: UInt64, interval: UInt64, absolute: Bool, process: Process) throws(Errno) -> (value: UInt64, interval: UInt64) {
        let old = try getTimer(id)
        let now = MonotonicClock.now
        let offset = ProcessTime.realtimeOffset
        let (generation, stale, signals) = try state.withLock { (s: inout State) throws(Errno) -> (UInt64, Task<Void, Never>?, Bool) in
            guard let i = s.posix.firstIndex(where: { $0.id == id }) else { throw .EINVAL }
            var v = value
            if absolute && value != 0 && s.posix[i].clock == 0 { v = value > offset ? value - offset : 1 }
            s.posix[i].timer.set(value: v, interval: value == 0 ? 0 : interval, now: now, absolute: absolute)
            s.posix[i].generation &+= 1
            s.posix[i].overrun = 0
            let stale = s.posix[i].task
            s.posix[i].task = nil
            return (s.posix[i].generation, stale, s.posix[i].notify != LinuxSigevent.SIGEV_NONE)
        }
        stale?.cancel()
        if value > 0 && signals {
            let task = Task { await ProcessTime.runPosixTimer(process, id: id, generation: generation) }
            let late = state.withLock { s -> Bool in
                guard let i = s.posix.firstIndex(where: { $0.id == id }), s.posix[i].generation == generation else { return true }
                s.posix[i].task = task
                return false
            }
            if late { task.cancel() }
        }
        return old
    }

    /// Forgotten on execve (Linux deletes POSIX timers; the itimers stay).
    func deleteAllTimers() {
        let tasks = state.withLock { s -> [Task<Void, Never>] in
            let t = s.posix.compactMap { $0.task }
            s.posix = []
            return t
        }
        for t in tasks { t.cancel() }
    }

    private static func runPosixTimer(_ process: Process, id: Int32, generation: UInt64) async {
        while true {
            guard let expiry = process.time.state.withLock({ s -> UInt64? in
                guard let t = s.posix.first(where: { $0.id == id }), t.generation == generation, t.timer.isArmed else { return nil }
                return t.timer.expiry
            }) else { return }
            if await Kernel.sleep(until: ProcessTime.wakeUp(for: expiry)) == .cancelled { return }
            let now = MonotonicClock.now
            let fired = process.time.state.withLock { s -> PosixTimer? in
                guard let i = s.posix.firstIndex(where: { $0.id == id }), s.posix[i].generation == generation else { return nil }
                let n = s.posix[i].timer.expire(now: now)
                guard n > 0 else { return nil }
                s.posix[i].overrun = Int32(clamping: n - 1)
                return s.posix[i]
            }
            guard let t = fired else { continue }
            var info = LinuxSigInfo(signo: t.signo, code: LinuxSigInfo.SI_TIMER)
            info.si_tid = t.id
            info.si_overrun = t.overrun
            info.si_value = t.value
            ProcessSignals.send(info, to: process, thread: t.threadIndex)
        }
    }
}
