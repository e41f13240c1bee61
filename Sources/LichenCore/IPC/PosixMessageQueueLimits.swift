// The POSIX message queue limits of /proc/sys/fs/mqueue (Linux's defaults and ranges from
// ipc/mqueue.c and mq_sysctl.c), the checks a new queue's attributes pass, and what a queue
// costs against RLIMIT_MSGQUEUE.

public struct PosixMessageQueueLimits: Sendable, Equatable {
    /// HARD_MSGMAX and HARD_MSGSIZEMAX: the ceilings even CAP_SYS_RESOURCE cannot pass.
    public static let hardMessages = 65536
    public static let hardMessageSize = 16 * 1024 * 1024
    /// The ranges the sysctls accept (MIN_MSGMAX, MIN_MSGSIZEMAX up to the hard ceilings).
    public static let messagesRange = 1...hardMessages
    public static let messageSizeRange = 128...hardMessageSize
    /// sizeof(struct msg_msg) and sizeof(struct posix_msg_tree_node) on a 64-bit Linux: the
    /// per-message overhead Linux charges (mq_treesize).
    static let messageHeaderSize = 48, treeNodeSize = 48

    public var msgMax = 10
    public var msgsizeMax = 8192
    public var queuesMax = 256
    public var msgDefault = 10
    public var msgsizeDefault = 8192

    public init() {}

    /// A queue made without attributes: the defaults, capped by the maxima.
    public var defaultAttributes: (maxMessages: Int, messageSize: Int) {
        (min(msgDefault, msgMax), min(msgsizeDefault, msgsizeMax))
    }

    /// mqueue_get_inode's checks of the requested attributes: EINVAL for non-positive values or
    /// values over the limits (the hard ones only, with CAP_SYS_RESOURCE), EOVERFLOW when the
    /// size does not fit.
    public func validate(maxMessages: Int64, messageSize: Int64, privileged: Bool) throws(Errno) {
        guard maxMessages > 0, messageSize > 0 else { throw .EINVAL }
        if privileged {
            guard maxMessages <= Int64(Self.hardMessages), messageSize <= Int64(Self.hardMessageSize) else { throw .EINVAL }
        } else {
            guard maxMessages <= Int64(msgMax), messageSize <= Int64(msgsizeMax) else { throw .EINVAL }
        }
    }

    /// The bytes a queue counts against its creator's RLIMIT_MSGQUEUE while it exists.
    public static func chargedBytes(maxMessages: Int, messageSize: Int) -> UInt64 {
        let tree = maxMessages * messageHeaderSize + min(maxMessages, Int(PosixMessageQueue.priorityLimit)) * treeNodeSize
        return UInt64(maxMessages) * UInt64(messageSize) + UInt64(tree)
    }
}

/// Queues alive and the bytes each user's queues are charged (Linux's mq_queues_count and
/// user_struct.mq_bytes). A queue is counted from its creation until its last reference goes.
public struct PosixMessageQueueAccounting: Sendable {
    public private(set) var queues = 0
    private var bytesByUser: [(uid: UInt32, bytes: UInt64)] = []

    public init() {}

    public func bytes(of uid: UInt32) -> UInt64 {
        bytesByUser.first { $0.uid == uid }?.bytes ?? 0
    }

    /// mqueue_create_attr's count check: ENOSPC at queues_max, unless privileged.
    public mutating func addQueue(limit: Int, privileged: Bool) throws(Errno) {
        if queues >= limit && !privileged { throw .ENOSPC }
        queues += 1
    }

    public mutating func removeQueue() { queues -= 1 }

    /// Charges `bytes` to `uid`: EMFILE when it would pass `limit` (RLIMIT_MSGQUEUE), as Linux.
    public mutating func charge(_ bytes: UInt64, to uid: UInt32, limit: UInt64) throws(Errno) {
        let index = bytesByUser.firstIndex { $0.uid == uid }
        let used = index.map { bytesByUser[$0].bytes } ?? 0
        let (total, overflow) = used.addingReportingOverflow(bytes)
        guard !overflow, total <= limit else { throw .EMFILE }
        if let index { bytesByUser[index].bytes = total } else { bytesByUser.append((uid, total)) }
    }

    public mutating func uncharge(_ bytes: UInt64, from uid: UInt32) {
        guard let index = bytesByUser.firstIndex(where: { $0.uid == uid }) else { return }
        bytesByUser[index].bytes -= min(bytes, bytesByUser[index].bytes)
        if bytesByUser[index].bytes == 0 { bytesByUser.remove(at: index) }
    }
}

/// The names of message queues: the kernel receives them without glibc's leading slash.
public enum PosixMessageQueueName {
    /// lookup_one_len's and the mqueue lookup's rules: EACCES for a name with a slash, an empty
    /// name, "." or ".."; ENAMETOOLONG past NAME_MAX.
    public static func check(_ name: [UInt8]) throws(Errno) {
        if name.isEmpty || name == [0x2e] || name == [0x2e, 0x2e] || name.contains(0x2f) { throw .EACCES }
        if name.count > 255 { throw .ENAMETOOLONG }
    }
}
