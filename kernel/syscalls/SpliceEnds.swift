import LichenCore
import _Concurrency

/// Where splice puts bytes taken out of a pipe (Linux's ->splice_write): a regular file, at the
/// given offset or its position; a stream socket; or /dev/null, which discards them. Other files
/// are refused with EINVAL, Linux's answer for a file without splice_write (/dev/zero, /dev/full).
struct SpliceSink {
    enum Kind { case file, socket(any Socket), discard }
    let file: OpenFile
    let kind: Kind
    let a: SyscallArguments

    /// Linux's checks in do_splice: an offset needs a positioned file (EINVAL), O_APPEND is
    /// EINVAL, then rw_verify_area on the offset (or position) and length.
    init(_ a: SyscallArguments, _ file: OpenFile, offset: Int64?, length: UInt64) async throws(Errno) {
        self.a = a
        self.file = file
        let ops = file.operations
        let positioned = ops == nil || ops!.usesPosition
        if offset != nil && !positioned { throw .EINVAL }
        if file.flags.contains(.O_APPEND) { throw .EINVAL }
        var start: Int64 = 0
        if let offset { start = offset } else if ops == nil { start = await file.offset }
        guard Int64(bitPattern: length) >= 0 else { throw .EINVAL }
        try FileSyscalls.verifyPosition(start, count: length)
        if ops is NullDevice {
            kind = .discard
        } else if let socket = (ops as? SocketFile)?.socket, socket.type == LinuxSocket.SOCK_STREAM {
            kind = .socket(socket)
        } else if ops == nil && file.status.type == .regular {
            kind = .file
        } else {
            throw SpliceSyscalls.refuse(0)
        }
    }

    /// Writes `bytes` (some, for a socket that fills up): the count taken. `position`, when
    /// given, is the offset to write at and moves with it; else the file's position moves.
    func write(_ bytes: UnsafeRawBufferPointer, at position: inout Int64?) async throws(Errno) -> Int {
        switch kind {
        case .discard:
            return bytes.count                    // Linux's splice_write_null leaves the offset alone
        case .file:
            guard let p = position else { return try await file.write(from: bytes) }
            let n = try await file.write(from: bytes, at: p)
            position = p + Int64(n)
            return n
        case .socket(let socket):
            var sent = 0
            let caller = SocketSyscalls.caller(a)
            while sent < bytes.count {
                let n: Int
                do throws(Errno) {
                    let message = OutgoingMessage(bytes: Array(bytes[sent...]), address: nil)
                    n = try await socket.send(message, flags: 0, nonBlocking: file.isNonBlocking, caller: caller)
                } catch {
                    if sent == 0 { throw error }
                    break
                }
                if n == 0 { break }
                sent += n
            }
            return sent
        }
    }

    /// After `count` bytes went in: a write by someone else's hand clears set-user-ID bits, as write(2).
    func finish(_ count: Int) async {
        if case .file = kind, count > 0 { try? await file.location.inode.removeSetIDBits(writtenBy: a.credentials) }
    }
}

/// Where splice takes bytes to put into a pipe (Linux's ->splice_read): a regular file, at the
/// given offset or its position, or a stream socket. Other files are refused with EINVAL.
struct SpliceSource {
    enum Kind { case file, socket(any Socket) }
    let file: OpenFile
    let kind: Kind
    /// SPLICE_F_NONBLOCK or the pipe's O_NONBLOCK: a socket with nothing to read gives EAGAIN.
    let nonBlocking: Bool

    /// An offset needs a positioned file (EINVAL), and may not be negative (rw_verify_area).
    init(_ a: SyscallArguments, _ file: OpenFile, offset: Int64?, nonBlocking: Bool) async throws(Errno) {
        self.file = file
        self.nonBlocking = nonBlocking
        let ops = file.operations
        if offset != nil && !(ops == nil || ops!.usesPosition) { throw .EINVAL }
        if let offset, offset < 0 { throw .EINVAL }
        if let socket = (ops as? SocketFile)?.socket, socket.type == LinuxSocket.SOCK_STREAM {
            kind = .socket(socket)
        } else if ops == nil && file.status.type == .regular {
            kind = .file
        } else {
            throw SpliceSyscalls.refuse(1)
        }
    }

    /// Whether a read returns all that was asked unless at the end (files; a socket gives what it has).
    var fillsRequests: Bool {
        if case .file = kind { return true }
        return false
    }

    /// Reads up to `buffer.count` bytes (0 at the end): at `position` if given (which moves).
    func read(into buffer: UnsafeMutableRawBufferPointer, at position: inout Int64?) async throws(Errno) -> Int {
        switch kind {
        case .file:
            guard let p = position else { return try await file.read(into: buffer) }
            let n = try await file.read(into: buffer, at: p)
            position = p + Int64(n)
            return n
        case .socket(let socket):
            let m = try await socket.receive(limit: buffer.count, flags: 0, nonBlocking: nonBlocking || file.isNonBlocking)
            m.bytes.withUnsafeBytes { b in if b.count > 0 { buffer.baseAddress!.copyMemory(from: b.baseAddress!, byteCount: b.count) } }
            return m.bytes.count
        }
    }
}
