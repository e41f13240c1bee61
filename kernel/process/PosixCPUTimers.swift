import LichenCore

/// POSIX timers on CPU-time clocks (CLOCK_PROCESS_CPUTIME_ID, CLOCK_THREAD_CPUTIME_ID, and the
/// clock ids clock_getcpuclockid gives for the caller's own process and threads): they expire when
/// the clock reaches their expiry, checked at every kernel entry of the process's threads (a thread
/// spinning in user mode enters at least once per 10 ms time slice), as the CPU itimers are.
extension ProcessTime {
    /// The reading of `clock` (a thread clock's id is its tid); nil once that thread has ended.
    func cpuNow(_ clock: CPUClockID, process: Process, current: Thread?) -> UInt64? {
        guard clock.perThread else { return clock.reading(usage(of: process, current: current)) }
        guard let t = process.thread(clock.id) else { return nil }
        return clock.reading(t.cpu.usage(current: t === current))
    }

    /// Keeps the kernel-entry check on while any CPU-time timer is armed (looks at the CPU-time
    /// POSIX timers only, so the wall-clock timers' number does not count).
    func updateCPUTimersArmed(_ s: State) {
        cpuTimersArmed = s.virtual.isArmed || s.prof.isArmed
            || s.cpuPosix.contains { s.posix[$0]?.timer.isArmed ?? false }
    }

    /// At a kernel entry of `thread`: fires the process's due CPU-time POSIX timers (thread clocks:
    /// only this thread's own).
    func checkPosixCPUTimers(_ thread: Thread) {
        let process = thread.process
        let processUsage = usage(of: process, current: thread)
        let own = thread.cpu.usage(current: true)
        let due = state.withLock { s -> [(Int32, UInt64)] in
            var due: [(Int32, UInt64)] = []
            for id in s.cpuPosix {
                let n = s.posix.update(id) { t -> UInt64 in
                    guard t.signals, let clock = t.cpuClock, t.timer.isArmed else { return 0 }
                    if clock.perThread && clock.id != thread.tid { return 0 }
                    return t.timer.expire(now: clock.reading(clock.perThread ? own : processUsage))
                } ?? 0
                if n > 0 { due.append((id, n)) }
            }
            updateCPUTimersArmed(s)
            return due
        }
        for (id, n) in due { ProcessTime.timerFired(process, id: id, generation: nil, expirations: n) }
    }
}
