import Testing
@testable import LichenCore

/// The structures behind per-process and per-thread operations count the steps they take: these
/// tests fail if an operation starts walking every process, thread or waiter again (issue 13).
@Suite struct ScaleStructureTests {
    /// A table where init has `n` sleeping children.
    private func table(sleepers n: Int) throws -> ProcessTable {
        var t = ProcessTable()
        _ = try t.createInit(sessionLeader: true)
        for _ in 0..<n { _ = try t.fork(parent: 1) }
        return t
    }

    /// fork + exit + wait of one child of a process with no other children: the steps do not depend
    /// on how many other processes there are.
    private func forkExitWaitSteps(sleepers n: Int) throws -> Int {
        var t = try table(sleepers: n)
        let parent = try t.fork(parent: 1)
        let before = t.steps
        let child = try t.fork(parent: parent)
        _ = t.exit(child, event: .exited(code: 0), parentActions: SignalActionTable())
        let r = try t.wait(caller: parent, selector: .any, options: [.exited])
        #expect(r == .reported(WaitReport(pid: child, event: .exited(code: 0), reaped: true)))
        #expect(!t.contains(child))
        return t.steps - before
    }

    @Test func forkExitWaitIsFlat() throws {
        let small = try forkExitWaitSteps(sleepers: 10), large = try forkExitWaitSteps(sleepers: 10_000)
        #expect(small == large && large <= 3)
    }

    @Test func reapingManyChildrenIsLinearInTheirNumber() throws {
        var t = try table(sleepers: 0)
        let parent = try t.fork(parent: 1)
        var kids: [Int32] = []
        for _ in 0..<5_000 { kids.append(try t.fork(parent: parent)) }
        for k in kids { _ = t.exit(k, event: .exited(code: 0), parentActions: SignalActionTable()) }
        let before = t.steps
        for k in kids {
            #expect(try t.wait(caller: parent, selector: .any, options: [.exited]) == .reported(WaitReport(pid: k, event: .exited(code: 0), reaped: true)))
        }
        #expect(t.steps - before <= 2 * kids.count)
        #expect(throws: Errno.ECHILD) { try t.wait(caller: parent, selector: .any, options: [.exited]) }
    }

    @Test func waitForOnePidLooksAtThatChildOnly() throws {
        var t = try table(sleepers: 0)
        var kids: [Int32] = []
        for _ in 0..<1_000 { kids.append(try t.fork(parent: 1)) }
        let last = kids.last!
        _ = t.exit(last, event: .exited(code: 2), parentActions: SignalActionTable())
        let before = t.steps
        #expect(try t.wait(caller: 1, selector: .pid(last), options: [.exited]) == .reported(WaitReport(pid: last, event: .exited(code: 2), reaped: true)))
        #expect(try t.wait(caller: 1, selector: .pid(kids[0]), options: [.exited, .noHang]) == .nothingYet)
        #expect(t.steps - before == 2)
        #expect(throws: Errno.ECHILD) { try t.wait(caller: 1, selector: .pid(last), options: [.exited]) }
    }

    @Test func groupsAndSessionsAreFoundWithoutAScan() throws {
        var t = try table(sleepers: 10_000)
        let leader = try t.fork(parent: 1)
        let before = t.steps
        _ = try t.setsid(caller: leader)
        let child = try t.fork(parent: leader)
        try t.setpgid(caller: leader, pid: child, pgid: child)
        try t.setpgid(caller: leader, pid: child, pgid: leader)
        #expect(try t.killTargets(pid: -leader, caller: 1) == [leader, child])
        #expect(try t.killTargets(pid: 5_000, caller: 1) == [5_000])
        #expect(t.steps - before == 2)                         // the two members of the group, once
        #expect(t.group(leader)?.count == 2 && t.group(child) == nil && t.group(1)?.count == 10_001)
        #expect(throws: Errno.EPERM) { try t.setsid(caller: leader) }
        #expect(throws: Errno.ESRCH) { try t.killTargets(pid: -child, caller: 1) }
    }

    @Test func exitReparentsOnlyTheExitingProcessesChildren() throws {
        var t = try table(sleepers: 10_000)
        let p = try t.fork(parent: 1)
        let c1 = try t.fork(parent: p), c2 = try t.fork(parent: p)
        let before = t.steps
        let out = t.exit(p, event: .exited(code: 0), parentActions: SignalActionTable())!
        #expect(out.reparented == [c1, c2])
        #expect(t.steps - before < 20)
        #expect(Array(t.children(of: 1).suffix(3)) == [p, c1, c2])
    }

    @Test func pidMapIteratesAndSkipsEmptyLeaves() {
        var m = PidMap<Int32>()
        for pid: Int32 in [1, 2, 700, 30_000] { m[pid] = pid * 2 }
        #expect(m.count == 4 && m[700] == 1_400 && m[3] == nil && m[-1] == nil)
        var seen: [Int32] = []
        var at: Int32 = 0
        while let (id, v) = m.next(after: at) { #expect(v == id * 2); seen.append(id); at = id }
        #expect(seen == [1, 2, 700, 30_000])
        #expect(m.probes < 3 * 512 + 60)                      // 58 empty leaves skipped whole
        m[700] = nil
        #expect(m.count == 3 && m.values == [2, 4, 60_000])
    }

    @Test func futexWakeLooksAtOneBucket() {
        final class W: FutexQueued { var queuedKey: FutexKey? }
        var t = FutexTable<W>()
        let space = UInt(0x1000)
        var waiters: [W] = []
        for i in 0..<10_000 {
            let w = W()
            waiters.append(w)
            t.enqueue(w, key: FutexKey(space: space, address: 0x4000_0000 + UInt64(i) * 4))
        }
        let before = t.probes
        #expect(t.wake(FutexKey(space: space, address: 0x1234_0000), count: 1).isEmpty)
        #expect(t.wake(FutexKey(space: space, address: 0x4000_0000 + 4 * 777), count: 1).map { $0 === waiters[777] } == [true])
        #expect(t.probes - before < 40)
        #expect(!t.remove(waiters[777]) && t.remove(waiters[778]) && t.count == 9_998)
        // Requeue keeps them findable under their new key.
        let r = t.requeue(from: FutexKey(space: space, address: 0x4000_0000), to: FutexKey(space: space, address: 8),
                          wake: 0, requeue: 1)
        #expect(r.requeued == 1 && waiters[0].queuedKey == FutexKey(space: space, address: 8) && t.remove(waiters[0]))
    }

    @Test func threadGroupJoinAndLeaveAreConstantTime() {
        var g = ThreadGroup(pid: 100)
        for i in 1...10_000 { #expect(g.join(tid: Int32(100 + i)) == i) }
        #expect(g.leave(tid: 5_100, slot: 5_000, code: 0) == nil)
        #expect(g.leave(tid: 200, slot: 100, code: 0) == nil)
        #expect(g.join(tid: 20_000) == 100 && g.join(tid: 20_001) == 5_000 && g.join(tid: 20_002) == 10_001)
        #expect(g.count == 10_002)
        #expect(g.members.first?.tid == 100 && g.members.last?.tid == 20_002)
        // A wrong slot for a tid changes nothing.
        #expect(g.leave(tid: 101, slot: 7, code: 0) == nil && g.count == 10_002)
    }

    @Test func hashedBucketsGrowAndShrink() {
        var h = HashedBuckets<UInt, Int>()
        for i in 0..<10_000 { h.append(UInt(i) << 12, i) }
        #expect(h.bucketCount >= 4_096 && h.count == 10_000)
        let before = h.probes
        for i in stride(from: 0, to: 10_000, by: 97) { #expect(h.first(UInt(i) << 12) == i) }
        #expect(h.probes - before < 104 * 8)
        for i in 0..<10_000 { #expect(h.remove(UInt(i) << 12) == i) }
        #expect(h.count == 0 && h.bucketCount == 16)
    }
}
