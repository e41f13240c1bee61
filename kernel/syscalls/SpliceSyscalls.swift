import LichenCore
import _Concurrency

/// splice, tee and vmsplice (Linux's fs/splice.c), by copying through a kernel buffer: Lichen's
/// pipes hold bytes, not page references. The waits and their order are Linux's; the pipe side
/// (claims and reservations, so that nothing is lost or duplicated under concurrency) is
/// `Pipe`'s, in LichenCore/IPC/PipeSplice.swift.
enum SpliceSyscalls {
    static let SPLICE_F_MOVE: UInt32 = 1, SPLICE_F_NONBLOCK: UInt32 = 2, SPLICE_F_MORE: UInt32 = 4, SPLICE_F_GIFT: UInt32 = 8
    /// MOVE, MORE and GIFT are hints (nothing to move or gift in a copy), accepted as Linux does.
    static let knownFlags: UInt32 = 0xf
    static let maxTransfer = 0x7fff_f000                        // MAX_RW_COUNT
    private static let unsupported = ReportOnce(count: 2)

    /// splice(fd_in, *off_in, fd_out, *off_out, len, flags): checks in Linux's order.
    static func splice(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let inFd = a.fd(0), inOffsetAddress = a.address(1), outFd = a.fd(2), outOffsetAddress = a.address(3)
        let length = a[4], flags = a.uint32(5)
        if length == 0 { return 0 }
        guard flags & ~knownFlags == 0 else { throw .EINVAL }
        let input = try descriptor(a, inFd), output = try descriptor(a, outFd)
        let inPipe = input.operations?.pipe, outPipe = output.operations?.pipe
        if inPipe != nil && inOffsetAddress.value != 0 { throw .ESPIPE }
        if outPipe != nil && outOffsetAddress.value != 0 { throw .ESPIPE }
        let outOffset: Int64? = outOffsetAddress.value == 0 ? nil : try a.user.load(Int64.self, from: outOffsetAddress)
        let inOffset: Int64? = inOffsetAddress.value == 0 ? nil : try a.user.load(Int64.self, from: inOffsetAddress)
        guard input.flags.allowsRead, output.flags.allowsWrite else { throw .EBADF }
        var nonBlocking = flags & SPLICE_F_NONBLOCK != 0
        let count = Int(min(length, UInt64(maxTransfer)))
        if let inPipe, let outPipe {
            guard inPipe !== outPipe else { throw .EINVAL }
            nonBlocking = nonBlocking || input.isNonBlocking || output.isNonBlocking
            return result(try await pipeToPipe(inPipe, outPipe, count: count, nonBlocking: nonBlocking))
        }
        if let inPipe {
            let sink = try await SpliceSink(a, output, offset: outOffset, length: length)
            var position = outOffset
            let n = try await fromPipe(inPipe, to: sink, count: count, nonBlocking: nonBlocking || input.isNonBlocking,
                                       position: &position)
            if let position { try a.user.store(position, to: outOffsetAddress) }
            return result(n)
        }
        if let outPipe {
            nonBlocking = nonBlocking || output.isNonBlocking
            let source = try await SpliceSource(a, input, offset: inOffset, nonBlocking: nonBlocking)
            var position = inOffset
            let n = try await toPipe(outPipe, from: source, count: count, nonBlocking: nonBlocking, position: &position)
            if let position { try a.user.store(position, to: inOffsetAddress) }
            return result(n)
        }
        throw .EINVAL
    }

    /// tee(fd_in, fd_out, len, flags): duplicates up to `len` bytes of one pipe into another,
    /// leaving them in the first.
    static func tee(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let inFd = a.fd(0), outFd = a.fd(1), length = a[2], flags = a.uint32(3)
        guard flags & ~knownFlags == 0 else { throw .EINVAL }
        if length == 0 { return 0 }
        let input = try descriptor(a, inFd), output = try descriptor(a, outFd)
        guard input.flags.allowsRead, output.flags.allowsWrite else { throw .EBADF }
        guard let inPipe = input.operations?.pipe, let outPipe = output.operations?.pipe, inPipe !== outPipe else { throw .EINVAL }
        let nonBlocking = flags & SPLICE_F_NONBLOCK != 0 || input.isNonBlocking || output.isNonBlocking
        let count = Int(min(length, UInt64(maxTransfer)))
        let buffer = try IOBuffer(count: min(count, FileSyscalls.chunk), zeroed: false)
        while true {
            let hasData = try await inPipe.waitForData(nonBlocking: nonBlocking)         // ipipe_prep
            var room = try await outPipe.reserveRoom(upTo: min(count, buffer.count), nonBlocking: nonBlocking)
            var done = 0
            while room > 0 {
                let skip = done
                buffer.withBytes(0..<room) { (b: UnsafeMutableRawBufferPointer) in
                    let n = inPipe.peek(into: b, skipping: skip)
                    outPipe.fill(room, from: UnsafeRawBufferPointer(rebasing: b[0..<n]))
                    done += n
                }
                if done - skip < room || done == count { break }
                room = outPipe.reserveMore(upTo: min(count - done, buffer.count))
            }
            if done > 0 || !hasData { return result(done) }
            if nonBlocking { throw .EAGAIN }                  // another reader took the bytes first
        }
    }

    /// vmsplice(fd, iov, nr_segs, flags): user memory into a pipe's write end, or out of its read end.
    static func vmsplice(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2], flags = a.uint32(3)
        guard flags & ~knownFlags == 0 else { throw .EINVAL }
        let file = try descriptor(a, fd)
        guard file.flags.allowsWrite || file.flags.allowsRead else { throw .EBADF }
        let buffers = try SocketSyscalls.UserBuffers(a, vectors: vectors, count: vectorCount, tooMany: .EINVAL)
        if buffers.total == 0 { return 0 }
        guard let pipe = file.operations?.pipe else { throw .EBADF }
        let nonBlocking = flags & SPLICE_F_NONBLOCK != 0
        return result(file.flags.allowsWrite ? try await userToPipe(a, buffers, pipe, nonBlocking: nonBlocking)
                                             : try await pipeToUser(a, pipe, buffers, nonBlocking: nonBlocking))
    }

    /// An open descriptor for I/O: O_PATH ones are EBADF, as Linux's fdget.
    private static func descriptor(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> OpenFile {
        let file = try a.process.file(fd)
        guard !file.isPathOnly else { throw .EBADF }
        return file
    }

    /// Logged once per direction: a file Linux can splice but Lichen does not (EINVAL either way).
    static func refuse(_ direction: Int) -> Errno {
        if unsupported.first(direction) {
            KernelLog.warning(direction == 0 ? "splice: only regular files, stream sockets and /dev/null take bytes from a pipe: EINVAL"
                                             : "splice: only regular files and stream sockets fill a pipe: EINVAL")
        }
        return .EINVAL
    }

    // MARK: The three directions

    /// splice_pipe_to_pipe: waits for input, then for room, then moves what both allow.
    static func pipeToPipe(_ input: Pipe, _ output: Pipe, count: Int, nonBlocking: Bool) async throws(Errno) -> Int {
        let buffer = try IOBuffer(count: min(count, FileSyscalls.chunk), zeroed: false)
        while true {
            let hasData = try await input.waitForData(nonBlocking: nonBlocking)
            var room = try await output.reserveRoom(upTo: min(count, buffer.count), nonBlocking: nonBlocking)
            var done = 0
            while room > 0 {
                let n = buffer.withBytes(0..<room) { (b: UnsafeMutableRawBufferPointer) -> Int in
                    let n = input.take(into: b)
                    output.fill(room, from: UnsafeRawBufferPointer(rebasing: b[0..<n]))
                    return n
                }
                done += n
                if n < room || done == count { break }
                room = output.reserveMore(upTo: min(count - done, buffer.count))
            }
            if done > 0 || !hasData { return done }
            if nonBlocking { throw .EAGAIN }                  // another reader took the bytes first
        }
    }

    /// A pipe into a file or socket: the bytes written leave the pipe; what the destination
    /// refused stays. Waits only for the first bytes, then moves what is there up to `count`.
    static func fromPipe(_ pipe: Pipe, to sink: SpliceSink, count: Int, nonBlocking: Bool,
                         position: inout Int64?) async throws(Errno) -> Int {
        let buffer = try IOBuffer(count: min(count, FileSyscalls.chunk), zeroed: false)
        guard try await pipe.claimData(nonBlocking: nonBlocking) else { return 0 }
        var done = 0
        var failure: Errno? = nil
        while true {
            let want = min(buffer.count, count - done)
            var peeked = 0, written = 0
            do throws(Errno) {
                written = try await buffer.withBytes(0..<want) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                    peeked = pipe.peek(into: b)
                    return peeked == 0 ? 0 : try await sink.write(UnsafeRawBufferPointer(rebasing: b[0..<peeked]), at: &position)
                }
            } catch { failure = error }
            done += written
            // Go on while the pipe has more and the destination took everything (the claim stays).
            let more = failure == nil && written > 0 && written == peeked && done < count && pipe.bufferedCount > written
            pipe.consume(written, releasing: !more)
            if !more { break }
        }
        await sink.finish(done)
        if done == 0, let failure { throw failure }
        return done
    }

    /// A file or socket into a pipe: waits for room first (wait_for_space), then reads at most
    /// what fits, so that nothing read from a stream is ever lost.
    static func toPipe(_ pipe: Pipe, from source: SpliceSource, count: Int, nonBlocking: Bool,
                       position: inout Int64?) async throws(Errno) -> Int {
        let buffer = try IOBuffer(count: min(count, FileSyscalls.chunk), zeroed: false)
        var room = try await pipe.reserveRoom(upTo: min(count, buffer.count), nonBlocking: nonBlocking)
        var done = 0
        while room > 0 {
            let got: Int
            do throws(Errno) {
                got = try await buffer.withBytes(0..<room) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                    try await source.read(into: b, at: &position)
                }
            } catch {
                pipe.fill(room, from: UnsafeRawBufferPointer(start: nil, count: 0))
                if done == 0 { throw error }
                break
            }
            buffer.withBytes(0..<got) { (b: UnsafeMutableRawBufferPointer) in pipe.fill(room, from: UnsafeRawBufferPointer(b)) }
            done += got
            if got < room || !source.fillsRequests || done == count { break }
            room = pipe.reserveMore(upTo: min(count - done, buffer.count))
        }
        return done
    }

    /// vmsplice into a pipe: waits for room once, then copies what fits.
    static func userToPipe(_ a: SyscallArguments, _ buffers: SocketSyscalls.UserBuffers, _ pipe: Pipe,
                           nonBlocking: Bool) async throws(Errno) -> Int {
        var room = try await pipe.reserveRoom(upTo: min(buffers.total, FileSyscalls.chunk), nonBlocking: nonBlocking)
        var done = 0
        while room > 0 {
            let bytes: [UInt8]
            do throws(Errno) { bytes = try buffers.gather(a, from: done, count: room) } catch {
                pipe.fill(room, from: UnsafeRawBufferPointer(start: nil, count: 0))
                if done == 0 { throw error }
                break
            }
            bytes.withUnsafeBytes { pipe.fill(room, from: $0) }
            done += room
            if done == buffers.total { break }
            room = pipe.reserveMore(upTo: min(buffers.total - done, FileSyscalls.chunk))
        }
        return done
    }

    /// vmsplice out of a pipe: a read into the iovecs whose bytes leave the pipe only once copied.
    static func pipeToUser(_ a: SyscallArguments, _ pipe: Pipe, _ buffers: SocketSyscalls.UserBuffers,
                           nonBlocking: Bool) async throws(Errno) -> Int {
        guard try await pipe.claimData(nonBlocking: nonBlocking) else { return 0 }
        let want = min(buffers.total, pipe.bufferedCount)
        var bytes = [UInt8](repeating: 0, count: want)
        let n = bytes.withUnsafeMutableBytes { pipe.peek(into: $0) }
        bytes.removeLast(want - n)
        do throws(Errno) { try buffers.scatter(a, bytes) } catch {
            pipe.consume(0, releasing: true)
            throw error
        }
        pipe.consume(n, releasing: true)
        return n
    }
}
