import LichenCore
import Synchronization

/// The message queues of the one IPC namespace by name, their limits (/proc/sys/fs/mqueue) and
/// their accounting. Lock order: `names`, then `accounting` (the innermost lock: a queue's last
/// reference may go while `names` is held, and its deinit takes `accounting`).
enum PosixMessageQueues {
    struct Names {
        var limits = PosixMessageQueueLimits()
        var queues: [(name: [UInt8], queue: MessageQueueInode)] = []
        var nextIno: UInt64 = 2
    }

    static let names = SpinLock(Names())
    static let accounting = SpinLock(PosixMessageQueueAccounting())

    static var limits: PosixMessageQueueLimits {
        get { names.withLock { $0.limits } }
    }

    static func setLimits(_ change: (inout PosixMessageQueueLimits) -> Void) {
        names.withLock { change(&$0.limits) }
    }

    static func find(_ name: [UInt8]) -> MessageQueueInode? {
        names.withLock { n in n.queues.first { $0.name == name }?.queue }
    }

    static func list() -> [(name: [UInt8], queue: MessageQueueInode)] {
        names.withLock { $0.queues }
    }

    /// A new queue named `name` (which must not exist): the attribute checks, queues_max (ENOSPC)
    /// and the creator's RLIMIT_MSGQUEUE (EMFILE), in Linux's order.
    static func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner, attributes: LinuxMqAttr?, privileged: Bool,
                       byteLimit: UInt64) throws(Errno) -> MessageQueueInode {
        try names.withLock { (n: inout Names) throws(Errno) -> MessageQueueInode in
            if n.queues.contains(where: { $0.name == name }) { throw .EEXIST }
            return try createLocked(&n, name, mode: mode, owner: owner, attributes: attributes, privileged: privileged,
                                    byteLimit: byteLimit)
        }
    }

    private static func createLocked(_ n: inout Names, _ name: [UInt8], mode: UInt32, owner: InodeOwner, attributes: LinuxMqAttr?,
                                     privileged: Bool, byteLimit: UInt64) throws(Errno) -> MessageQueueInode {
        var (maxMessages, messageSize) = n.limits.defaultAttributes
        if let attributes {
            try n.limits.validate(maxMessages: attributes.mq_maxmsg, messageSize: attributes.mq_msgsize, privileged: privileged)
            maxMessages = Int(attributes.mq_maxmsg)
            messageSize = Int(attributes.mq_msgsize)
        }
        let bytes = PosixMessageQueueLimits.chargedBytes(maxMessages: maxMessages, messageSize: messageSize)
        let limit = n.limits.queuesMax
        try accounting.withLock { (a: inout PosixMessageQueueAccounting) throws(Errno) in
            try a.addQueue(limit: limit, privileged: privileged)
            do throws(Errno) { try a.charge(bytes, to: owner.uid, limit: byteLimit) } catch {
                a.removeQueue()
                throw error
            }
        }
        let queue = MessageQueueInode(ino: n.nextIno, mode: mode, owner: owner, maxMessages: maxMessages,
                                      messageSize: messageSize, chargedBytes: bytes)
        n.nextIno += 1
        n.queues.append((name, queue))
        return queue
    }

    /// mq_open's prepare_open: the existing queue (EEXIST with O_CREAT|O_EXCL, EINVAL for access
    /// mode 3, EACCES without permission) or, with O_CREAT, a new one (ENOENT without).
    static func open(_ name: [UInt8], flags: OpenFlags, mode: UInt32, attributes: LinuxMqAttr?, credentials: Credentials,
                     byteLimit: UInt64) throws(Errno) -> (queue: MessageQueueInode, created: Bool) {
        try names.withLock { (n: inout Names) throws(Errno) -> (queue: MessageQueueInode, created: Bool) in
            guard let existing = n.queues.first(where: { $0.name == name })?.queue else {
                guard flags.contains(.O_CREAT) else { throw .ENOENT }
                let owner = InodeOwner(uid: credentials.fsuid, gid: credentials.fsgid)
                return (try createLocked(&n, name, mode: mode, owner: owner, attributes: attributes,
                                         privileged: credentials.has(.CAP_SYS_RESOURCE), byteLimit: byteLimit), true)
            }
            if flags.contains(.O_CREAT) && flags.contains(.O_EXCL) { throw .EEXIST }
            let access: Access
            switch flags.accessMode {
            case .O_RDONLY: access = .read
            case .O_WRONLY: access = .write
            case .O_RDWR: access = [.read, .write]
            default: throw .EINVAL
            }
            try credentials.check(access, existing.metadata)
            return (existing, false)
        }
    }

    /// Takes `name` out of the namespace (the caller checked may_delete); open descriptors keep the queue.
    static func remove(_ name: [UInt8]) throws(Errno) {
        let removed = try names.withLock { (n: inout Names) throws(Errno) -> MessageQueueInode in
            guard let index = n.queues.firstIndex(where: { $0.name == name }) else { throw .ENOENT }
            return n.queues.remove(at: index).queue
        }
        removed.unlinked()
    }

    /// A descriptor closed (Linux's mqueue_flush_file): the closer's registration goes.
    static func closed(_ file: OpenFile, by process: Process) {
        guard let queue = (file.operations as? MessageQueueFile)?.queue else { return }
        let pid = process.pid
        let removed = queue.state.withLock { (s: inout PosixMessageQueue) -> PosixMessageQueue.Notification? in
            guard let n = s.notification, n.owner == pid else { return nil }
            s.notification = nil
            return n
        }
        if let removed { PosixMessageQueueSyscalls.notifyRemoved(removed) }
    }

    /// A process ended: its registrations on named queues go (its descriptors are closed too,
    /// but without this hook; a registration of a gone process is also treated as vacant).
    static func processExited(_ process: Process) {
        let pid = process.pid
        for (_, queue) in list() {
            let removed = queue.state.withLock { (s: inout PosixMessageQueue) -> PosixMessageQueue.Notification? in
                guard let n = s.notification, n.owner == pid else { return nil }
                s.notification = nil
                return n
            }
            if let removed { PosixMessageQueueSyscalls.notifyRemoved(removed) }
        }
    }
}
