import Testing
@testable import LichenCore

@Suite struct ResourceLimitTests {
    @Test func initLimitsFollowLinuxFor1GiB() {
        let limits = ResourceLimits.initial(totalFrames: 262_144)
        #expect(ResourceLimits.threadsMax(totalFrames: 262_144) == 8192)
        #expect(limits[LinuxResource.RLIMIT_NPROC] == LinuxRlimit(rlim_cur: 4096, rlim_max: 4096))
        #expect(limits[LinuxResource.RLIMIT_NOFILE] == LinuxRlimit(rlim_cur: 1024, rlim_max: 4096))
        #expect(limits[LinuxResource.RLIMIT_STACK] == LinuxRlimit(rlim_cur: 8 << 20, rlim_max: LinuxRlimit.RLIM_INFINITY))
        #expect(limits[LinuxResource.RLIMIT_CORE].rlim_cur == 0)
        #expect(limits[LinuxResource.RLIMIT_AS] == LinuxRlimit.infinity)
        #expect(limits.softCount(LinuxResource.RLIMIT_AS) == Int.max)
        #expect(ResourceLimits.threadsMax(totalFrames: 100) == 20)
    }

    @Test func lowerFreelyRaiseHardOnlyWhenPrivileged() throws {
        var limits = ResourceLimits.initial(totalFrames: 262_144)
        let nproc = LinuxResource.RLIMIT_NPROC
        try limits.set(nproc, to: LinuxRlimit(rlim_cur: 10, rlim_max: 20), privileged: false)
        #expect(limits.softCount(nproc) == 10)
        try limits.set(nproc, to: LinuxRlimit(rlim_cur: 20, rlim_max: 20), privileged: false)
        #expect(throws: Errno.EPERM) { try limits.set(nproc, to: LinuxRlimit(rlim_cur: 20, rlim_max: 21), privileged: false) }
        #expect(throws: Errno.EINVAL) { try limits.set(nproc, to: LinuxRlimit(rlim_cur: 21, rlim_max: 20), privileged: true) }
        #expect(throws: Errno.EINVAL) { try limits.set(16, to: LinuxRlimit(rlim_cur: 1, rlim_max: 1), privileged: true) }
        try limits.set(nproc, to: LinuxRlimit.infinity, privileged: true)
        #expect(limits[nproc] == LinuxRlimit.infinity)
    }

    @Test func openFilesHaveACeilingEvenForRoot() throws {
        var limits = ResourceLimits.initial(totalFrames: 262_144)
        let nofile = LinuxResource.RLIMIT_NOFILE
        #expect(throws: Errno.EPERM) { try limits.set(nofile, to: LinuxRlimit(rlim_cur: 1, rlim_max: (1 << 20) + 1), privileged: true) }
        try limits.set(nofile, to: LinuxRlimit(rlim_cur: 1 << 20, rlim_max: 1 << 20), privileged: true)
    }

    @Test func threadsMaxStopsForkAndClone() throws {
        var table = ProcessTable()
        _ = try table.createInit()
        table.threadsMax = 3
        _ = try table.fork(parent: 1)
        _ = try table.allocateThreadID()
        #expect(throws: Errno.EAGAIN) { try table.fork(parent: 1) }
        #expect(throws: Errno.EAGAIN) { try table.allocateThreadID() }
    }
}

@Suite struct TaskCountsByUserTests {
    @Test func chargeStopsAtTheLimitAndReleaseFreesRoom() {
        var counts = TaskCountsByUser()
        let first = counts.charge(1000, limit: 2), second = counts.charge(1000, limit: 2)
        let third = counts.charge(1000, limit: 2), root = counts.charge(0)
        #expect(first && second && !third && root)
        counts.release(1000)
        let again = counts.charge(1000, limit: 2)
        #expect(again && counts.count(of: 1000) == 2)
        counts.release(1000, count: 5)
        #expect(counts.count(of: 1000) == 0 && counts.count(of: 0) == 1)
        let none = counts.charge(7, limit: 0)
        #expect(!none)
    }

    @Test func setuidMovesAProcesssThreads() {
        var counts = TaskCountsByUser()
        for _ in 0..<3 { _ = counts.charge(0) }
        counts.move(2, from: 0, to: 1000)
        #expect(counts.count(of: 0) == 1 && counts.count(of: 1000) == 2)
        counts.move(2, from: 1000, to: 1000)
        #expect(counts.count(of: 1000) == 2)
    }
}
