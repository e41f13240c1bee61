import Testing
@testable import LichenCore

/// epoll's interest and ready lists: only woken entries are polled, level- and edge-triggered
/// reports, one-shot, keyed wake-ups, removal, loops and nesting depth.
@Suite struct EpollInterestListTests {
    /// A fake file: its readiness and its poll queue.
    final class FakeFile: @unchecked Sendable {
        var events: PollEvents = []
        var gone = false
        let queue = WaitQueue()
    }

    final class Harness {
        let list = EpollInterestList()
        var files: [Int32: FakeFile] = [:]
        var polls = 0

        @discardableResult
        func add(_ fd: Int32, _ events: UInt32, data: UInt64 = 0) -> FakeFile {
            let f = FakeFile()
            files[fd] = f
            #expect(list.add(EpollInterest(in: list, fd: fd, serial: UInt64(fd), events: events, data: data), queue: f.queue) == nil)
            return f
        }

        func harvest(_ max: Int = 64) -> [EpollReport] {
            list.harvest(max: max) { e in
                self.polls += 1
                let f = self.files[e.fd]!
                return f.gone ? nil : f.events
            }
        }
    }

    @Test func levelTriggeredReportsUntilNotReady() {
        let h = Harness()
        let f = h.add(3, 0x1, data: 42)
        #expect(h.harvest().isEmpty)                         // polled once at add, not ready
        f.events = .readable
        f.queue.wakeAll()
        let r = h.harvest()
        #expect(r.count == 1 && r[0].events == 0x1 && r[0].data == 42)
        #expect(h.harvest().count == 1)                      // still ready: reported again
        f.events = []
        #expect(h.harvest().isEmpty)
        #expect(!h.list.hasQueued)
    }

    @Test func edgeTriggeredReportsOncePerWakeUp() {
        let h = Harness()
        let f = h.add(3, 0x1 | EpollInterestList.EPOLLET)
        f.events = .readable
        f.queue.wakeAll(reporting: .readable)
        #expect(h.harvest().count == 1)
        #expect(h.harvest().isEmpty)                         // still readable, no new event
        f.queue.wakeAll(reporting: .writable)                // a read made room: not an input edge
        #expect(h.harvest().isEmpty)
        f.queue.wakeAll(reporting: .readable)
        #expect(h.harvest().count == 1)
    }

    @Test func oneShotUntilModified() {
        let h = Harness()
        let f = h.add(3, 0x1 | EpollInterestList.EPOLLONESHOT)
        f.events = .readable
        #expect(h.harvest().count == 1)
        f.queue.wakeAll()
        #expect(h.harvest().isEmpty)
        #expect(h.list.modify(3, 3, events: 0x1 | EpollInterestList.EPOLLONESHOT, data: 5) == nil)
        #expect(h.harvest().first?.data == 5)
    }

    @Test func onlyWokenEntriesArePolled() {
        let h = Harness()
        var all: [FakeFile] = []
        for fd in 0..<1000 { all.append(h.add(Int32(fd), 0x1)) }
        _ = h.harvest(2000)                                  // the initial polls
        h.polls = 0
        all[500].events = .readable
        all[500].queue.wakeAll()
        #expect(h.harvest().count == 1)
        #expect(h.polls == 1)
    }

    @Test func hangUpAndErrorAlwaysReported() {
        let h = Harness()
        let f = h.add(3, 0x4)
        f.events = [.hangUp, .readable]
        #expect(h.harvest().first?.events == 0x10)
    }

    @Test func controlErrors() {
        let h = Harness()
        h.add(3, 0x1)
        #expect(h.list.add(EpollInterest(in: h.list, fd: 3, serial: 3, events: 1, data: 0), queue: nil) == .EEXIST)
        #expect(h.list.modify(4, 4, events: 1, data: 0) == .ENOENT)
        #expect(h.list.delete(4, 4) == .ENOENT)
        #expect(h.list.delete(3, 3) == nil)
        #expect(h.list.count == 0)
        h.files[3]!.events = .readable
        h.files[3]!.queue.wakeAll()
        #expect(h.harvest().isEmpty)
        #expect(h.files[3]!.queue.watchers.isEmpty)
        let g = h.add(5, 0x1 | EpollInterestList.EPOLLEXCLUSIVE)
        #expect(h.list.modify(5, 5, events: 1, data: 0) == .EINVAL)
        _ = g
    }

    @Test func goneFilesAreDropped() {
        let h = Harness()
        let f = h.add(3, 0x1)
        f.gone = true
        f.queue.wakeAll()
        #expect(h.harvest().isEmpty)
        #expect(h.list.count == 0)
    }

    @Test func smallMaxRotates() {
        let h = Harness()
        for fd in 0..<3 { h.add(Int32(fd), 0x1, data: UInt64(fd)).events = .readable }
        #expect(h.harvest(2).map { $0.data } == [0, 1])
        #expect(h.harvest(2).map { $0.data } == [2, 0])
    }

    @Test func wakeUpDuringPollQueuesAgain() {
        let h = Harness()
        let f = h.add(3, 0x1 | EpollInterestList.EPOLLET)
        f.events = .readable
        var woke = false
        let r = h.list.harvest(max: 4) { _ in
            if !woke { woke = true; f.queue.wakeAll(reporting: .readable) }   // a write while the wait polls
            return f.events
        }
        #expect(r.count == 1)
        #expect(h.list.hasQueued)                            // that wake-up is not lost (Linux's ovflist)
        #expect(h.harvest().count == 1)
        #expect(h.harvest().isEmpty)
    }

    @Test func deleteDuringPollDropsTheReport() {
        let h = Harness()
        h.add(3, 0x1, data: 3).events = .readable
        h.add(4, 0x1, data: 4).events = .readable
        let r = h.list.harvest(max: 4) { e in
            if e.fd == 3 { #expect(h.list.delete(4, 4) == nil) }
            return h.files[e.fd]!.events
        }
        #expect(r.map { $0.data } == [3])
        #expect(h.harvest().map { $0.data } == [3])
    }

    @Test func reportsHaveEpollEventLayout() {
        #expect(MemoryLayout<EpollReport>.stride == 16)
        #expect(MemoryLayout<EpollReport>.offset(of: \.events) == 0)
        #expect(MemoryLayout<EpollReport>.offset(of: \.data) == 8)
    }

    @Test func nestedLoopsAndDepth() {
        var lists: [EpollInterestList] = []
        for _ in 0..<6 { lists.append(EpollInterestList()) }
        func watch(_ outer: Int, _ inner: Int) -> Bool {
            if lists[outer].wouldLoop(adding: lists[inner]) { return false }
            let e = EpollInterest(in: lists[outer], fd: Int32(inner), serial: UInt64(inner), events: 1, data: 0, nested: lists[inner])
            return lists[outer].add(e, queue: lists[inner].waitQueue) == nil
        }
        #expect(watch(1, 0))
        #expect(!watch(0, 1))                                // a loop
        #expect(!watch(0, 0))
        #expect(watch(2, 1))
        #expect(watch(3, 2))
        #expect(watch(4, 3))                                 // 5 levels: 4 nestings
        #expect(!watch(5, 4))                                // one too deep
        lists[4].removeAll()
        #expect(watch(5, 3))
    }

    @Test func nestedReadiness() {
        let inner = Harness()
        let f = inner.add(3, 0x1)
        let outer = EpollInterestList()
        #expect(outer.add(EpollInterest(in: outer, fd: 9, serial: 9, events: 1, data: 0, nested: inner.list), queue: inner.list.waitQueue) == nil)
        let innerReady = { inner.list.hasReadyEvents { e in inner.files[e.fd]!.events } }
        func outerHarvest() -> Int { outer.harvest(max: 4) { _ in innerReady() ? .readable : [] }.count }
        #expect(outerHarvest() == 0)
        f.events = .readable
        f.queue.wakeAll()
        #expect(outerHarvest() == 1)
    }
}

@Suite struct EventCounterTests {
    @Test func plainAndSemaphoreReads() {
        var c = EventCounter(3, semaphore: false)
        let first = c.read(), second = c.read()
        #expect(first == 3 && second == nil)
        var s = EventCounter(2, semaphore: true)
        let a = s.read(), b = s.read(), z = s.read()
        #expect(a == 1 && b == 1 && z == nil)
    }

    @Test func overflowWaits() {
        var c = EventCounter(0, semaphore: false)
        let filled = c.write(EventCounter.maximum)
        #expect(filled && !c.writable && c.readable)
        let more = c.write(1), zero = c.write(0)
        #expect(!more && zero)
        let all = c.read()
        #expect(all == EventCounter.maximum)
        let five = c.write(5)
        #expect(five && c.count == 5)
    }
}

@Suite struct TimerFdStateTests {
    @Test func oneShot() {
        var t = TimerFdState()
        _ = t.set(value: 100, interval: 0, absolute: false, at: 1000)
        #expect(t.expirations(at: 1099) == 0 && t.remaining(at: 1050) == (50, 0))
        let n = t.take(at: 1100)
        #expect(n == 1 && !t.armed && t.remaining(at: 2000) == (0, 0))
        let again = t.take(at: 5000)
        #expect(again == nil)
    }

    @Test func periodicCountsMissedPeriods() {
        var t = TimerFdState()
        _ = t.set(value: 10, interval: 10, absolute: false, at: 0)
        #expect(t.expirations(at: 35) == 3)
        #expect(t.remaining(at: 35) == (5, 10))
        let n = t.take(at: 35)
        #expect(n == 3 && t.next == 40 && t.expirations(at: 39) == 0)
    }

    @Test func absoluteInThePastAndOldValue() {
        var t = TimerFdState()
        _ = t.set(value: 50, interval: 20, absolute: true, at: 100)
        #expect(t.expirations(at: 100) == 3)                 // 50, 70, 90
        let old = t.set(value: 0, interval: 0, absolute: false, at: 100)
        #expect(old == (10, 20) && !t.armed && t.remaining(at: 100) == (0, 0))
    }
}

@Suite struct RseqRegistrationTests {
    @Test func registerAndUnregisterRules() throws {
        var r = RseqRegistration()
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x1000, length: 32, flags: 1, signature: 7) }
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x1000, length: 16, flags: 0, signature: 7) }
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x1008, length: 32, flags: 0, signature: 7) }
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x1000, length: 32, flags: 2, signature: 7) }
        #expect(try r.request(address: 0x1000, length: 32, flags: 0, signature: 7) == false)
        #expect(r.isRegistered && r.writtenCPU == nil)
        #expect(throws: Errno.EBUSY) { _ = try r.request(address: 0x1000, length: 32, flags: 0, signature: 7) }
        #expect(throws: Errno.EPERM) { _ = try r.request(address: 0x1000, length: 32, flags: 0, signature: 8) }
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x2000, length: 32, flags: 0, signature: 7) }
        #expect(throws: Errno.EPERM) { _ = try r.request(address: 0x1000, length: 32, flags: 1, signature: 8) }
        #expect(throws: Errno.EINVAL) { _ = try r.request(address: 0x1000, length: 64, flags: 1, signature: 7) }
        #expect(try r.request(address: 0x1000, length: 32, flags: 1, signature: 7) == true)
        #expect(!r.isRegistered)
    }

    @Test func criticalSection() {
        #expect(RseqRegistration.inCriticalSection(pc: 0x100, start: 0x100, postCommitOffset: 8))
        #expect(!RseqRegistration.inCriticalSection(pc: 0x108, start: 0x100, postCommitOffset: 8))
        #expect(!RseqRegistration.inCriticalSection(pc: 0xff, start: 0x100, postCommitOffset: 8))
    }
}
