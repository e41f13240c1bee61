import LichenCore
import _Concurrency

/// Sending and receiving on sockets: send*/recv* and read/write/readv/writev on a socket. User
/// buffers are gathered into (scattered from) kernel copies; control messages in SocketControl.
extension SocketSyscalls {
    /// A stream send is copied in and sent this much at a time.
    static let sendChunk = 256 * 1024
    /// Records larger than this are EMSGSIZE for any send buffer (twice the largest SO_SNDBUF).
    static let largestRecord = 2 * SocketLimits.maximumBuffer

    /// The user buffers of one call.
    struct UserBuffers {
        var vectors: [LinuxIovec] = []
        var total = 0

        /// One buffer (send, recv, read, write): MAX_RW_COUNT clamps it.
        init(_ base: UserAddr, _ count: UInt64) {
            let n = min(count, UInt64(Int32.max) & ~4095)
            vectors = [LinuxIovec(iov_base: base.value, iov_len: n)]
            total = Int(n)
        }

        /// An iovec array (sendmsg, readv...): EMSGSIZE/EINVAL as Linux's import_iovec (`tooMany` is
        /// the errno for too many vectors: EINVAL for readv/writev, EMSGSIZE for sendmsg/recvmsg).
        init(_ a: SyscallArguments, vectors address: UserAddr, count: UInt64, tooMany: Errno) throws(Errno) {
            guard count <= UInt64(LinuxIovec.UIO_MAXIOV) else { throw tooMany }
            for i in 0..<Int(count) {
                var v = try a.user.load(LinuxIovec.self, from: address + UInt64(i * 16))
                guard Int64(bitPattern: v.iov_len) >= 0 else { throw .EINVAL }
                let room = UInt64(Int32.max & ~4095) - UInt64(total)
                v.iov_len = min(v.iov_len, room)
                total += Int(v.iov_len)
                vectors.append(v)
            }
        }

        /// `count` bytes starting `offset` bytes in (copied straight into the array: no bounce buffer).
        func gather(_ a: SyscallArguments, from offset: Int, count: Int) throws(Errno) -> [UInt8] {
            var failure: Errno? = nil
            let out = [UInt8](unsafeUninitializedCapacity: count) { buffer, initialized in
                var done = 0, skip = offset
                for v in vectors where done < count {
                    let len = Int(v.iov_len)
                    if skip >= len { skip -= len; continue }
                    let n = min(len - skip, count - done)
                    do throws(Errno) {
                        try a.user.read(UnsafeMutableRawBufferPointer(start: buffer.baseAddress! + done, count: n),
                                        from: UserAddr(v.iov_base) + UInt64(skip))
                    } catch {
                        failure = error
                        break
                    }
                    skip = 0
                    done += n
                }
                initialized = done
            }
            if let failure { throw failure }
            return out
        }

        func scatter(_ a: SyscallArguments, _ bytes: [UInt8]) throws(Errno) {
            var failure: Errno? = nil
            bytes.withUnsafeBytes { raw in
                var done = 0
                for v in vectors where done < raw.count {
                    let n = min(Int(v.iov_len), raw.count - done)
                    if n == 0 { continue }
                    do throws(Errno) {
                        try a.user.write(UnsafeRawBufferPointer(rebasing: raw[done..<(done + n)]), to: UserAddr(v.iov_base))
                    } catch {
                        failure = error
                        break
                    }
                    done += n
                }
            }
            if let failure { throw failure }
        }
    }

    // MARK: The calls

    static func sendto(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2], flags = a.uint32(3), address = a.address(4), length = a.int32(5)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        let name = address.value == 0 ? nil : try readAddress(a, address, length)
        var message = OutgoingMessage(bytes: [], address: name)
        return try await send(a, socket, file, UserBuffers(buffer, count), &message, flags: flags)
    }

    static func recvfrom(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2], flags = a.uint32(3), address = a.address(4), lengthPointer = a.address(5)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        let buffers = UserBuffers(buffer, count)
        let m = try await receive(a, socket, file, buffers, flags: flags)
        if address.value != 0 { try writeAddress(a, m.source, to: address, length: lengthPointer) }
        return returned(m, flags: flags)
    }

    static func sendmsg(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), header = a.address(1), flags = a.uint32(2)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        return try await sendMessage(a, socket, file, header, flags: flags)
    }

    static func recvmsg(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), header = a.address(1), flags = a.uint32(2)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        return try await receiveMessage(a, socket, file, header, flags: flags)
    }

    static func sendmmsg(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vector = a.address(1), count = min(a.uint32(2), UInt32(LinuxMmsghdr.UIO_MAXIOV)), flags = a.uint32(3)
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        var done: UInt32 = 0
        while done < count {
            let entry = vector + UInt64(done) * 64
            do throws(Errno) {
                let n = try await sendMessage(a, socket, file, entry, flags: flags)
                if Int64(bitPattern: n) < 0 { if done == 0 { return n }; break }   // EPIPE without SIGPIPE
                try a.user.store(UInt32(truncatingIfNeeded: n), to: entry + 56)
            } catch {
                if done == 0 { throw error }
                break
            }
            done += 1
        }
        return UInt64(done)
    }

    static func recvmmsg(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vector = a.address(1), count = min(a.uint32(2), UInt32(LinuxMmsghdr.UIO_MAXIOV))
        let flags = a.uint32(3), timeout = a.address(4)
        // The timeout (read and checked before the descriptor, as Linux) is only looked at after each
        // datagram: the receives themselves wait as long as they would without it (Linux's do_recvmmsg).
        var deadline: UInt64? = nil
        var remaining = LinuxTimespec()
        if timeout.value != 0 {
            remaining = try a.user.load(LinuxTimespec.self, from: timeout)
            guard remaining.tv_sec >= 0, remaining.tv_nsec >= 0, remaining.tv_nsec < 1_000_000_000 else { throw .EINVAL }
            let ns = UInt64(min(remaining.tv_sec, 1 << 32)) * 1_000_000_000 + UInt64(remaining.tv_nsec)
            deadline = ns == 0 ? 0 : MonotonicClock.now + ns               // {0, 0}: already expired
        }
        let file = try a.process.file(fd)
        guard let socket = (file.operations as? SocketFile)?.socket else { throw .ENOTSOCK }
        var done: UInt32 = 0
        var f = flags & ~LinuxMsgFlag.MSG_WAITFORONE
        while done < count {
            let entry = vector + UInt64(done) * 64
            do throws(Errno) {
                let n = try await receiveMessage(a, socket, file, entry, flags: f)
                try a.user.store(UInt32(truncatingIfNeeded: n), to: entry + 56)
            } catch {
                if done == 0 { throw error }
                break
            }
            done += 1
            if flags & LinuxMsgFlag.MSG_WAITFORONE != 0 { f |= LinuxMsgFlag.MSG_DONTWAIT }
            if let deadline {
                let now = MonotonicClock.now
                let left = deadline > now ? deadline - now : 0
                remaining = LinuxTimespec(tv_sec: Int64(left / 1_000_000_000), tv_nsec: Int64(left % 1_000_000_000))
                if left == 0 { break }
            }
        }
        if deadline != nil && done > 0 { try a.user.store(remaining, to: timeout) }
        return UInt64(done)
    }

    // MARK: read/write/readv/writev on a socket (FileSyscalls hands them here)

    /// read/readv (isWrite false) or write/writev on a socket: one recvmsg/sendmsg without flags.
    static func transfer(_ a: SyscallArguments, _ file: OpenFile, _ socket: any Socket, _ buffers: UserBuffers,
                         write isWrite: Bool) async throws(Errno) -> UInt64 {
        if isWrite {
            guard file.flags.allowsWrite else { throw .EBADF }
            var message = OutgoingMessage(bytes: [], address: nil)
            return try await send(a, socket, file, buffers, &message, flags: 0)
        }
        guard file.flags.allowsRead else { throw .EBADF }
        if buffers.total == 0 { return 0 }
        return returned(try await receive(a, socket, file, buffers, flags: 0), flags: 0)
    }

    // MARK: Shared

    /// A send: records whole (EMSGSIZE past any buffer), streams a chunk at a time. EPIPE with
    /// MSG_NOSIGNAL is returned as a value, so the dispatcher raises no SIGPIPE.
    static func send(_ a: SyscallArguments, _ socket: any Socket, _ file: OpenFile, _ buffers: UserBuffers,
                     _ message: inout OutgoingMessage, flags: UInt32) async throws(Errno) -> UInt64 {
        let caller = SocketSyscalls.caller(a)
        let stream = socket.type == LinuxSocket.SOCK_STREAM
        do throws(Errno) {
            if !stream {
                if flags & LinuxMsgFlag.MSG_OOB != 0 { throw .EOPNOTSUPP }   // before EMSGSIZE, as unix_dgram_sendmsg
                guard buffers.total <= largestRecord else { throw .EMSGSIZE }
                message.bytes = try buffers.gather(a, from: 0, count: buffers.total)
                return result(try await socket.send(message, flags: flags, nonBlocking: file.isNonBlocking, caller: caller))
            }
            var sent = 0
            repeat {
                let n = min(sendChunk, buffers.total - sent)
                let chunk: [UInt8]
                let taken: Int
                do throws(Errno) {
                    chunk = try buffers.gather(a, from: sent, count: n)
                    var m = message
                    m.bytes = chunk
                    if sent > 0 { m.files = []; m.credentials = nil }
                    // MSG_OOB makes the call's last byte urgent: only the last chunk carries the flag.
                    let last = sent + n == buffers.total
                    let f = last ? flags : flags & ~LinuxMsgFlag.MSG_OOB
                    taken = try await socket.send(m, flags: f, nonBlocking: file.isNonBlocking, caller: caller)
                } catch {
                    if sent > 0 { return result(sent) }
                    throw error
                }
                sent += taken
                if taken < n { break }
            } while sent < buffers.total
            return result(sent)
        } catch {
            if error == .EPIPE && flags & LinuxMsgFlag.MSG_NOSIGNAL != 0 { return error.syscallReturn }
            throw error
        }
    }

    static func receive(_ a: SyscallArguments, _ socket: any Socket, _ file: OpenFile, _ buffers: UserBuffers,
                        flags: UInt32) async throws(Errno) -> IncomingMessage {
        // A buffer that cannot take a byte: wait for data as usual but leave it queued (Linux copies
        // before it consumes), then EFAULT.
        if let first = buffers.vectors.first(where: { $0.iov_len > 0 }),
           a.user.accessibleLength(at: UserAddr(first.iov_base), count: Int(min(first.iov_len, 1)), write: true) == 0 {
            _ = try await socket.receive(limit: 1, flags: flags | LinuxMsgFlag.MSG_PEEK, nonBlocking: file.isNonBlocking)
            throw .EFAULT
        }
        let m = try await socket.receive(limit: buffers.total, flags: flags, nonBlocking: file.isNonBlocking)
        try buffers.scatter(a, m.bytes)
        return m
    }

    /// recv's value: the bytes copied, or a record's full length with MSG_TRUNC.
    static func returned(_ m: IncomingMessage, flags: UInt32) -> UInt64 {
        result(flags & LinuxMsgFlag.MSG_TRUNC != 0 ? m.fullLength : m.bytes.count)
    }
}
