import Testing
@testable import LichenCore

private final class W: FutexQueued { var queuedKey: FutexKey? }

@Suite struct FutexTests {
    let a = FutexKey(space: 1, address: 0x1000)
    let b = FutexKey(space: 1, address: 0x2000)
    let other = FutexKey(space: 2, address: 0x1000)

    @Test func wakeIsFifoByKeyAndCount() {
        var t = FutexTable<W>()
        let w = (0..<4).map { _ in W() }
        t.enqueue(w[0], key: a); t.enqueue(w[1], key: b); t.enqueue(w[2], key: a); t.enqueue(w[3], key: other)
        #expect(t.waiters(on: a) == 2)
        let woken = t.wake(a, count: 1)
        #expect(woken.count == 1 && woken[0] === w[0])
        let rest = t.wake(a, count: 5).map { ObjectIdentifier($0) }
        #expect(rest == [ObjectIdentifier(w[2])])
        let none = t.wake(a, count: 5)
        #expect(none.isEmpty)
        #expect(t.count == 2)
    }

    @Test func zeroCountWakesOneLikeLinux() {
        var t = FutexTable<W>()
        t.enqueue(W(), key: a); t.enqueue(W(), key: a)
        let zero = t.wake(a, count: 0).count, negative = t.wake(a, count: -3).count
        #expect(zero == 1 && negative == 1)
    }

    @Test func bitsetsSelectWaiters() {
        var t = FutexTable<W>()
        let w1 = W(), w2 = W()
        t.enqueue(w1, key: a, bitset: 0b01); t.enqueue(w2, key: a, bitset: 0b10)
        let woken = t.wake(a, count: 10, bitset: 0b10)
        #expect(woken.count == 1 && woken[0] === w2)
        let any = t.wake(a, count: 10, bitset: FutexOperation.matchAny)
        #expect(any.first === w1)
    }

    @Test func removeTellsWhetherAWakeTookIt() {
        var t = FutexTable<W>()
        let w1 = W(), w2 = W()
        t.enqueue(w1, key: a); t.enqueue(w2, key: a)
        _ = t.wake(a, count: 1)
        let first = t.remove(w1), second = t.remove(w2)
        #expect(first == false)                 // already woken: the wait succeeds
        #expect(second == true)                 // timed out while still queued
        #expect(t.count == 0)
    }

    @Test func requeueWakesThenMoves() {
        var t = FutexTable<W>()
        let w = (0..<5).map { _ in W() }
        for x in w { t.enqueue(x, key: a) }
        let r = t.requeue(from: a, to: b, wake: 1, requeue: 2)
        #expect(r.woken.count == 1 && r.woken[0] === w[0] && r.requeued == 2)
        #expect(t.waiters(on: a) == 2 && t.waiters(on: b) == 2)
        let moved = t.wake(b, count: 10).map { ObjectIdentifier($0) }
        #expect(moved == [ObjectIdentifier(w[1]), ObjectIdentifier(w[2])])
    }

    @Test func operationWord() {
        let op = FutexOperation(FutexOperation.FUTEX_WAIT_BITSET | FutexOperation.FUTEX_PRIVATE_FLAG | FutexOperation.FUTEX_CLOCK_REALTIME)
        #expect(op.command == FutexOperation.FUTEX_WAIT_BITSET && op.isPrivate && op.realtime && op.absoluteTimeout && op.waits)
        #expect(!FutexOperation(FutexOperation.FUTEX_WAKE | FutexOperation.FUTEX_CLOCK_REALTIME).clockFlagAllowed)
        #expect(!FutexOperation(FutexOperation.FUTEX_WAIT).absoluteTimeout)
    }

    @Test func wakeOpDecoding() {
        // FUTEX_OP(FUTEX_OP_SET, 0, FUTEX_OP_CMP_GT, 1): glibc's old condvar unlock.
        let set = FutexWakeOp((0 << 28) | (4 << 24) | (0 << 12) | 1)
        #expect(set.apply(to: 7) == 0 && set.compare(2) == true && set.compare(1) == false)
        // ADD with a negative oparg, CMP_LT with a negative cmparg.
        let add = FutexWakeOp((1 << 28) | (2 << 24) | (0xfff << 12) | 0xffe)
        #expect(add.oparg == -1 && add.cmparg == -2)
        #expect(add.apply(to: 5) == 4 && add.compare(UInt32(bitPattern: -3)) == true)
        // OPARG_SHIFT: oparg is a bit number.
        let or = FutexWakeOp((0xa << 28) | (0 << 24) | (4 << 12))
        #expect(or.op == FutexWakeOp.OR && or.apply(to: 1) == 0x11)
        #expect(FutexWakeOp((3 << 28) | (1 << 12)).apply(to: 3) == 2)       // ANDN
        #expect(FutexWakeOp((4 << 28) | (1 << 12)).apply(to: 3) == 2)       // XOR
        #expect(FutexWakeOp(6 << 28).apply(to: 0) == nil)
        #expect(FutexWakeOp(9 << 24).compare(0) == nil)
    }
}

@Suite struct RobustListTests {
    /// A fake user memory: 64-bit words by address.
    struct Memory {
        var words: [(UInt64, UInt64)] = []
        func read(_ a: UInt64) -> UInt64? { words.first { $0.0 == a }?.1 }
    }

    @Test func walksListThenPending() {
        let head: UInt64 = 0x1000, offset: UInt64 = 16
        // head -> 0x2000 -> 0x3000 (PI) -> head; pending = 0x4000
        let m = Memory(words: [(head, 0x2000), (head + 8, offset), (head + 16, 0x4000),
                               (0x2000, 0x3001), (0x3000, head), (0x4000, 0)])
        let e = RobustList.entries(head: head, read: m.read)
        #expect(e == [RobustList.Entry(futex: 0x2010, pi: false, pending: false),
                      RobustList.Entry(futex: 0x3010, pi: true, pending: false),
                      RobustList.Entry(futex: 0x4010, pi: false, pending: true)])
    }

    @Test func pendingEntryOnTheListIsHandledOnce() {
        let head: UInt64 = 0x1000
        let m = Memory(words: [(head, 0x2000), (head + 8, UInt64(bitPattern: -8)), (head + 16, 0x2000), (0x2000, head)])
        #expect(RobustList.entries(head: head, read: m.read) == [RobustList.Entry(futex: 0x1ff8, pi: false, pending: true)])
    }

    @Test func cyclesAndFaultsEndTheWalk() {
        let head: UInt64 = 0x1000
        let cycle = Memory(words: [(head, 0x2000), (head + 8, 0), (head + 16, 0), (0x2000, 0x2000)])
        #expect(RobustList.entries(head: head, read: cycle.read).count == RobustList.limit)
        let broken = Memory(words: [(head, 0x2000), (head + 8, 0), (head + 16, 0)])
        #expect(RobustList.entries(head: head, read: broken.read).count == 1)
        #expect(RobustList.entries(head: 0x9000, read: broken.read).isEmpty)
    }

    @Test func deathMarksOwnedLocks() {
        let entry = RobustList.Entry(futex: 0x2000, pi: false, pending: false)
        #expect(RobustList.death(of: 42, entry: entry, value: 42) == .store(RobustList.FUTEX_OWNER_DIED, wake: false))
        #expect(RobustList.death(of: 42, entry: entry, value: 42 | RobustList.FUTEX_WAITERS)
                == .store(RobustList.FUTEX_OWNER_DIED | RobustList.FUTEX_WAITERS, wake: true))
        #expect(RobustList.death(of: 42, entry: entry, value: 43) == .none)
        #expect(RobustList.death(of: 42, entry: RobustList.Entry(futex: 0, pi: false, pending: true), value: 0) == .wake)
    }
}

@Suite struct ThreadGroupTests {
    @Test func slotsAreReused() {
        var g = ThreadGroup(pid: 100)
        let s1 = g.join(tid: 101), s2 = g.join(tid: 102)
        #expect(s1 == 1 && s2 == 2)
        let left = g.leave(tid: 101, code: 0)
        #expect(left == nil)
        let s3 = g.join(tid: 103)
        #expect(s3 == 1 && g.slot(of: 102) == 2 && g.count == 3)
    }

    @Test func lastThreadReportsLeaderCodeOrGroupExit() {
        var g = ThreadGroup(pid: 100)
        _ = g.join(tid: 101)
        let main = g.leave(tid: 100, code: 7)                // pthread_exit in main: the process lives on
        let last = g.leave(tid: 101, code: 3)
        #expect(main == nil && last == .exited(code: 7))
        var k = ThreadGroup(pid: 200)
        _ = k.join(tid: 201)
        let first = k.requestExit(.killed(.SIGTERM, core: false))
        let second = k.requestExit(.exited(code: 1))         // the first group exit decides
        #expect(first && !second)
        let thread = k.leave(tid: 201, code: 0), leader = k.leave(tid: 200, code: 0)
        #expect(thread == nil && leader == .killed(.SIGTERM, core: false))
    }

    @Test func execFromAThreadTakesThePid() {
        var g = ThreadGroup(pid: 100)
        _ = g.join(tid: 101)
        _ = g.leave(tid: 100, code: 0)
        g.becomeLeader(101)
        #expect(g.members == [ThreadGroup.Member(tid: 100, slot: 1)])
    }

    @Test func processSignalsGoToAThreadNotBlockingThem() {
        var threads = [ThreadSignalState(), ThreadSignalState(), ThreadSignalState()]
        threads[0].blocked = SignalSet([.SIGUSR1])
        let st = ProcessSignalState()
        #expect(st.target(for: .SIGUSR1, slots: [0, 1, 2], threads: threads) == 1)
        #expect(st.target(for: .SIGUSR2, slots: [0, 1, 2], threads: threads) == 0)
        #expect(st.target(for: .SIGUSR1, slots: [0, 2], threads: threads) == 2)
        threads[2].blocked = SignalSet([.SIGUSR1])
        #expect(st.target(for: .SIGUSR1, slots: [0, 2], threads: threads) == nil)
    }

    @Test func processSignalTargetOverTheGroupMatchesTheSlotList() {
        var g = ThreadGroup(pid: 100)
        _ = g.join(tid: 101)
        _ = g.join(tid: 102)
        _ = g.leave(tid: 101, code: 0)
        var threads = [ThreadSignalState(), ThreadSignalState(), ThreadSignalState()]
        let st = ProcessSignalState()
        for blocked in [[0], [2], [0, 2], [1], []] {
            for i in threads.indices { threads[i].blocked = blocked.contains(i) ? SignalSet([.SIGUSR1]) : .empty }
            #expect(st.target(for: .SIGUSR1, group: g, threads: threads) == st.target(for: .SIGUSR1, slots: g.slots, threads: threads))
        }
    }
}

@Suite struct CloneRequestTests {
    @Test func pthreadCreateFlags() throws {
        let raw: UInt64 = 0x100 | 0x200 | 0x400 | 0x800 | 0x10000 | 0x40000 | 0x80000 | 0x100000 | 0x200000
        let r = try CloneRequest.clone(flags: raw, stack: 0x7000, parentTID: 0x10, tls: 0x20, childTID: 0x30)
        #expect(r.isThread && r.exitSignal == nil && r.stack == 0x7000 && r.tls == 0x20 && r.parentTID == 0x10 && r.childTID == 0x30)
        let fork = try CloneRequest.clone(flags: 17 | 0x1200000, stack: 0, parentTID: 0, tls: 0, childTID: 0)
        #expect(!fork.isThread && fork.exitSignal == .SIGCHLD)
    }

    @Test func inconsistentFlagsAreEinval() {
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone(flags: 0x10000 | 0x100, stack: 0, parentTID: 0, tls: 0, childTID: 0) }
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone(flags: 0x800, stack: 0, parentTID: 0, tls: 0, childTID: 0) }
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone(flags: 0x20000 | 17, stack: 0, parentTID: 0, tls: 0, childTID: 0) }
    }

    @Test func clone3() throws {
        var args = LinuxCloneArgs()
        args.flags = 0x100 | 0x800 | 0x10000
        args.stack = 0x10000; args.stack_size = 0x2000
        let r = try CloneRequest.clone3(args)
        #expect(r.stack == 0x12000 && r.exitSignal == nil)
        args.exit_signal = 17
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone3(args) }       // threads send no exit signal
        args.exit_signal = 0; args.stack_size = 0
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone3(args) }
        var fork = LinuxCloneArgs()
        fork.exit_signal = 17
        #expect(try CloneRequest.clone3(fork).exitSignal == .SIGCHLD)
        fork.exit_signal = 65
        #expect(throws: Errno.EINVAL) { try CloneRequest.clone3(fork) }
    }
}
