/// One queued inotify event (struct inotify_event before its name is padded).
public struct InotifyEvent: Equatable, Sendable {
    public var wd: Int32
    public var mask: UInt32
    public var cookie: UInt32
    public var name: [UInt8]

    public init(wd: Int32, mask: UInt32, cookie: UInt32 = 0, name: [UInt8] = []) {
        self.wd = wd; self.mask = mask; self.cookie = cookie; self.name = name
    }

    /// Its size in a read: 16 bytes, plus the name NUL-terminated and padded to a multiple of 16.
    public var size: Int { name.isEmpty ? 16 : 16 + (name.count + 1 + 15) / 16 * 16 }
}

/// An inotify instance's event queue, as fsnotify keeps it: an event equal to the last one still
/// queued is merged into it (dropped); past `limit` events one IN_Q_OVERFLOW (wd -1) is queued and
/// later events are lost until reads make room.
public struct InotifyQueue: Sendable {
    public private(set) var events: [InotifyEvent] = []
    private var head = 0
    /// The bytes a read of everything would return (FIONREAD).
    public private(set) var byteCount = 0
    public let limit: Int
    private var overflowQueued = false

    public init(limit: Int) { self.limit = limit }

    public var count: Int { events.count - head }
    public var isEmpty: Bool { count == 0 }
    public var first: InotifyEvent? { isEmpty ? nil : events[head] }

    /// Queues `event` (or the overflow event); false if it was merged or lost to an overflow.
    @discardableResult
    public mutating func append(_ event: InotifyEvent) -> Bool {
        var event = event
        if count >= limit {
            if overflowQueued { return false }  // Linux's single overflow_event is already in the list
            overflowQueued = true
            event = InotifyEvent(wd: -1, mask: InotifyMask.IN_Q_OVERFLOW)
        } else if !isEmpty, let last = events.last, last.mask & InotifyMask.IN_IGNORED == 0,
                  last.mask == event.mask, last.wd == event.wd, last.name == event.name {
            return false
        }
        events.append(event)
        byteCount += event.size
        return true
    }

    /// Removes and returns the first event.
    public mutating func removeFirst() -> InotifyEvent? {
        guard let e = first else { return nil }
        head += 1
        byteCount -= e.size
        if e.wd == -1 && e.mask == InotifyMask.IN_Q_OVERFLOW { overflowQueued = false }
        if head == events.count { events.removeAll(keepingCapacity: true); head = 0 }
        else if head >= 64 && head * 2 >= events.count { events.removeFirst(head); head = 0 }
        return e
    }

    /// read(2): writes whole events into `buffer` while they fit. nil if the first does not (EINVAL).
    public mutating func read(into buffer: UnsafeMutableRawBufferPointer) -> Int? {
        var used = 0
        while let e = first, used + e.size <= buffer.count {
            _ = removeFirst()
            InotifyQueue.encode(e, into: UnsafeMutableRawBufferPointer(rebasing: buffer[used..<(used + e.size)]))
            used += e.size
        }
        return used == 0 && !isEmpty ? nil : used
    }

    static func encode(_ e: InotifyEvent, into out: UnsafeMutableRawBufferPointer) {
        out.storeBytes(of: e.wd.littleEndian, toByteOffset: 0, as: Int32.self)
        out.storeBytes(of: e.mask.littleEndian, toByteOffset: 4, as: UInt32.self)
        out.storeBytes(of: e.cookie.littleEndian, toByteOffset: 8, as: UInt32.self)
        out.storeBytes(of: UInt32(e.size - 16).littleEndian, toByteOffset: 12, as: UInt32.self)
        for i in 16..<out.count { out[i] = 0 }
        for (i, b) in e.name.enumerated() { out[16 + i] = b }
    }
}
