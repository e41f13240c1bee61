/// A socket's receive queue: messages (Linux's skbs) each with its bytes, its sender's tag (who to
/// credit when the bytes are consumed, and the source address) and its ancillary data. Streams read
/// bytes across messages; datagram and seqpacket sockets read one message at a time (record
/// boundaries). Generic over the attachment (SCM_RIGHTS files and credentials in the kernel) and
/// the sender tag, so that the rules are host-tested without files.
public struct SocketMessageQueue<Attachment, Sender> {
    public struct Message {
        public var bytes: [UInt8]
        /// Bytes of `bytes` a stream reader already took.
        public var consumed = 0
        public var sender: Sender
        /// Delivered with the first byte read from this message; nil once taken.
        public var attachment: Attachment?
        /// A stream's out-of-band byte (MSG_OOB, Linux's oob_skb while it is still queued): reads stop
        /// before it, and skip it unless SO_OOBINLINE. At most one message of a queue is urgent.
        public var isUrgent = false
        public init(bytes: [UInt8], sender: Sender, attachment: Attachment?) {
            self.bytes = bytes; self.sender = sender; self.attachment = attachment
        }
        public var remaining: Int { bytes.count - consumed }
    }

    public private(set) var messages: [Message] = []
    private var head = 0
    /// Unread bytes in the queue.
    public private(set) var byteCount = 0

    public init() {}

    public var isEmpty: Bool { head == messages.count }
    /// Messages waiting.
    public var count: Int { messages.count - head }
    /// The first message (FIONREAD of a datagram socket is its length).
    public var first: Message? { isEmpty ? nil : messages[head] }

    public mutating func append(_ message: Message) {
        byteCount += message.remaining
        messages.append(message)
    }

    /// What a read took: the bytes, the attachments met on the way, and per sender how many bytes
    /// left the queue (to credit back their send buffers).
    public struct Taken {
        public var bytes: [UInt8] = []
        /// For a record: its full length (more than `bytes.count` when truncated: MSG_TRUNC).
        public var recordLength = 0
        public var attachments: [Attachment] = []
        public var credits: [(sender: Sender, bytes: Int)] = []
        /// The sender of the first message read (its address is the source address).
        public var firstSender: Sender? = nil
        /// The read stopped before the urgent byte (the mark): a MSG_WAITALL read ends there too.
        public var stoppedAtMark = false
        /// SO_OOBINLINE: the read took the urgent byte as data (it is no longer out-of-band).
        public var tookUrgent = false
    }

    /// SIOCATMARK: the next byte to read is the urgent one.
    public var atMark: Bool { first?.isUrgent ?? false }

    /// Appends `message` as the urgent byte: the previous urgent byte, if still queued, becomes
    /// ordinary data (Linux drops its oob_skb reference and the skb stays in the stream).
    public mutating func appendUrgent(_ message: Message) {
        for i in head..<messages.count where messages[i].isUrgent { messages[i].isUrgent = false }
        var m = message
        m.isUrgent = true
        append(m)
    }

    /// A MSG_OOB read took the urgent byte: if still queued it leaves the stream (empty, as Linux's
    /// consumed skb). The sender to credit for its byte, if it was queued.
    public mutating func consumeUrgent() -> Sender? {
        for i in head..<messages.count where messages[i].isUrgent {
            messages[i].isUrgent = false
            let n = messages[i].remaining, sender = messages[i].sender
            messages[i].consumed = messages[i].bytes.count
            byteCount -= n
            dropConsumed()
            return n > 0 ? sender : nil
        }
        return nil
    }

    /// Stream read of up to `limit` bytes. Stops after a message carrying an attachment (Linux
    /// gives one recvmsg the files of one send), and before a message `sameBatch` rejects compared
    /// with the first one read (credentials differ under SO_PASSCRED). `peek` leaves the queue.
    /// The urgent byte (Linux's manage_oob): a read that copied something stops before it; one at
    /// it takes it as data under `urgentInline` (SO_OOBINLINE), else skips it (dropped unless `peek`).
    /// `skip` (a peek only: SO_PEEK_OFF) passes over that many unread bytes first.
    public mutating func readStream(limit: Int, peek: Bool, urgentInline: Bool = false, skip: Int = 0,
                                    sameBatch: (Message, Message) -> Bool = { _, _ in true }) -> Taken {
        var taken = Taken()
        var skipLeft = peek ? skip : 0
        var i = head
        while i < messages.count && taken.bytes.count < limit {
            let m = messages[i]
            if i != head && !sameBatch(messages[head], m) { break }
            if m.isUrgent && m.remaining > 0 {
                if !taken.bytes.isEmpty { taken.stoppedAtMark = true; break }
                if urgentInline {
                    if !peek { messages[i].isUrgent = false; taken.tookUrgent = true }
                } else {
                    if !peek {
                        messages[i].consumed = m.bytes.count
                        byteCount -= m.remaining
                        taken.credits.append((m.sender, m.remaining))
                    }
                    i += 1
                    continue
                }
            }
            var start = m.consumed
            if skipLeft > 0 {                                    // SO_PEEK_OFF: peeks start further in
                if m.remaining <= skipLeft { skipLeft -= m.remaining; i += 1; continue }
                start += skipLeft
                skipLeft = 0
            }
            let n = min(m.bytes.count - start, limit - taken.bytes.count)
            if taken.bytes.isEmpty && n == m.bytes.count { taken.bytes = m.bytes }        // no copy
            else { appendBytes(&taken.bytes, m.bytes, start..<(start + n)) }
            if taken.firstSender == nil { taken.firstSender = m.sender }
            if let a = m.attachment {
                taken.attachments.append(a)
                if !peek { messages[i].attachment = nil }
            }
            if !peek {
                messages[i].consumed += n
                byteCount -= n
                taken.credits.append((m.sender, n))
            }
            if m.attachment != nil { break }
            i += 1
        }
        if !peek { dropConsumed() }
        return taken
    }

    /// Record read: the first message whole, truncated to `limit` bytes (the rest is lost unless
    /// `peek`). `skip` (a peek only: SO_PEEK_OFF) passes over whole records it covers and starts
    /// that far into the next, whose `recordLength` is then what is left of it (Linux's
    /// __skb_try_recv_from_queue). nil if nothing is there.
    public mutating func readRecord(limit: Int, peek: Bool, skip: Int = 0) -> Taken? {
        guard !isEmpty else { return nil }
        var index = head, skipLeft = peek ? skip : 0
        while skipLeft > 0 && index < messages.count && skipLeft >= messages[index].bytes.count {
            skipLeft -= messages[index].bytes.count
            index += 1
        }
        guard index < messages.count else { return nil }
        let m = messages[index]
        var taken = Taken()
        let available = m.bytes.count - skipLeft
        let n = min(available, limit)
        taken.bytes = skipLeft == 0 && n == m.bytes.count ? m.bytes : byteSlice(m.bytes, skipLeft..<(skipLeft + n))
        taken.recordLength = available
        taken.firstSender = m.sender
        if let a = m.attachment { taken.attachments.append(a) }
        if !peek {
            byteCount -= m.remaining
            taken.credits.append((m.sender, m.bytes.count))
            messages[head].attachment = nil
            messages[head].consumed = m.bytes.count
            head += 1
            compact()
        }
        return taken
    }

    /// Empties the queue (the socket is closed): every unread attachment, and the credits.
    public mutating func removeAll() -> Taken {
        var taken = Taken()
        for i in head..<messages.count {
            if let a = messages[i].attachment { taken.attachments.append(a) }
            taken.credits.append((messages[i].sender, messages[i].remaining))
        }
        messages = []
        head = 0
        byteCount = 0
        return taken
    }

    /// Stream reads: skips the messages read whole (streams never queue empty ones; records may).
    private mutating func dropConsumed() {
        while head < messages.count && messages[head].remaining == 0 && messages[head].attachment == nil { head += 1 }
        compact()
    }

    private mutating func compact() {
        if head == messages.count { messages.removeAll(keepingCapacity: true); head = 0 }
        else if head > 32 && head * 2 > messages.count { messages.removeFirst(head); head = 0 }
    }
}

/// `bytes[range]` as a new array, copied with memcpy (a slice's element loop is slow in -Osize builds).
public func byteSlice(_ bytes: [UInt8], _ range: Range<Int>) -> [UInt8] {
    var out: [UInt8] = []
    appendBytes(&out, bytes, range)
    return out
}

/// Appends `source[range]` to `bytes` with memcpy.
public func appendBytes(_ bytes: inout [UInt8], _ source: [UInt8], _ range: Range<Int>) {
    guard !range.isEmpty else { return }
    let old = bytes.count
    let grown = [UInt8](unsafeUninitializedCapacity: old + range.count) { buffer, initialized in
        bytes.withUnsafeBufferPointer { b in
            if old > 0 { buffer.baseAddress!.update(from: b.baseAddress!, count: old) }
        }
        source.withUnsafeBufferPointer { s in
            (buffer.baseAddress! + old).update(from: s.baseAddress! + range.lowerBound, count: range.count)
        }
        initialized = old + range.count
    }
    bytes = grown
}
