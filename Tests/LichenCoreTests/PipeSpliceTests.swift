import Testing
@testable import LichenCore

/// The pipe side of splice/tee/vmsplice: peeking without taking, claims that hold other readers
/// back until the bytes are consumed, reservations that hold room against other writers.
@Suite(.serialized, .timeLimit(.minutes(1))) struct PipeSpliceTests {
    func open() -> PipeBuffer {
        var p = PipeBuffer(capacity: 8192)
        p.openEnd(read: true, write: true)
        return p
    }

    func put(_ p: inout PipeBuffer, _ bytes: [UInt8]) {
        _ = bytes.withUnsafeBytes { p.write(from: $0, atomic: false) }
    }

    func peek(_ p: PipeBuffer, _ count: Int, skipping skip: Int = 0) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: count)
        let n = out.withUnsafeMutableBytes { p.peek(into: $0, skipping: skip) }
        return Array(out[0..<n])
    }

    @Test func peekLeavesBytesAndDiscardTakesThem() {
        var p = open()
        put(&p, [UInt8](repeating: 9, count: 8000))
        var out = [UInt8](repeating: 0, count: 7000)
        _ = out.withUnsafeMutableBytes { p.read(into: $0) }           // the head moves near the end
        put(&p, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12])                 // and the bytes wrap around
        #expect(peek(p, 4, skipping: 1000) == [1, 2, 3, 4])
        #expect(peek(p, 100, skipping: 1008) == [9, 10, 11, 12])
        #expect(peek(p, 4, skipping: 5000) == [])
        p.discard(1002)
        #expect(p.count == 10 && peek(p, 3) == [3, 4, 5])
    }

    @Test func aClaimHoldsOtherReadersBack() {
        var p = open()
        put(&p, [1, 2, 3])
        p.claimed = true
        var out = [UInt8](repeating: 0, count: 3)
        let held = out.withUnsafeMutableBytes { p.read(into: $0) }
        #expect(held == .wouldBlock)
        p.discard(2)
        p.claimed = false
        let released = out.withUnsafeMutableBytes { p.read(into: $0) }
        #expect(released == .data(1) && out[0] == 3)
    }

    @Test func reservedRoomIsNotFreeToOthers() {
        var p = open()
        put(&p, [UInt8](repeating: 1, count: 4000))
        let room = p.reserve(upTo: 10_000)
        #expect(room == 4192)
        #expect(p.free == 0 && !p.writable)
        let refused = [UInt8](repeating: 2, count: 10).withUnsafeBytes { p.write(from: $0, atomic: false) }
        #expect(refused == .wouldBlock)
        let resized = p.resize(to: 4096)
        #expect(!resized)
        [UInt8](repeating: 3, count: 100).withUnsafeBytes { p.fillReserved(4192, from: $0) }
        #expect(p.count == 4100 && p.free == 4092 && p.reserved == 0)
        #expect(peek(p, 2, skipping: 3999) == [1, 3])
    }

    @Test func spliceWaitsAreWokenByTheOtherEnd() async throws {
        let (r, w) = Pipe.makeAnonymous()
        let pipe = r.operations as! Pipe
        let claimer = Task { () async throws -> Bool in try await pipe.claimData(nonBlocking: false) }
        await eventually { pipe.state.waiterCount == 1 }
        _ = try await vfsWrite(w, [5, 6, 7])
        #expect(try await claimer.value)
        let reader = Task { () async throws -> [UInt8] in try await vfsRead(r, count: 10) }   // held back
        await eventually { pipe.state.waiterCount == 1 }
        pipe.consume(2, releasing: true)
        #expect(try await reader.value == [7])

        _ = try await vfsWrite(w, [UInt8](repeating: 1, count: PipeBuffer.defaultCapacity))
        await #expect(throws: Errno.EAGAIN) { _ = try await pipe.reserveRoom(upTo: 10, nonBlocking: true) }
        let reserver = Task { () async throws -> Int in try await pipe.reserveRoom(upTo: 10, nonBlocking: false) }
        await eventually { pipe.state.waiterCount == 1 }
        _ = try await vfsRead(r, count: 4)
        #expect(try await reserver.value == 4)
        pipe.fill(4, from: UnsafeRawBufferPointer(start: nil, count: 0))
        #expect(pipe.state.value.free == 4 && pipe.state.value.reserved == 0)
    }

    @Test func noReaderIsEPIPEAndEndOfFileIsFalse() async throws {
        var (r, w): (OpenFile?, OpenFile?) = Pipe.makeAnonymous()
        let pipe = r!.operations as! Pipe
        r = nil
        await #expect(throws: Errno.EPIPE) { _ = try await pipe.reserveRoom(upTo: 1, nonBlocking: false) }
        #expect(pipe.reserveMore(upTo: 1) == 0)
        var (r2, w2): (OpenFile, OpenFile?) = Pipe.makeAnonymous()
        let p2 = r2.operations as! Pipe
        w2 = nil                                   // the last writer: end of file
        #expect(try await p2.claimData(nonBlocking: false) == false)
        #expect(try await p2.waitForData(nonBlocking: true) == false)
        _ = (r2, w2, w)
        w = nil
    }
}
