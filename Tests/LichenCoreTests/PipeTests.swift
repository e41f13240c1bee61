import Testing
@testable import LichenCore

/// Pipes and FIFOs through open files: blocking, EOF, EPIPE, O_NONBLOCK, FIFO open rules, poll.
@Suite(.serialized, .timeLimit(.minutes(1))) struct PipeTests {
    @Test func anonymousRoundTrip() async throws {
        let (r, w) = Pipe.makeAnonymous()
        #expect(r.status.type == .fifo && w.status.mode & 0o777 == 0o600)
        #expect(try await vfsWrite(w, vfsBytes("hello")) == 5)
        #expect(r.pollEvents.contains(.readable))
        #expect(try await vfsRead(r, count: 100) == vfsBytes("hello"))
        #expect(!r.pollEvents.contains(.readable))
        #expect(w.pollEvents.contains(.writable))
        #expect(await vfsError { _ = try await vfsRead(w, count: 1) } == .EBADF)
        #expect(await vfsError { _ = try await r.seek(0, whence: 0) } == .ESPIPE)
    }

    @Test func blockingReadWakesOnWriteAndEOF() async throws {
        let r: OpenFile
        var w: OpenFile?
        (r, w) = Pipe.makeAnonymous()               // no other reference: `w = nil` closes the write end
        let pipe = r.operations as! Pipe
        let reader = Task { () async throws -> [UInt8] in try await vfsRead(r, count: 10) }
        await eventually { pipe.state.waiterCount == 1 }
        _ = try await vfsWrite(w!, [7, 8])
        #expect(try await reader.value == [7, 8])
        let eof = Task { () async throws -> [UInt8] in try await vfsRead(r, count: 10) }
        await eventually { pipe.state.waiterCount == 1 }
        w = nil                                    // last writer closes: the reader sees EOF
        #expect(try await eof.value == [])
        #expect(r.pollEvents.contains(.hangUp))
    }

    @Test func writerBlocksUntilRoomAndLargeWritesComplete() async throws {
        let (r, w) = Pipe.makeAnonymous()
        let big = (0..<200_000).map { UInt8(truncatingIfNeeded: $0 % 251) }
        let writer = Task { () async throws -> Int in try await vfsWrite(w, big) }
        var got: [UInt8] = []
        while got.count < big.count { got += try await vfsRead(r, count: 3000) }
        #expect(try await writer.value == big.count)
        #expect(got == big)
    }

    @Test func brokenPipeAndNonBlocking() async throws {
        var r: OpenFile?
        let w: OpenFile
        (r, w) = Pipe.makeAnonymous(extraFlags: .O_NONBLOCK)
        #expect(await vfsError { _ = try await vfsRead(r!, count: 1) } == .EAGAIN)
        #expect(try await vfsWrite(w, [UInt8](repeating: 1, count: 65536)) == 65536)
        #expect(await vfsError { _ = try await vfsWrite(w, [1]) } == .EAGAIN)
        #expect(!w.pollEvents.contains(.writable))
        r = nil
        #expect(w.pollEvents.contains(.error))
        #expect(await vfsError { _ = try await vfsWrite(w, [1]) } == .EPIPE)
        let caller = testIoctlCaller()
        #expect(try await w.ioctl(request: LinuxIoctl.FIONREAD, argument: TestCallerMemory.base, caller: caller) == 0)
        #expect(try caller.load(Int32.self, from: TestCallerMemory.base) == 65536)
        #expect(await vfsError { _ = try await w.ioctl(request: LinuxIoctl.FIONREAD, argument: 0, caller: caller) } == .EFAULT)
    }

    @Test func fifoOpenRules() async throws {
        let fx = VFSFixture()
        _ = try await fx.vfs.mknod(vfsBytes("/f"), mode: FileMode.S_IFIFO | 0o644, device: .none, context: fx.context)
        // A writer without readers: ENXIO with O_NONBLOCK; a non-blocking reader opens at once.
        #expect(await vfsError { _ = try await fx.open("/f", [.O_WRONLY, .O_NONBLOCK]) } == .ENXIO)
        #expect(fx.vfs.fifos.count == 0)
        var nbReader: OpenFile? = try await fx.open("/f", [.O_RDONLY, .O_NONBLOCK])
        #expect(try await vfsRead(nbReader!, count: 4) == [])     // no writer yet: EOF
        nbReader = nil
        // A blocking reader waits for a writer, then they share one pipe.
        let reader = Task { () async throws -> [UInt8] in
            let f = try await fx.open("/f", .O_RDONLY)
            return try await vfsRead(f, count: 100)
        }
        await eventually { fx.vfs.fifos.count == 1 }
        var w: OpenFile? = try await fx.open("/f", .O_WRONLY)
        _ = try await vfsWrite(w!, vfsBytes("through the fifo"))
        #expect(try await reader.value == vfsBytes("through the fifo"))
        w = nil
        #expect(fx.vfs.fifos.count == 0)                          // last close forgets the pipe
        #expect(try await fx.stat("/f").type == .fifo)
        let rw = try await fx.open("/f", .O_RDWR)                  // O_RDWR never blocks
        _ = try await vfsWrite(rw, [1, 2])
        #expect(try await vfsRead(rw, count: 5) == [1, 2])
    }

    @Test func pollWaitsOnTheQueue() async throws {
        let (r, w) = Pipe.makeAnonymous()
        let queue = try #require(r.pollQueue)
        let poller = Task { await ended { () throws(WaitError) in try await waitAny([queue], until: { r.pollEvents.contains(.readable) }) } }
        await eventually { queue.waiterCount == 1 }
        _ = try await vfsWrite(w, [1])
        #expect(await poller.value == .value(true))
        #expect(r.pollEvents.contains(.readable))
    }
}

extension PipeTests {
    /// PIPE_BUF atomicity under contention: 4 writers of 4096-byte records, each record one byte
    /// value; whatever sizes the reader uses, the stream is whole records, never interleaved.
    @Test func concurrentAtomicWritesNeverInterleave() async throws {
        let (r, w) = Pipe.makeAnonymous()
        let writers = (1...4).map { id in
            Task { () async throws -> Void in
                for _ in 0..<40 { _ = try await vfsWrite(w, [UInt8](repeating: UInt8(id), count: PipeBuffer.atomicLimit)) }
            }
        }
        var stream: [UInt8] = []
        let total = 4 * 40 * PipeBuffer.atomicLimit
        var size = 1000
        while stream.count < total {
            stream += try await vfsRead(r, count: min(size, total - stream.count))
            size = size % 7000 + 1337
        }
        for t in writers { try await t.value }
        var whole = true
        for record in stride(from: 0, to: total, by: PipeBuffer.atomicLimit) {
            let first = stream[record]
            if stream[record..<record + PipeBuffer.atomicLimit].contains(where: { $0 != first }) { whole = false }
        }
        #expect(whole)
    }
}
