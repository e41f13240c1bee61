import LichenCore
import _Concurrency

/// sendfile and copy_file_range: a kernel-side read/write loop (no page sharing; files are in memory).
enum CopySyscalls {
    /// sendfile(out_fd, in_fd, *offset, count): the output's position always moves.
    static func sendfile(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let outFd = a.fd(0), inFd = a.fd(1), offset = a.address(2), count = a[3]
        let input = try a.process.file(inFd)
        let output = try a.process.file(outFd)
        // A socket output goes through splice's socket end (Linux's do_splice_direct): AF_UNIX
        // streams; other sockets are EINVAL (logged) as SpliceSink refuses them.
        var sink: SpliceSink? = nil
        if output.operations is SocketFile {
            guard input.flags.allowsRead, output.flags.allowsWrite else { throw .EBADF }
            sink = try await SpliceSink(a, output, offset: nil, length: count)
        }
        return try await copy(a, from: input, at: offset, to: output, at: UserAddr(0), count: count, sink: sink)
    }

    /// copy_file_range(fd_in, *off_in, fd_out, *off_out, len, flags): no flags are defined.
    static func copy_file_range(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let inFd = a.fd(0), inOffset = a.address(1), outFd = a.fd(2), outOffset = a.address(3), count = a[4], flags = a[5]
        guard flags == 0 else { throw .EINVAL }
        let input = try a.process.file(inFd)
        let output = try a.process.file(outFd)
        return try await copy(a, from: input, at: inOffset, to: output, at: outOffset, count: count)
    }

    /// Copies up to `count` bytes; a non-NULL offset pointer is used and updated instead of the file position.
    static func copy(_ a: SyscallArguments, from input: OpenFile, at inOffsetAddress: UserAddr,
                     to output: OpenFile, at outOffsetAddress: UserAddr, count: UInt64,
                     sink: SpliceSink? = nil) async throws(Errno) -> UInt64 {
        guard input.flags.allowsRead, output.flags.allowsWrite else { throw .EBADF }
        var inOffset: Int64? = inOffsetAddress.value == 0 ? nil : try a.user.load(Int64.self, from: inOffsetAddress)
        var outOffset: Int64? = outOffsetAddress.value == 0 ? nil : try a.user.load(Int64.self, from: outOffsetAddress)
        if let o = inOffset, o < 0 { throw .EINVAL }
        // A regular file read at its shared position would lose what the output then refuses
        // (/dev/full): it is read at explicit offsets, and its position moves by what was written,
        // as Linux's do_sendfile. (Streams cannot be un-read.)
        let movesPosition = inOffset == nil && input.status.type == .regular
        if movesPosition { inOffset = await input.offset }
        let total = Int(min(count, 0x7fff_f000))
        var done = 0
        let buffer = try IOBuffer(count: min(total, FileSyscalls.chunk), zeroed: false)
        var share = CPUShare()
        while done < total {
            await share.yieldIfDue()
            if a.signalPending {                                     // splice's loop checks signal_pending
                if done == 0 { throw .EINTR }
                break
            }
            let want = min(buffer.count, total - done)
            let got: Int
            do throws(Errno) {
                got = try await buffer.withBytes(0..<want) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                    inOffset == nil ? try await input.read(into: b) : try await input.read(into: b, at: inOffset!)
                }
            } catch {
                if done == 0 { throw error }
                break                                              // what was copied counts, as on Linux
            }
            if got == 0 { break }
            var written = 0
            do throws(Errno) {
                while written < got {
                    let n = try await buffer.withBytes(written..<got) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                        let bytes = UnsafeRawBufferPointer(b)
                        if let sink {
                            var none: Int64? = nil
                            return try await sink.write(bytes, at: &none)
                        }
                        return outOffset == nil ? try await output.write(from: bytes) : try await output.write(from: bytes, at: outOffset!)
                    }
                    if n == 0 { break }
                    written += n
                    if outOffset != nil { outOffset! += Int64(n) }
                }
            } catch {
                if done == 0 && written == 0 { throw error }
            }
            if inOffset != nil { inOffset! += Int64(written) }
            done += written
            if written < got || got < want { break }
        }
        if movesPosition, let o = inOffset { _ = try await input.seek(o, whence: 0) }
        else if let o = inOffset { try a.user.store(o, to: inOffsetAddress) }
        if let o = outOffset { try a.user.store(o, to: outOffsetAddress) }
        return result(done)
    }
}
