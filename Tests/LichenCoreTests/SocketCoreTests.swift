import Testing
@testable import LichenCore

/// The host-tested socket core: sockaddr_un parsing with Linux's length rules, the receive queue
/// (stream and record reads, attachments, credits), buffer and backlog limits.
@Suite struct UnixAddressTests {
    func sockaddr(_ path: [UInt8], family: UInt16 = LinuxSocket.AF_UNIX) -> [UInt8] {
        [UInt8(truncatingIfNeeded: family), UInt8(truncatingIfNeeded: family >> 8)] + path
    }

    @Test func pathUpToFirstNul() throws {
        #expect(try UnixAddress.parse(sockaddr(Array("/tmp/s".utf8) + [0, 9, 9])) == .name(.path(Array("/tmp/s".utf8))))
        // No NUL inside the length: the path is all of it (Linux terminates it).
        #expect(try UnixAddress.parse(sockaddr(Array("ab".utf8))) == .name(.path(Array("ab".utf8))))
    }

    @Test func abstractKeepsEveryByte() throws {
        #expect(try UnixAddress.parse(sockaddr([0, 65, 0, 66])) == .name(.abstract([65, 0, 66])))
        #expect(try UnixAddress.parse(sockaddr([0])) == .name(.abstract([])))
    }

    @Test func familyAloneIsAutobind() throws {
        #expect(try UnixAddress.parse(sockaddr([])) == .autobind)
    }

    @Test func lengthAndFamilyErrors() {
        #expect(throws: Errno.EINVAL) { try UnixAddress.parse([1]) }
        #expect(throws: Errno.EINVAL) { try UnixAddress.parse(self.sockaddr([65], family: 2)) }
        #expect(throws: Errno.EINVAL) { try UnixAddress.parse(self.sockaddr([UInt8](repeating: 65, count: 109))) }
        #expect((try? UnixAddress.parse(self.sockaddr([UInt8](repeating: 65, count: 108)))) != nil)
    }

    @Test func encodedLengths() {
        #expect(UnixAddress.unnamed.encoded.count == 2)
        #expect(UnixAddress.path(Array("/tmp/x".utf8)).encoded.count == 9)        // family, path, NUL
        #expect(UnixAddress.abstract([1, 2, 3]).encoded == [1, 0, 0, 1, 2, 3])
        #expect(UnixAddress.autobindName(0x1a2).encoded.count == 8)
        #expect(UnixAddress.autobindName(0x1a2) == .abstract(Array("001a2".utf8)))
    }
}

@Suite struct SocketMessageQueueTests {
    typealias Queue = SocketMessageQueue<[Int], Int>

    func queue(_ messages: [([UInt8], Int, [Int]?)]) -> Queue {
        var q = Queue()
        for (bytes, sender, files) in messages { q.append(.init(bytes: bytes, sender: sender, attachment: files)) }
        return q
    }

    @Test func streamReadsAcrossMessages() {
        var q = queue([([1, 2], 7, nil), ([3, 4, 5], 8, nil)])
        #expect(q.byteCount == 5)
        let t = q.readStream(limit: 4, peek: false)
        #expect(t.bytes == [1, 2, 3, 4])
        #expect(t.credits.map { $0.bytes } == [2, 2] && t.credits.map { $0.sender } == [7, 8])
        #expect(t.firstSender == 7)
        #expect(q.byteCount == 1 && q.count == 1)
        #expect(q.readStream(limit: 10, peek: false).bytes == [5])
        #expect(q.isEmpty)
    }

    @Test func streamPeekLeavesEverything() {
        var q = queue([([1, 2], 1, nil), ([3], 1, [42])])
        let t = q.readStream(limit: 10, peek: true)
        #expect(t.bytes == [1, 2, 3] && t.attachments == [[42]] && t.credits.isEmpty)
        #expect(q.byteCount == 3)
        #expect(q.readStream(limit: 10, peek: false).attachments == [[42]])
    }

    @Test func streamStopsAfterAttachment() {
        var q = queue([([1], 1, nil), ([2], 1, [9]), ([3], 1, nil)])
        let t = q.readStream(limit: 10, peek: false)
        #expect(t.bytes == [1, 2] && t.attachments == [[9]])
        #expect(q.readStream(limit: 10, peek: false).bytes == [3])
    }

    @Test func streamAttachmentDeliveredOnceWithPartialRead() {
        var q = queue([([1, 2, 3], 1, [5])])
        let first = q.readStream(limit: 1, peek: false)
        #expect(first.bytes == [1] && first.attachments == [[5]])
        let rest = q.readStream(limit: 10, peek: false)
        #expect(rest.bytes == [2, 3] && rest.attachments.isEmpty)
    }

    @Test func streamBatchRule() {
        var q = queue([([1], 1, nil), ([2], 2, nil)])
        let t = q.readStream(limit: 10, peek: false, sameBatch: { $0.sender == $1.sender })
        #expect(t.bytes == [1])
    }

    @Test func urgentByteStopsReadsAndIsSkipped() {
        var q = queue([([1, 2], 1, nil)])
        q.appendUrgent(.init(bytes: [3], sender: 1, attachment: nil))
        q.append(.init(bytes: [4], sender: 1, attachment: nil))
        #expect(!q.atMark)
        let a = q.readStream(limit: 10, peek: false)
        #expect(a.bytes == [1, 2] && a.stoppedAtMark)
        #expect(q.atMark)
        let b = q.readStream(limit: 10, peek: false)             // not inline: the urgent byte is skipped
        #expect(b.bytes == [4] && b.credits.map { $0.bytes } == [1, 1])
        #expect(q.isEmpty && q.byteCount == 0)
    }

    @Test func urgentByteInlineAndConsumed() {
        var q = Queue()
        q.appendUrgent(.init(bytes: [1], sender: 1, attachment: nil))
        q.appendUrgent(.init(bytes: [2], sender: 2, attachment: nil))   // the first becomes ordinary data
        let a = q.readStream(limit: 10, peek: false, urgentInline: true)
        #expect(a.bytes == [1] && a.stoppedAtMark && !a.tookUrgent)
        let b = q.readStream(limit: 10, peek: false, urgentInline: true)
        #expect(b.bytes == [2] && b.tookUrgent)
        var c = Queue()
        c.append(.init(bytes: [5], sender: 1, attachment: nil))
        c.appendUrgent(.init(bytes: [6], sender: 3, attachment: nil))
        #expect(c.consumeUrgent() == 3 && c.byteCount == 1)
        #expect(c.readStream(limit: 10, peek: false).bytes == [5] && c.isEmpty)
    }

    @Test func peekOffsetSkipsBytes() {
        var q = queue([([1, 2], 1, nil), ([3, 4, 5], 1, nil)])
        #expect(q.readStream(limit: 2, peek: true, skip: 1).bytes == [2, 3])
        #expect(q.readStream(limit: 10, peek: true, skip: 2).bytes == [3, 4, 5])
        #expect(q.readStream(limit: 10, peek: true, skip: 5).bytes.isEmpty)
        #expect(q.readStream(limit: 10, peek: false, skip: 3).bytes == [1, 2, 3, 4, 5])
    }

    @Test func recordsKeepBoundariesAndTruncate() {
        var q = queue([([1, 2, 3], 1, nil), ([], 2, nil), ([4], 3, [7])])
        let a = q.readRecord(limit: 2, peek: false)!
        #expect(a.bytes == [1, 2] && a.recordLength == 3 && a.credits.first?.bytes == 3)
        let empty = q.readRecord(limit: 10, peek: false)!
        #expect(empty.bytes.isEmpty && empty.recordLength == 0 && empty.firstSender == 2)
        let peeked = q.readRecord(limit: 10, peek: true)!
        #expect(peeked.bytes == [4] && peeked.attachments == [[7]])
        #expect(q.readRecord(limit: 10, peek: false)!.attachments == [[7]])
        #expect(q.readRecord(limit: 10, peek: false) == nil)
    }

    @Test func removeAllReturnsAttachmentsAndCredits() {
        var q = queue([([1, 2], 1, [3]), ([4], 2, nil)])
        _ = q.readStream(limit: 1, peek: false)
        let t = q.removeAll()
        #expect(t.attachments.isEmpty)                       // already delivered with the first byte
        #expect(t.credits.map { $0.bytes } == [1, 1])
        #expect(q.isEmpty && q.byteCount == 0)
        var r = queue([([1], 1, [8])])
        #expect(r.removeAll().attachments == [[8]])
    }

    @Test func byteCopies() {
        #expect(byteSlice([1, 2, 3, 4], 1..<3) == [2, 3])
        #expect(byteSlice([1, 2], 0..<0).isEmpty)
        var b: [UInt8] = [9]
        appendBytes(&b, [1, 2, 3], 1..<3)
        #expect(b == [9, 2, 3])
        var e: [UInt8] = []
        appendBytes(&e, [5, 6], 0..<2)
        #expect(e == [5, 6])
    }

    @Test func manyMessagesCompact() {
        var q = Queue()
        for i in 0..<100 { q.append(.init(bytes: [UInt8(i)], sender: i, attachment: nil)) }
        for i in 0..<100 { #expect(q.readRecord(limit: 1, peek: false)!.bytes == [UInt8(i)]) }
        #expect(q.isEmpty && q.messages.isEmpty)
    }
}

@Suite struct SocketLimitsTests {
    @Test func bufferSizes() {
        #expect(SocketLimits.bufferSize(requested: 1000, send: true) == 4608)
        #expect(SocketLimits.bufferSize(requested: 10000, send: true) == 20000)
        #expect(SocketLimits.bufferSize(requested: 1000, send: false) == 2304)
        #expect(SocketLimits.bufferSize(requested: -1, send: true) == 2 * SocketLimits.maximumBuffer)
        #expect(SocketLimits.bufferSize(requested: Int32.max, send: false) == 2 * SocketLimits.maximumBuffer)
    }

    @Test func backlog() {
        #expect(SocketLimits.backlog(-1) == 4096)
        #expect(SocketLimits.backlog(5) == 5)
        #expect(!SocketLimits.backlogIsFull(pending: 0, backlog: 0))
        #expect(SocketLimits.backlogIsFull(pending: 1, backlog: 0))
    }
}
