import Testing
@testable import LichenCore

@Suite struct OutOfMemoryPolicyTests {
    let total = 65_536                // 256 MiB of 4 KiB pages

    @Test func theLargestFootprintIsChosen() {
        let holder = OOMCandidate(pid: 10, residentPages: 57_600, pageTablePages: 113, adjustment: 0)   // 225 MiB asleep
        let allocator = OOMCandidate(pid: 11, residentPages: 8_192, pageTablePages: 17, adjustment: 0)  // 32 MiB, faulting
        let shell = OOMCandidate(pid: 2, residentPages: 300, pageTablePages: 4, adjustment: 0)
        #expect(OutOfMemoryPolicy.choose([shell, holder, allocator], totalPages: total) == .victim(10))
    }

    @Test func initAndMinusOneThousandAreNeverChosen() {
        let initTask = OOMCandidate(pid: 1, residentPages: 60_000, pageTablePages: 10, adjustment: 0, unkillable: true)
        let protected = OOMCandidate(pid: 5, residentPages: 50_000, pageTablePages: 10, adjustment: -1000)
        let small = OOMCandidate(pid: 6, residentPages: 100, pageTablePages: 1, adjustment: 0)
        #expect(OutOfMemoryPolicy.choose([initTask, protected, small], totalPages: total) == .victim(6))
        #expect(OutOfMemoryPolicy.choose([initTask, protected], totalPages: total) == .none)
        #expect(OutOfMemoryPolicy.score(protected, totalPages: total) == 0)
    }

    @Test func adjustmentMovesByThousandthsOfMemory() {
        // +500: half of memory added; 1,000 pages then outweigh 20,000.
        let small = OOMCandidate(pid: 3, residentPages: 1_000, pageTablePages: 0, adjustment: 500)
        let large = OOMCandidate(pid: 4, residentPages: 20_000, pageTablePages: 0, adjustment: 0)
        #expect(OutOfMemoryPolicy.badness(small, totalPages: total) == 1_000 + 500 * 65)
        #expect(OutOfMemoryPolicy.choose([small, large], totalPages: total) == .victim(3))
    }

    @Test func aDyingVictimStopsTheSearch() {
        let dying = OOMCandidate(pid: 7, residentPages: 10, pageTablePages: 0, adjustment: 0, dying: true)
        let large = OOMCandidate(pid: 8, residentPages: 50_000, pageTablePages: 0, adjustment: 0)
        #expect(OutOfMemoryPolicy.choose([large, dying], totalPages: total) == .waitForDying(7))
    }

    @Test func scoreIsLinuxsScale() {
        // Linux 6.1: (1000 + badness * 1000 / totalpages) * 2 / 3.
        let half = OOMCandidate(pid: 9, residentPages: 32_768, pageTablePages: 0, adjustment: 0)
        #expect(OutOfMemoryPolicy.score(half, totalPages: total) == 1000)
        let none = OOMCandidate(pid: 9, residentPages: 0, pageTablePages: 0, adjustment: 0)
        #expect(OutOfMemoryPolicy.score(none, totalPages: total) == 666)
        let minus = OOMCandidate(pid: 9, residentPages: 0, pageTablePages: 0, adjustment: -999)
        #expect(OutOfMemoryPolicy.score(minus, totalPages: total) == 6)   // C's truncating division, as Linux
    }

    @Test func oomScoreAdjWritesFollowLinux() throws {
        var a = OOMScoreAdjustment()
        try a.write(Array("500\n".utf8), privileged: false)
        #expect(a.value == 500)
        try a.write(Array("0".utf8), privileged: false)                 // back down to the floor (0)
        #expect(throws: Errno.EACCES) { try a.write(Array("-1".utf8), privileged: false) }
        #expect(throws: Errno.EINVAL) { try a.write(Array("1001".utf8), privileged: true) }
        #expect(throws: Errno.EINVAL) { try a.write(Array("12abc".utf8), privileged: true) }
        #expect(throws: Errno.EINVAL) { try a.write(Array("".utf8), privileged: true) }
        try a.write(Array(" -1000\n".utf8), privileged: true)         // root protects it, and sets the floor
        #expect(a.value == -1000 && a.floor == -1000)
        try a.write(Array("300".utf8), privileged: false)
        try a.write(Array("-1000".utf8), privileged: false)            // an unprivileged writer may go back to it
        #expect(a.value == -1000)
    }

    @Test func overcommitModes() throws {
        var p = OvercommitPolicy(freePages: 60_000, pageSize: 4096)
        #expect(p.adminReserveKbytes == 7_500 && p.userReserveKbytes == 7_500)    // 3% of 240,000 kB
        #expect(p.commitLimit(totalPages: total, pageSize: 4096) == 32_768)      // 50% of RAM, no swap
        // Heuristic: one request up to RAM + swap.
        #expect(p.allows(total, committed: 1_000_000, totalPages: total, pageSize: 4096, processPages: 0, admin: false))
        #expect(!p.allows(total + 1, committed: 0, totalPages: total, pageSize: 4096, processPages: 0, admin: false))
        try p.set(.mode, Array("1\n".utf8))
        #expect(p.allows(1 << 40, committed: 0, totalPages: total, pageSize: 4096, processPages: 0, admin: false))
        try p.set(.mode, Array("2".utf8))
        // Strict: CommitLimit less the admin reserve (1,875 pages) and the smaller of total_vm/32 and the user reserve.
        let allowed = 32_768 - 1_875 - 100
        #expect(p.allows(allowed - 5_000, committed: 5_000, totalPages: total, pageSize: 4096, processPages: 3_200, admin: false))
        #expect(!p.allows(allowed - 5_000 + 1, committed: 5_000, totalPages: total, pageSize: 4096, processPages: 3_200, admin: false))
        #expect(p.allows(allowed - 5_000 + 1, committed: 5_000, totalPages: total, pageSize: 4096, processPages: 3_200, admin: true))
        try p.set(.kbytes, Array("40960".utf8))
        #expect(p.commitLimit(totalPages: total, pageSize: 4096) == 10_240 && p.ratio == 0)
        try p.set(.ratio, Array("100".utf8))
        #expect(p.commitLimit(totalPages: total, pageSize: 4096) == total && p.kbytes == 0)
        #expect(throws: Errno.EINVAL) { try p.set(.mode, Array("3".utf8)) }
        #expect(throws: Errno.EINVAL) { try p.set(.kbytes, Array("-1".utf8)) }
        #expect(throws: Errno.EINVAL) { try p.set(.mode, Array("x".utf8)) }
    }
}
