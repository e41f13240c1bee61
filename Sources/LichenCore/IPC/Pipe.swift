import _Concurrency

/// A pipe or FIFO: the file operations of both ends over one `PipeBuffer` (Linux's
/// pipe_inode_info). Which end an open file is comes from its access mode (a FIFO opened O_RDWR
/// is both). Every state change wakes the one queue that readers, writers, FIFO openers and
/// poll sleep on.
public final class Pipe: FileOperations, @unchecked Sendable {
    let state = Event(PipeBuffer())
    /// Called by the FIFO table when the last end closes (it forgets the pipe).
    var onLastClose: ((Pipe) -> Void)? = nil
    public let isFIFO: Bool

    init(fifo: Bool) {
        isFIFO = fifo
    }

    /// A snapshot of the buffer (tests, FIONREAD).
    public var snapshot: PipeBuffer { state.value }

    // MARK: anonymous pipes (pipe2)

    /// A new pipe's read and write ends; `extraFlags` may hold O_NONBLOCK (O_CLOEXEC is per descriptor).
    public static func makeAnonymous(extraFlags: OpenFlags = []) -> (reader: OpenFile, writer: OpenFile) {
        let pipe = Pipe(fifo: false)
        pipe.state.update { $0.openEnd(read: true, write: true) }
        let location = PipeFileSystem.shared.newLocation(pipe)
        let status = extraFlags.intersection(.O_NONBLOCK)
        return (OpenFile(location: location, flags: status.union(.O_RDONLY), operations: pipe),
                OpenFile(location: location, flags: status.union(.O_WRONLY), operations: pipe))
    }

    // MARK: file operations

    /// FIFO open (the ends are counted already, see `FifoTable`): a reader waits for a writer
    /// and a writer for a reader unless O_NONBLOCK, where a writer without readers gets ENXIO.
    /// On failure the file's release gives its ends back.
    public func open(_ file: OpenFile) async throws(Errno) {
        let mode = file.flags
        guard isFIFO else {                                // reopened through /proc/<pid>/fd
            state.update { $0.openEnd(read: mode.allowsRead, write: mode.allowsWrite) }
            return
        }
        if mode.allowsRead && mode.allowsWrite { return }
        let start = state.value
        if mode.allowsWrite {
            if start.readers > 0 { return }
            if file.isNonBlocking { throw .ENXIO }
            do { try await state.wait(until: { $0.readerOpens != start.readerOpens || $0.readers > 0 }) } catch { throw .EINTR }
        } else {
            if start.writers > 0 || file.isNonBlocking { return }
            do { try await state.wait(until: { $0.writerOpens != start.writerOpens || $0.writers > 0 }) } catch { throw .EINTR }
        }
    }

    public func release(_ file: OpenFile) {
        let mode = file.flags
        let empty = state.update { (s: inout PipeBuffer) -> Bool in
            s.closeEnd(read: mode.allowsRead, write: mode.allowsWrite)
            return s.readers == 0 && s.writers == 0
        }
        if empty, let onLastClose { onLastClose(self) }
    }

    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let take: (inout PipeBuffer) -> PipeBuffer.ReadOutcome? = { s in
            let r = s.read(into: buffer)
            return r == .wouldBlock ? nil : r
        }
        let outcome: PipeBuffer.ReadOutcome
        if file.isNonBlocking {
            guard let r = state.update(reporting: .writable, take) else { throw .EAGAIN }
            outcome = r
        } else {
            do { outcome = try await state.wait(for: take) } catch { throw .EINTR }
            state.waitQueue.wakeAll(reporting: .writable)   // room for writers (wait(for:) does not wake)
        }
        if case .data(let n) = outcome { return n }
        return 0
    }

    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        if buffer.count == 0 { return 0 }                   // as Linux: even with no reader
        let atomic = buffer.count <= PipeBuffer.atomicLimit
        var done = 0
        while done < buffer.count {
            let rest = UnsafeRawBufferPointer(rebasing: buffer[done...])
            let put: (inout PipeBuffer) -> PipeBuffer.WriteOutcome? = { s in
                let r = s.write(from: rest, atomic: atomic)
                return r == .wouldBlock ? nil : r
            }
            let outcome: PipeBuffer.WriteOutcome
            if file.isNonBlocking {
                guard let r = state.update(reporting: .readable, put) else {
                    if done > 0 { return done }
                    throw .EAGAIN
                }
                outcome = r
            } else {
                do { outcome = try await state.wait(for: put) } catch {
                    if done > 0 { return done }
                    throw .EINTR
                }
                state.waitQueue.wakeAll(reporting: .readable)   // data for readers (epoll: one edge per write)
            }
            switch outcome {
            case .wrote(let n):
                done += n
            case .brokenPipe:
                // SIGPIPE: the kernel raises it on EPIPE (Syscalls.dispatch); after a partial
                // write Linux raises it too, which we do not yet.
                if done > 0 { return done }
                throw .EPIPE
            case .wouldBlock:
                break
            }
        }
        return done
    }

    // MARK: without waiting (the syscalls' instant attempts)

    /// `read` if it needs no wait: the count (0 at end of file), nil if a blocking reader would wait
    /// (nothing was changed then). Non-blocking readers get EAGAIN as from `read`.
    public func readNow(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer) throws(Errno) -> Int? {
        let outcome = state.tryUpdate(reporting: .writable) { (s: inout PipeBuffer) -> PipeBuffer.ReadOutcome? in
            let r = s.read(into: buffer)
            return r == .wouldBlock ? nil : r
        }
        guard let outcome else {
            if file.isNonBlocking { throw .EAGAIN }
            return nil
        }
        if case .data(let n) = outcome { return n }
        return 0
    }

    /// `write` of at most PIPE_BUF bytes (all or nothing) if it needs no wait: the count, EPIPE
    /// without readers, nil if a blocking writer would wait (nothing was changed then).
    public func writeNow(_ file: OpenFile, from buffer: UnsafeRawBufferPointer) throws(Errno) -> Int? {
        guard buffer.count > 0 && buffer.count <= PipeBuffer.atomicLimit else { return nil }
        let outcome = state.tryUpdate(reporting: .readable) { (s: inout PipeBuffer) -> PipeBuffer.WriteOutcome? in
            let r = s.write(from: buffer, atomic: true)
            return r == .wouldBlock ? nil : r
        }
        switch outcome {
        case .wrote(let n): return n
        case .brokenPipe: throw .EPIPE
        case .wouldBlock, nil:
            if file.isNonBlocking { throw .EAGAIN }
            return nil
        }
    }

    /// FIONREAD: the bytes buffered, stored as an int at the argument.
    public func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        guard request == LinuxIoctl.FIONREAD else { throw .ENOTTY }
        try caller.store(Int32(truncatingIfNeeded: state.value.count), to: argument)
        return 0
    }

    public func poll(_ file: OpenFile) -> PollEvents {
        let s = state.value
        let mode = file.flags
        var events: PollEvents = []
        if mode.allowsRead {
            if s.readable { events.insert(.readable) }
            // A FIFO reader that never saw a writer is not hung up (Linux tracks this per open; close enough).
            if s.hungUp && (!isFIFO || s.writerOpens > 0) { events.insert(.hangUp) }
        }
        if mode.allowsWrite {
            if s.writable { events.insert(.writable) }
            if s.broken { events.insert(.error) }
        }
        return events
    }

    public func pollQueue(_ file: OpenFile) -> WaitQueue? { state.waitQueue }
    public var sendsIOSignals: Bool { true }

    public var pipe: Pipe? { self }
}
