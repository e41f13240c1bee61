import _Concurrency

/// O_ASYNC on a file that sends I/O signals (Linux's fasync_struct and kill_fasync): a watcher on the
/// file's poll queue, so every wake-up of any pollable file can signal its F_SETOWN owner. On a
/// wake-up it polls the file and asks the kernel (`deliver`) for one signal per reason: POLL_IN when
/// a reader's side has data or hung up, POLL_OUT when a writer's side has room.
///
/// Which wake-ups signal: a waker that names what changed (a pipe write: readable; a pipe read:
/// writable) signals each time, as Linux's pipes do; a waker that does not say (`.all`) signals
/// POLL_IN while the file is readable and POLL_OUT only when it becomes writable again or broken
/// (Linux's sockets send POLL_OUT only after a send ran out of room; a pipe's writers hear of the
/// last reader's close), so a writer is not signalled for its own writes.
public final class FileAsyncNotifier: WaitQueueWatcher, @unchecked Sendable {
    /// si_code reasons (POLL_IN...POLL_HUP).
    public static let POLL_IN: Int32 = 1, POLL_OUT: Int32 = 2, POLL_MSG: Int32 = 3
    public static let POLL_ERR: Int32 = 4, POLL_PRI: Int32 = 5, POLL_HUP: Int32 = 6

    /// Sends `owner`'s signal for `reason` about descriptor `fd` (set by the kernel). Called in the
    /// waker's context, after every lock of the notifier is released.
    nonisolated(unsafe) public static var deliver: ((FileSignalOwner, Int32, Int32) -> Void)? = nil

    private struct State {
        var attached = true
        var fd: Int32
        var wasWritable: PollEvents
    }
    /// Not retained: the file owns the notifier and detaches it (under `state`'s lock) before it goes.
    private unowned(unsafe) let file: OpenFile
    private let state: SpinLock<State>

    init(file: OpenFile, fd: Int32) {
        self.file = file
        let now = file.operations?.poll(file) ?? []
        state = SpinLock(State(fd: fd, wasWritable: now.intersection([.writable, .error])))
    }

    /// The file is closing: no more polls of it, even by a wake-up already running on another CPU.
    func detach() { state.withLock { $0.attached = false } }

    public override func queueWoke(_ key: PollEvents) {
        let file = self.file
        let found = state.withLock { (s: inout State) -> (owner: FileSignalOwner, fd: Int32, reasons: Reasons)? in
            guard s.attached, let ops = file.operations else { return nil }
            let mode = file.flags
            let r = FileAsyncNotifier.reasons(key: key, now: ops.poll(file), reads: mode.allowsRead,
                                              writes: mode.allowsWrite, wasWritable: &s.wasWritable)
            guard r.input || r.output else { return nil }
            return (file.signalOwner.withLock { $0 }, s.fd, r)
        }
        guard let found, found.owner.pid > 0, let deliver = FileAsyncNotifier.deliver else { return }
        if found.reasons.input { deliver(found.owner, FileAsyncNotifier.POLL_IN, found.fd) }
        if found.reasons.output { deliver(found.owner, FileAsyncNotifier.POLL_OUT, found.fd) }
    }

    public struct Reasons: Equatable, Sendable {
        public var input = false, output = false
    }

    /// The rule above: `key` what the waker says may have changed, `now` the file's poll, `reads` and
    /// `writes` its access mode; `wasWritable` the write-side events of the previous answer, updated.
    public static func reasons(key: PollEvents, now: PollEvents, reads: Bool, writes: Bool,
                               wasWritable: inout PollEvents) -> Reasons {
        var r = Reasons()
        let readSide: PollEvents = [.readable, .hangUp]
        if reads && !key.intersection(readSide).isEmpty && !now.intersection(readSide).isEmpty { r.input = true }
        let writeSide: PollEvents = [.writable, .error]
        let writableNow = now.intersection(writeSide)
        if writes && !writableNow.isEmpty && !key.intersection(writeSide).isEmpty
            && (key != .all || !writableNow.subtracting(wasWritable).isEmpty) { r.output = true }
        wasWritable = writableNow
        return r
    }
}

extension OpenFile {
    /// fcntl(F_SETFL) turning FASYNC on or off for descriptor `fd` of a file that sends I/O signals
    /// (Linux's ->fasync): starts or stops watching its poll queue.
    public func setAsyncNotification(_ on: Bool, fd: Int32) {
        guard let queue = pollQueue else { return }
        let new = on ? FileAsyncNotifier(file: self, fd: fd) : nil
        let old = asyncNotifier.withLock { (n: inout FileAsyncNotifier?) -> FileAsyncNotifier? in
            let old = n
            n = new
            return old
        }
        if let new { queue.addWatcher(new) }
        if let old { old.detach(); queue.removeWatcher(old) }
    }

    /// The file is going: its notifier stops (before the operations release the file).
    func endAsyncNotification() {
        guard let old = asyncNotifierIfCreated?.withLock({ (n: inout FileAsyncNotifier?) -> FileAsyncNotifier? in
            let old = n
            n = nil
            return old
        }) else { return }
        old.detach()
        pollQueue?.removeWatcher(old)
    }
}
