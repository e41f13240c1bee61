import _Concurrency

// The memory character devices (Linux's drivers/char/mem.c and random.c) that need no hardware.

/// /dev/null: reads end at once, writes vanish.
public final class NullDevice: FileOperations {
    public init() {}
    public var usesPosition: Bool { true }
    public var discardsWrites: Bool { true }
    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int { 0 }
    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        buffer.count
    }
    /// Linux's null_lseek: every seek lands at 0.
    public func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { 0 }
}

/// /dev/zero (reads zeros, writes vanish) and /dev/full (reads zeros, writes fail with ENOSPC).
public final class ZeroDevice: FileOperations {
    private let full: Bool

    /// `full`: behave as /dev/full.
    public init(full: Bool = false) {
        self.full = full
    }

    public var usesPosition: Bool { true }
    public var discardsWrites: Bool { !full }
    public var readsZeros: Bool { true }

    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        if let base = buffer.baseAddress {
            base.initializeMemory(as: UInt8.self, repeating: 0, count: buffer.count)
        }
        return buffer.count
    }

    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        if full { throw .ENOSPC }
        return buffer.count
    }

    public func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { 0 }
}

/// /dev/random and /dev/urandom: bytes from the kernel's generator (the closure); writes are
/// accepted (and, for now, not mixed in).
public final class RandomDevice: FileOperations {
    public typealias Fill = @Sendable (UnsafeMutableRawBufferPointer) -> Void
    private let fill: Fill

    public init(fill: @escaping Fill) {
        self.fill = fill
    }

    public var usesPosition: Bool { true }

    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        fill(buffer)
        return buffer.count
    }

    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        buffer.count
    }

    public func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 { 0 }
}
