/// A POSIX message queue's contents (Linux's mqueue_inode_info without the inode): messages by
/// priority, highest first and in arrival order within a priority; the attributes fixed at
/// creation; the one mq_notify registration; how many receivers sleep (a message sent while one
/// waits goes to it, so it notifies nobody, as Linux's pipelined_send).
public struct PosixMessageQueue: Sendable {
    /// MQ_PRIO_MAX: priorities are below it.
    public static let priorityLimit: UInt32 = 32768

    public struct Message: Equatable, Sendable {
        public var priority: UInt32
        public var text: [UInt8]
    }

    /// mq_notify's registration: who (the thread group) and how.
    public struct Notification: Equatable, Sendable {
        /// SIGEV_SIGNAL, SIGEV_NONE or SIGEV_THREAD.
        public var kind: Int32
        public var signal: Int32
        public var value: UInt64
        public var owner: Int32
        /// SIGEV_THREAD: the netlink socket the cookie goes to, and the caller's 32-byte cookie.
        public var sink: Sink? = nil
        public var cookie: [UInt8] = []
        public init(kind: Int32, signal: Int32, value: UInt64, owner: Int32) {
            self.kind = kind
            self.signal = signal
            self.value = value
            self.owner = owner
        }
    }

    /// The kernel object a SIGEV_THREAD registration notifies (a netlink socket), held opaquely.
    public struct Sink: Equatable, @unchecked Sendable {
        public let object: AnyObject
        public init(_ object: AnyObject) { self.object = object }
        public static func == (a: Sink, b: Sink) -> Bool { a.object === b.object }
    }

    public let maxMessages: Int
    public let messageSize: Int
    /// Sorted: priority descending, then arrival.
    public private(set) var messages: [Message] = []
    /// Bytes of message text held (the QSIZE of the queue file).
    public private(set) var bytes = 0
    public var notification: Notification? = nil
    public var waitingReceivers = 0

    public init(maxMessages: Int, messageSize: Int) {
        self.maxMessages = maxMessages
        self.messageSize = messageSize
    }

    public var count: Int { messages.count }
    public var isFull: Bool { messages.count >= maxMessages }
    public var isEmpty: Bool { messages.isEmpty }

    /// Adds a message (the caller checked the room and size). Returns the registration to act on
    /// when the queue went from empty to non-empty with nobody waiting to receive: it is then
    /// removed (one notification per registration, as Linux's __do_notify).
    public mutating func send(_ text: [UInt8], priority: UInt32) -> Notification? {
        var index = messages.count
        while index > 0 && messages[index - 1].priority < priority { index -= 1 }
        messages.insert(Message(priority: priority, text: text), at: index)
        bytes += text.count
        guard messages.count == 1, waitingReceivers == 0, let n = notification else { return nil }
        notification = nil
        return n
    }

    /// Takes the oldest message of the highest priority.
    public mutating func receive() -> Message? {
        guard !messages.isEmpty else { return nil }
        let m = messages.removeFirst()
        bytes -= m.text.count
        return m
    }

    /// mq_getsetattr's view; `nonBlocking` is the descriptor's O_NONBLOCK.
    public func attributes(nonBlocking: Bool) -> LinuxMqAttr {
        LinuxMqAttr(flags: nonBlocking ? 0o4000 : 0, maxmsg: Int64(maxMessages), msgsize: Int64(messageSize),
                    curmsgs: Int64(messages.count))
    }

    /// poll: readable with a message, writable with room (whatever the access mode, as Linux).
    public var pollEvents: PollEvents {
        var events: PollEvents = []
        if !messages.isEmpty { events.insert(.readable) }
        if messages.count < maxMessages { events.insert(.writable) }
        return events
    }

    /// What reading the queue's file gives: Linux's
    /// "QSIZE:%-10lu NOTIFY:%-5d SIGNO:%-5d NOTIFY_PID:%-6d\n".
    public var statusLine: [UInt8] {
        let n = notification
        var line = "QSIZE:" + Self.padRight(Self.decimal(Int64(bytes)), 10)
        line += " NOTIFY:" + Self.padRight(Self.decimal(Int64(n?.kind ?? 0)), 5)
        line += " SIGNO:" + Self.padRight(Self.decimal(Int64(n?.kind == 0 ? n!.signal : 0)), 5)
        line += " NOTIFY_PID:" + Self.padRight(Self.decimal(Int64(n?.owner ?? 0)), 6) + "\n"
        return Array(line.utf8)
    }

    static func decimal(_ v: Int64) -> String {
        if v < 0 { return "-" + decimal(-v) }
        var digits: [UInt8] = []
        var n = v
        repeat {
            digits.append(UInt8(48 + n % 10))
            n /= 10
        } while n > 0
        return String(decoding: digits.reversed(), as: UTF8.self)
    }

    static func padRight(_ s: String, _ width: Int) -> String {
        var s = s
        while s.utf8.count < width { s += " " }
        return s
    }
}
