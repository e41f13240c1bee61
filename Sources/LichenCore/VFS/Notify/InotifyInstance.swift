import _Concurrency

/// An inotify instance (inotify_init1): its event queue behind the file's read, poll and FIONREAD.
/// Its watches live in `FsNotify`, which queues events here.
public final class InotifyInstance: FileOperations, @unchecked Sendable {
    let state: Event<InotifyQueue>
    /// The real uid charged for this instance and its watches (max_user_instances/max_user_watches).
    public let owner: UInt32
    /// The last watch descriptor given (Linux allocates them cyclically from 1). Under FsNotify's lock.
    var lastWd: Int32 = 0

    init(owner: UInt32, queueLimit: Int) {
        self.owner = owner
        state = Event(InotifyQueue(limit: queueLimit))
    }

    /// A snapshot of the queue (tests, fdinfo).
    public var queue: InotifyQueue { state.value }

    func enqueue(_ event: InotifyEvent) {
        state.update(reporting: .readable) { _ = $0.append(event) }
    }

    /// Whole events only: EINVAL if the first does not fit; EAGAIN when empty and non-blocking.
    public func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let take = { (q: inout InotifyQueue) -> Int? in q.isEmpty ? nil : (q.read(into: buffer) ?? -1) }
        let n: Int
        if file.isNonBlocking {
            guard let r = state.update(take) else { throw .EAGAIN }
            n = r
        } else {
            do { n = try await state.wait(for: take) } catch { throw .EINTR }
        }
        if n < 0 { throw .EINVAL }
        return n
    }

    /// FIONREAD: the bytes a read of every queued event would return.
    public func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        guard request == LinuxIoctl.FIONREAD else { throw .ENOTTY }
        try caller.store(Int32(truncatingIfNeeded: state.value.byteCount), to: argument)
        return 0
    }

    public func poll(_ file: OpenFile) -> PollEvents { state.value.isEmpty ? [] : .readable }
    public func pollQueue(_ file: OpenFile) -> WaitQueue? { state.waitQueue }

    /// The last close drops every watch (no IN_IGNORED: nobody can read them).
    public func release(_ file: OpenFile) { FsNotify.shared.close(self) }
}
