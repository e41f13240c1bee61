import LichenCore
import _Concurrency

/// A POSIX message queue: a regular file of the mqueue filesystem holding LichenCore's
/// PosixMessageQueue. Senders, receivers and poll sleep on `waiters`, woken at every send and
/// receive. The queue counts against queues_max and its creator's RLIMIT_MSGQUEUE until its
/// last reference goes (unlinked and closed everywhere), as Linux's inode eviction.
final class MessageQueueInode: Inode, @unchecked Sendable {
    /// Linux's FILENT_SIZE: the size stat gives a queue.
    static let fileSize: Int64 = 80

    let state: SpinLock<PosixMessageQueue>
    let waiters = WaitQueue()
    private let attributes: SpinLock<InodeMetadata>
    private let chargedUser: UInt32
    private let chargedBytes: UInt64

    init(ino: UInt64, mode: UInt32, owner: InodeOwner, maxMessages: Int, messageSize: Int, chargedBytes: UInt64) {
        state = SpinLock(PosixMessageQueue(maxMessages: maxMessages, messageSize: messageSize))
        attributes = SpinLock(InodeMetadata(ino: ino, mode: FileMode.S_IFREG | (mode & 0o7777), uid: owner.uid, gid: owner.gid,
                                            nlink: 1, size: MessageQueueInode.fileSize, time: RootFilesystem.clock()))
        chargedUser = owner.uid
        self.chargedBytes = chargedBytes
    }

    deinit {
        PosixMessageQueues.accounting.withLock { a in
            a.uncharge(chargedBytes, from: chargedUser)
            a.removeQueue()
        }
    }

    var metadata: InodeMetadata { attributes.withLock { $0 } }
    var fileOperations: (any FileOperations)? { MessageQueueFile(self) }

    func unlinked() {
        attributes.withLock { $0.nlink = 0 }
    }

    /// chmod and chown work as on any simple filesystem (Linux's simple_setattr); a size is refused.
    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        guard changes.size == nil else { throw .EINVAL }
        let now = RootFilesystem.clock()
        func time(_ change: TimeChange) -> Timespec {
            if case .time(let t) = change { return t }
            return now
        }
        attributes.withLock { m in
            if let mode = changes.mode { m.mode = FileMode.S_IFREG | (mode & 0o7777) }
            if let uid = changes.uid { m.uid = uid }
            if let gid = changes.gid { m.gid = gid }
            if let atime = changes.atime { m.atime = time(atime) }
            if let mtime = changes.mtime { m.mtime = time(mtime) }
            m.ctime = now
        }
    }

    /// A send or receive changed the queue: times as Linux, and the sleepers look again.
    func changed() {
        let now = RootFilesystem.clock()
        attributes.withLock { m in
            m.atime = now
            m.mtime = now
            m.ctime = now
        }
        waiters.wakeAll()
    }
}

/// An open message queue (Linux's mqueue_file_operations): the descriptor mq_open returns, or an
/// open() of the file in a mounted mqueue filesystem.
final class MessageQueueFile: FileOperations, @unchecked Sendable {
    let queue: MessageQueueInode

    init(_ queue: MessageQueueInode) { self.queue = queue }

    var usesPosition: Bool { true }

    /// The status line, at the position (simple_read_from_buffer).
    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let line = queue.state.withLock { $0.statusLine }
        guard offset < Int64(line.count) else { return 0 }
        let n = min(buffer.count, line.count - Int(offset))
        for i in 0..<n { buffer[i] = line[Int(offset) + i] }
        return n
    }

    /// default_llseek over the file's 80 bytes.
    func seek(_ file: OpenFile, to offset: Int64, whence: Int32, current: Int64) throws(Errno) -> Int64 {
        let base: Int64
        switch whence {
        case 0: base = 0
        case 1: base = current
        case 2: base = MessageQueueInode.fileSize
        default: throw .EINVAL
        }
        let (target, overflow) = base.addingReportingOverflow(offset)
        guard !overflow, target >= 0 else { throw .EINVAL }
        return target
    }

    func poll(_ file: OpenFile) -> PollEvents { queue.state.withLock { $0.pollEvents } }
    func pollQueue(_ file: OpenFile) -> WaitQueue? { queue.waiters }
}
