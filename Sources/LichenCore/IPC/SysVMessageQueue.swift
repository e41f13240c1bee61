// A System V message queue (Linux's msg_queue): typed messages in arrival order, a byte limit
// (msg_qbytes) that also bounds the number of messages, and msgrcv's ways to choose one.

public final class SysVMessageQueue: IPCObject {
    public static let MSG_NOERROR: UInt32 = 0o10000, MSG_EXCEPT: UInt32 = 0o20000, MSG_COPY: UInt32 = 0o40000
    public static let MSG_STAT: Int32 = 11, MSG_INFO: Int32 = 12, MSG_STAT_ANY: Int32 = 13

    public var permissions: IPCPermissions
    public private(set) var messages: [(type: Int64, text: [UInt8])] = []
    public private(set) var bytes = 0
    public var limit: Int
    public var stime: Int64 = 0, rtime: Int64 = 0, ctime: Int64
    public var lastSender: Int32 = 0, lastReceiver: Int32 = 0
    public var removed = false
    /// Sleepers in semop/msgsnd/msgrcv: woken whenever the object changes (and at IPC_RMID).
    public let waiters = WaitQueue()

    public init(permissions: IPCPermissions, limit: Int, now: Int64) {
        self.permissions = permissions
        self.limit = limit
        ctime = now
    }

    /// msg_fits_inqueue: the bytes, and the count (each message counts as one byte of room too).
    public func fits(_ size: Int) -> Bool {
        bytes + size <= limit && messages.count + 1 <= limit
    }

    public func send(type: Int64, text: [UInt8], pid: Int32, now: Int64) {
        messages.append((type, text))
        bytes += text.count
        lastSender = pid
        stime = now
    }

    /// How msgrcv picks (convert_mode).
    public enum Selection: Equatable {
        case first
        case type(Int64)
        case anyBut(Int64)
        /// The lowest type not above the bound, the first of those.
        case lowest(upTo: Int64)
        /// MSG_COPY: the message at this position.
        case position(Int64)

        public init(type: Int64, flags: UInt32) {
            if flags & SysVMessageQueue.MSG_COPY != 0 { self = .position(type) }
            else if type == 0 { self = .first }
            else if type < 0 { self = .lowest(upTo: type == Int64.min ? Int64.max : -type) }
            else { self = flags & SysVMessageQueue.MSG_EXCEPT != 0 ? .anyBut(type) : .type(type) }
        }
    }

    public func find(_ selection: Selection) -> Int? {
        switch selection {
        case .first: return messages.isEmpty ? nil : 0
        case .type(let t): return messages.firstIndex { $0.type == t }
        case .anyBut(let t): return messages.firstIndex { $0.type != t }
        case .position(let p): return p >= 0 && p < Int64(messages.count) ? Int(p) : nil
        case .lowest(let bound):
            var best: Int? = nil
            for (i, m) in messages.enumerated() where m.type <= bound {
                if best == nil || m.type < messages[best!].type { best = i }
            }
            return best
        }
    }

    /// Takes the message at `index` out (a receive).
    public func take(_ index: Int, pid: Int32, now: Int64) -> (type: Int64, text: [UInt8]) {
        let m = messages.remove(at: index)
        bytes -= m.text.count
        lastReceiver = pid
        rtime = now
        return m
    }

    public func stat() -> LinuxMsqid64DS {
        var s = LinuxMsqid64DS()
        s.msg_perm = permissions.linux
        s.msg_stime = stime
        s.msg_rtime = rtime
        s.msg_ctime = ctime
        s.msg_cbytes = UInt64(bytes)
        s.msg_qnum = UInt64(messages.count)
        s.msg_qbytes = UInt64(limit)
        s.msg_lspid = lastSender
        s.msg_lrpid = lastReceiver
        return s
    }
}
