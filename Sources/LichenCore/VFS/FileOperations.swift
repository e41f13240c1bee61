import _Concurrency

/// The operations of an open special file: device nodes (through the device registry), pipes
/// and procfs files later. Linux's file_operations for files whose data is not an inode's.
/// Every member has a default (read/write EINVAL, seek ESPIPE, ioctl ENOTTY).
public protocol FileOperations: AnyObject, Sendable {
    /// Called once when `file` is opened (may refuse it, e.g. ENXIO).
    func open(_ file: OpenFile) async throws(Errno)
    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int
    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int
    /// lseek: the new position, given the current one.
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64
    /// The device's own requests (the syscall layer has answered the generic ones, FIONBIO and
    /// FIOCLEX): the value to return. `argument` is often a user pointer, reached through `caller`.
    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64
    /// Called when the last reference to the open file description goes away (from its deinit:
    /// do not keep `file`).
    func release(_ file: OpenFile)
    /// Whether the file has a position: read/write get and advance it, pread/pwrite are allowed.
    /// False (the default) for streams (ttys, pipes): called without it, pread/pwrite ESPIPE.
    var usesPosition: Bool { get }
    /// Writes vanish without the data being looked at (/dev/null, /dev/zero): write returns the count
    /// without copying from user memory, which Linux does not read either (so a bad pointer is no EFAULT).
    var discardsWrites: Bool { get }
    /// Reads give zeros and never move the position (/dev/zero, /dev/full): read zero-fills the user
    /// buffer in place, without a kernel buffer, as Linux's read_iter_zero.
    var readsZeros: Bool { get }
    /// poll: the events the file is ready for now (without sleeping).
    func poll(_ file: OpenFile) -> PollEvents
    /// The queue woken whenever `poll` may have changed; nil if readiness never changes.
    func pollQueue(_ file: OpenFile) -> WaitQueue?
    /// The pipe, for a pipe or FIFO (F_GETPIPE_SZ / F_SETPIPE_SZ); nil for every other file.
    var pipe: Pipe? { get }
    /// The eventfd, for an eventfd (its reads and writes that need no wait skip the async path).
    var eventFD: EventFD? { get }
    /// fsync/fdatasync: writes the file's data to stable storage (a disk's flush). EINVAL (the default)
    /// for files that cannot sync: pipes, ttys, character devices.
    func fsync(_ file: OpenFile) async throws(Errno)
    /// O_ASYNC: whether the file signals its owner as it becomes ready (Linux's ->fasync: pipes,
    /// terminals, sockets). On others F_SETFL leaves FASYNC as it was, as on Linux.
    var sendsIOSignals: Bool { get }
    /// A terminal's foreground group, which O_ASYNC makes the owner (0: the caller), as Linux's
    /// tty_fasync; nil leaves the owner alone.
    var ioSignalOwnerGroup: Int32? { get }
}

extension FileOperations {
    public func open(_ file: OpenFile) async throws(Errno) {}
    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        throw .EINVAL
    }
    public func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        throw .EINVAL
    }
    public func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 {
        throw .ESPIPE
    }
    public func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        throw .ENOTTY
    }
    public func release(_ file: OpenFile) {}
    public var usesPosition: Bool { false }
    public var discardsWrites: Bool { false }
    public var readsZeros: Bool { false }
    public func poll(_ file: OpenFile) -> PollEvents { [.readable, .writable] }
    public func pollQueue(_ file: OpenFile) -> WaitQueue? { nil }
    public var pipe: Pipe? { nil }
    public var eventFD: EventFD? { nil }
    public func fsync(_ file: OpenFile) async throws(Errno) { throw .EINVAL }
    public var sendsIOSignals: Bool { false }
    public var ioSignalOwnerGroup: Int32? { nil }
}
