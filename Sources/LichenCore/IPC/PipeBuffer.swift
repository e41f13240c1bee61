/// The state of a pipe or FIFO, without any waiting (the `Pipe` file operations sleep on it):
/// a byte ring of Linux's default capacity and the count of open read and write ends.
/// Semantics as Linux's pipe_read/pipe_write: a read returns what is there; a write of at most
/// `atomicLimit` (PIPE_BUF) bytes goes in whole or not at all, a larger one may be split.
public struct PipeBuffer: Sendable {
    /// Linux's default pipe size: 16 pages.
    public static let defaultCapacity = 65536
    /// PIPE_BUF: writes up to this size are never interleaved with other writers' data.
    public static let atomicLimit = 4096

    public private(set) var capacity: Int
    private var storage: [UInt8]
    private var head = 0          // index of the oldest byte
    public private(set) var count = 0
    public var readers = 0
    public var writers = 0
    /// Bumped on every open of a read (write) end: a blocking FIFO open waits for the other side's
    /// counter to move, so a writer that opens and closes at once still releases the reader.
    public private(set) var readerOpens: UInt64 = 0
    public private(set) var writerOpens: UInt64 = 0
    /// Room a splice into the pipe holds while it fetches the bytes to fill it (not free for others).
    public private(set) var reserved = 0
    /// A splice out of the pipe is writing its oldest bytes elsewhere and takes only what was
    /// written: other readers wait meanwhile (Linux holds the pipe's mutex for that).
    public var claimed = false

    public init(capacity: Int = PipeBuffer.defaultCapacity) {
        self.capacity = capacity
        storage = [UInt8](repeating: 0, count: capacity)
    }

    public var free: Int { capacity - count - reserved }

    /// F_SETPIPE_SZ: a new capacity, keeping the bytes in order; false (EBUSY) if they do not fit.
    public mutating func resize(to newCapacity: Int) -> Bool {
        guard newCapacity >= count + reserved else { return false }
        var bytes = [UInt8](repeating: 0, count: newCapacity)
        let n = count
        bytes.withUnsafeMutableBytes { b in _ = peek(into: UnsafeMutableRawBufferPointer(rebasing: b[0..<n])) }
        storage = bytes
        capacity = newCapacity
        head = 0
        count = n
        return true
    }

    public enum ReadOutcome: Equatable, Sendable {
        case data(Int)
        case endOfFile
        case wouldBlock
    }

    public enum WriteOutcome: Equatable, Sendable {
        case wrote(Int)
        case wouldBlock
        case brokenPipe      // no reader: EPIPE (and SIGPIPE)
    }

    public mutating func openEnd(read: Bool, write: Bool) {
        if read { readers += 1; readerOpens &+= 1 }
        if write { writers += 1; writerOpens &+= 1 }
    }

    public mutating func closeEnd(read: Bool, write: Bool) {
        if read { readers -= 1 }
        if write { writers -= 1 }
    }

    /// Takes up to `buffer.count` bytes; end of file once empty with no writer left.
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> ReadOutcome {
        if buffer.count == 0 { return .data(0) }
        if claimed { return .wouldBlock }
        if count == 0 { return writers == 0 ? .endOfFile : .wouldBlock }
        let n = peek(into: buffer)
        discard(n)
        return .data(n)
    }

    /// Copies up to `buffer.count` bytes, starting `skip` bytes past the oldest, without taking them.
    public func peek(into buffer: UnsafeMutableRawBufferPointer, skipping skip: Int = 0) -> Int {
        let n = min(count - min(skip, count), buffer.count)
        guard n > 0 else { return 0 }
        let start = (head + skip) % capacity
        let first = min(n, capacity - start)
        storage.withUnsafeBytes { s in
            buffer.baseAddress!.copyMemory(from: s.baseAddress! + start, byteCount: first)
            if n > first { (buffer.baseAddress! + first).copyMemory(from: s.baseAddress!, byteCount: n - first) }
        }
        return n
    }

    /// Drops the `n` oldest bytes (what a splice peeked and wrote elsewhere).
    public mutating func discard(_ n: Int) {
        let n = min(max(n, 0), count)
        head = (head + n) % capacity
        count -= n
        if count == 0 { head = 0 }
    }

    /// Holds up to `want` bytes of the free room for a splice: the room held (0 if none).
    public mutating func reserve(upTo want: Int) -> Int {
        let n = min(max(want, 0), free)
        reserved += n
        return n
    }

    /// Gives back a reservation of `room` bytes, filled with `buffer` (at most `room` bytes, maybe
    /// none). The bytes go in even if every reader left meanwhile, as if the splice had finished first.
    public mutating func fillReserved(_ room: Int, from buffer: UnsafeRawBufferPointer) {
        precondition(room <= reserved && buffer.count <= room)
        reserved -= room
        append(buffer)
    }

    /// Puts in what fits of `buffer` under the atomicity rule. `buffer` is what is left of the
    /// caller's write; `atomic` is whether the whole write was at most PIPE_BUF bytes.
    public mutating func write(from buffer: UnsafeRawBufferPointer, atomic: Bool) -> WriteOutcome {
        if readers == 0 { return .brokenPipe }
        if buffer.count == 0 { return .wrote(0) }
        if atomic ? free < buffer.count : free == 0 { return .wouldBlock }
        return .wrote(append(UnsafeRawBufferPointer(rebasing: buffer[0..<min(free, buffer.count)])))
    }

    /// Puts all of `buffer` after the newest byte (the caller made sure it fits).
    @discardableResult
    private mutating func append(_ buffer: UnsafeRawBufferPointer) -> Int {
        let n = buffer.count
        guard n > 0 else { return 0 }
        let tail = (head + count) % capacity
        let first = min(n, capacity - tail)
        storage.withUnsafeMutableBytes { s in
            (s.baseAddress! + tail).copyMemory(from: buffer.baseAddress!, byteCount: first)
            if n > first { s.baseAddress!.copyMemory(from: buffer.baseAddress! + first, byteCount: n - first) }
        }
        count += n
        return n
    }

    // poll(2) readiness, as Linux's pipe_poll reports it to each end.
    public var readable: Bool { count > 0 }
    /// Room for an atomic write (Linux: a free slot, i.e. at least a page).
    public var writable: Bool { free >= PipeBuffer.atomicLimit }
    /// POLLHUP for the read end: every writer is gone.
    public var hungUp: Bool { writers == 0 }
    /// POLLERR for the write end: every reader is gone.
    public var broken: Bool { readers == 0 }
}
