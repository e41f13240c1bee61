import Testing
@testable import LichenCore

@Suite struct TimeAccountingTests {
    @Test func oneShotTimerFiresOnceAndDisarms() {
        var t = IntervalTimer()
        #expect(!t.isArmed && t.current(now: 5) == (0, 0))
        let old = t.set(value: 100, interval: 0, now: 1000)
        #expect(old == (0, 0) && t.expiry == 1100)
        #expect(t.current(now: 1040) == (60, 0))
        #expect(t.expire(now: 1099) == 0)
        #expect(t.expire(now: 1100) == 1 && !t.isArmed)
        #expect(t.expire(now: 5000) == 0)
    }

    @Test func periodicTimerCountsOverrunsAndStaysOnItsGrid() {
        var t = IntervalTimer()
        t.set(value: 10, interval: 20, now: 0)
        #expect(t.expire(now: 10) == 1 && t.expiry == 30)
        #expect(t.expire(now: 75) == 3 && t.expiry == 90)    // 30, 50, 70 passed
        #expect(t.current(now: 85) == (5, 20))
    }

    @Test func dueButUnhandledTimerStillShowsAsPending() {
        var t = IntervalTimer()
        t.set(value: 10, interval: 0, now: 0)
        #expect(t.current(now: 50) == (1, 0))
        #expect(t.current(now: 50, minimum: 1000) == (1000, 0))
    }

    @Test func zeroValueDisarmsAndReturnsTheOldSetting() {
        var t = IntervalTimer()
        t.set(value: 500, interval: 7, now: 0)
        let old = t.set(value: 0, interval: 3, now: 100)
        #expect(old == (400, 7) && !t.isArmed && t.interval == 3)
    }

    @Test func absoluteAndSaturatingExpiries() {
        var t = IntervalTimer()
        t.set(value: 42, interval: 0, now: 100, absolute: true)
        #expect(t.expiry == 42 && t.expire(now: 100) == 1)
        t.set(value: UInt64.max, interval: 0, now: 5)
        #expect(t.expiry == UInt64.max)
        t.set(value: 1, interval: UInt64.max, now: 0)
        #expect(t.expire(now: 1) == 1 && t.expiry == UInt64.max)
    }

    @Test func timevalValidation() {
        #expect(TimeValues.nanoseconds(LinuxTimeval(tv_sec: 1, tv_usec: 500_000)) == 1_500_000_000)
        #expect(TimeValues.nanoseconds(LinuxTimeval(tv_sec: 0, tv_usec: 1_000_000)) == nil)
        #expect(TimeValues.nanoseconds(LinuxTimeval(tv_sec: 0, tv_usec: -1)) == nil)
        #expect(TimeValues.nanoseconds(LinuxTimeval(tv_sec: -1, tv_usec: 0)) == nil)
        #expect(TimeValues.nanoseconds(LinuxTimeval(tv_sec: Int64.max, tv_usec: 0)) == UInt64.max)
        let v = LinuxItimerval(it_interval: LinuxTimeval(tv_sec: 0, tv_usec: 2), it_value: LinuxTimeval(tv_sec: 3, tv_usec: 0))
        #expect(TimeValues.itimer(v)! == (3_000_000_000, 2000))
        let bad = LinuxItimerval(it_interval: LinuxTimeval(tv_sec: 0, tv_usec: 1_000_000), it_value: LinuxTimeval())
        #expect(TimeValues.itimer(bad) == nil)
        let spec = LinuxItimerspec(it_interval: LinuxTimespec(), it_value: LinuxTimespec(tv_sec: 0, tv_nsec: 1_000_000_000))
        #expect(TimeValues.itimer(spec) == nil)
        #expect(TimeValues.itimerval(value: 1_999_999_999, interval: 1999) == LinuxItimerval(
            it_interval: LinuxTimeval(tv_sec: 0, tv_usec: 1), it_value: LinuxTimeval(tv_sec: 1, tv_usec: 999_999)))
    }

    @Test func clockTicksAndTms() {
        #expect(TimeValues.clockTicks(9_999_999) == 0 && TimeValues.clockTicks(10_000_000) == 1)
        let own = ResourceUsage(user: 250_000_000, system: 30_000_000)
        let children = ResourceUsage(user: 1_000_000_000, system: 0)
        #expect(ResourceUsage.tms(own: own, children: children)
                == LinuxTms(tms_utime: 25, tms_stime: 3, tms_cutime: 100, tms_cstime: 0))
    }

    @Test func usageSumsAndRusage() {
        var a = ResourceUsage(user: 1_500_000, system: 2_000)
        a.minorFaults = 3; a.maxResidentKiB = 100; a.voluntarySwitches = 1
        var b = ResourceUsage(user: 1_000_000_000, system: 1)
        b.minorFaults = 4; b.maxResidentKiB = 50; b.involuntarySwitches = 2
        let s = a + b
        #expect(s.userNanoseconds == 1_001_500_000 && s.systemNanoseconds == 2_001 && s.minorFaults == 7)
        #expect(s.maxResidentKiB == 100 && s.totalNanoseconds == 1_001_502_001)
        let r = s.rusage
        #expect(r.ru_utime == LinuxTimeval(tv_sec: 1, tv_usec: 1500) && r.ru_stime == LinuxTimeval(tv_sec: 0, tv_usec: 2))
        #expect(r.ru_minflt == 7 && r.ru_nvcsw == 1 && r.ru_nivcsw == 2 && r.ru_maxrss == 100)
    }

    @Test func cpuClockIDs() {
        #expect(CPUClockID(2) == CPUClockID(id: 0, perThread: false, kind: .sched))
        #expect(CPUClockID(3) == CPUClockID(id: 0, perThread: true, kind: .sched))
        #expect(CPUClockID(0) == nil && CPUClockID(1) == nil && CPUClockID(7) == nil)
        // glibc: clock_getcpuclockid(42) = (~42 << 3) | 2 = -342; pthread_getcpuclockid(tid 7) = (~7 << 3) | 6.
        #expect(CPUClockID(-342) == CPUClockID(id: 42, perThread: false, kind: .sched))
        #expect(CPUClockID(-58) == CPUClockID(id: 7, perThread: true, kind: .sched))
        #expect(CPUClockID(id: 42, perThread: false, kind: .sched).clockid == -342)
        #expect(CPUClockID(-341) == nil)                        // kind 3 does not exist
        #expect(CPUClockID(-343)?.kind == .virtual)
        let u = ResourceUsage(user: 5, system: 7)
        #expect(CPUClockID(-343)!.reading(u) == 5 && CPUClockID(2)!.reading(u) == 12)
    }

    @Test func zombieUsageReachesTheWaitingParent() throws {
        var t = ProcessTable()
        _ = try t.createInit()
        let child = try t.fork(parent: 1)
        t.setUsage(child, ResourceUsage(user: 10, system: 20))
        _ = t.exit(child, event: .exited(code: 0), parentActions: SignalActionTable())
        let r = try t.wait(caller: 1, selector: .any, options: [.exited])
        guard case .reported(let report) = r else { Issue.record("no report"); return }
        #expect(report.reaped && report.usage == ResourceUsage(user: 10, system: 20))
    }
}
