import Testing
@testable import LichenCore

@Suite struct PosixMessageQueueTests {
    @Test func priorityOrderThenArrival() {
        var q = PosixMessageQueue(maxMessages: 10, messageSize: 16)
        _ = q.send([1], priority: 1)
        _ = q.send([2], priority: 5)
        _ = q.send([3], priority: 1)
        _ = q.send([4], priority: 5)
        _ = q.send([5], priority: 0)
        #expect(q.bytes == 5)
        var order: [UInt8] = []
        while let m = q.receive() { order.append(m.text[0]) }
        #expect(order == [2, 4, 1, 3, 5])
        #expect(q.bytes == 0)
    }

    @Test func fullAndPoll() {
        var q = PosixMessageQueue(maxMessages: 2, messageSize: 8)
        #expect(q.pollEvents == [.writable])
        _ = q.send([0], priority: 0)
        #expect(q.pollEvents == [.readable, .writable])
        _ = q.send([0], priority: 0)
        #expect(q.isFull)
        #expect(q.pollEvents == [.readable])
    }

    @Test func notifiesOnceWhenEmptyQueueGetsAMessage() {
        var q = PosixMessageQueue(maxMessages: 4, messageSize: 8)
        let n = PosixMessageQueue.Notification(kind: LinuxSigevent.SIGEV_SIGNAL, signal: 10, value: 7, owner: 42)
        q.notification = n
        #expect(q.send([1], priority: 0) == n)
        #expect(q.notification == nil)
        q.notification = n
        #expect(q.send([2], priority: 0) == nil)          // not empty before: nothing, still registered
        #expect(q.notification == n)
        _ = q.receive(); _ = q.receive()
        q.waitingReceivers = 1
        #expect(q.send([3], priority: 0) == nil)          // a receiver waits: it gets the message
        #expect(q.notification == n)
    }

    @Test func statusLineAsLinux() {
        var q = PosixMessageQueue(maxMessages: 4, messageSize: 8)
        _ = q.send([1, 2, 3], priority: 0)
        #expect(String(decoding: q.statusLine, as: UTF8.self) == "QSIZE:3          NOTIFY:0     SIGNO:0     NOTIFY_PID:0     \n")
        q.notification = PosixMessageQueue.Notification(kind: LinuxSigevent.SIGEV_SIGNAL, signal: 12, value: 0, owner: 77)
        #expect(String(decoding: q.statusLine, as: UTF8.self) == "QSIZE:3          NOTIFY:0     SIGNO:12    NOTIFY_PID:77    \n")
        q.notification = PosixMessageQueue.Notification(kind: LinuxSigevent.SIGEV_NONE, signal: 12, value: 0, owner: 77)
        #expect(String(decoding: q.statusLine, as: UTF8.self) == "QSIZE:3          NOTIFY:1     SIGNO:0     NOTIFY_PID:77    \n")
    }

    @Test func attributes() {
        var q = PosixMessageQueue(maxMessages: 3, messageSize: 100)
        _ = q.send([], priority: 1)
        #expect(q.attributes(nonBlocking: true) == LinuxMqAttr(flags: 0o4000, maxmsg: 3, msgsize: 100, curmsgs: 1))
    }

    @Test func limitsValidate() {
        let l = PosixMessageQueueLimits()
        #expect(l.defaultAttributes == (10, 8192))
        #expect(throws: Errno.EINVAL) { try l.validate(maxMessages: 0, messageSize: 1, privileged: true) }
        #expect(throws: Errno.EINVAL) { try l.validate(maxMessages: 1, messageSize: -1, privileged: true) }
        #expect(throws: Errno.EINVAL) { try l.validate(maxMessages: 11, messageSize: 1, privileged: false) }
        #expect(throws: Errno.EINVAL) { try l.validate(maxMessages: 1, messageSize: 8193, privileged: false) }
        #expect(throws: Never.self) { try l.validate(maxMessages: 11, messageSize: 8193, privileged: true) }
        #expect(throws: Errno.EINVAL) { try l.validate(maxMessages: 65537, messageSize: 1, privileged: true) }
        var capped = l
        capped.msgMax = 5
        #expect(capped.defaultAttributes == (5, 8192))
    }

    @Test func accountingAsLinux() throws {
        // A default queue costs 10 * 8192 + 10 * 48 + 10 * 48 bytes: nine fit in 819200.
        let cost = PosixMessageQueueLimits.chargedBytes(maxMessages: 10, messageSize: 8192)
        #expect(cost == 82880)
        var a = PosixMessageQueueAccounting()
        for _ in 0..<9 { try a.charge(cost, to: 0, limit: 819_200) }
        #expect(throws: Errno.EMFILE) { try a.charge(cost, to: 0, limit: 819_200) }
        try a.charge(cost, to: 1000, limit: 819_200)
        a.uncharge(cost, from: 0)
        try a.charge(cost, to: 0, limit: 819_200)
        #expect(a.bytes(of: 0) == 9 * cost)
        try a.addQueue(limit: 1, privileged: false)
        #expect(throws: Errno.ENOSPC) { try a.addQueue(limit: 1, privileged: false) }
        try a.addQueue(limit: 1, privileged: true)
        #expect(a.queues == 2)
    }

    @Test func names() {
        #expect(throws: Errno.EACCES) { try PosixMessageQueueName.check(Array("a/b".utf8)) }
        #expect(throws: Errno.EACCES) { try PosixMessageQueueName.check(Array("..".utf8)) }
        #expect(throws: Errno.ENAMETOOLONG) { try PosixMessageQueueName.check([UInt8](repeating: 0x61, count: 256)) }
        #expect(throws: Never.self) { try PosixMessageQueueName.check([UInt8](repeating: 0x61, count: 255)) }
    }
}
