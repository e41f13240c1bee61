// Process and thread IDs: Linux's allocation order. IDs are handed out cyclically: the lowest free
// ID above the last one allocated, wrapping at pid_max (32768: IDs up to 32767) back to 300
// (RESERVED_PIDS; the first pass starts at 1). Threads and processes share the space.

public struct PidAllocator: Sendable {
    public static let defaultPidMax: Int32 = 32768
    /// After the first wrap, allocation restarts here (low IDs stay for daemons started at boot).
    public static let reservedPids: Int32 = 300

    public let pidMax: Int32
    private var bitmap: [UInt64]
    /// The last ID handed out.
    public private(set) var last: Int32 = 0
    public private(set) var count = 0

    public init(pidMax: Int32 = PidAllocator.defaultPidMax) {
        self.pidMax = max(pidMax, 2)
        bitmap = Array(repeating: 0, count: (Int(self.pidMax) + 63) / 64)
    }

    public func isAllocated(_ id: Int32) -> Bool {
        guard id > 0, id < pidMax else { return false }
        return bitmap[Int(id) / 64] & (1 << UInt64(id % 64)) != 0
    }

    /// The next ID; EAGAIN when all are taken (fork and clone report it).
    public mutating func allocate() throws(Errno) -> Int32 {
        let wrapTo = last + 1 > PidAllocator.reservedPids ? min(PidAllocator.reservedPids, pidMax - 1) : 1
        if let id = firstFree(from: last + 1, below: pidMax) ?? firstFree(from: wrapTo, below: last + 1) {
            mark(id)
            return id
        }
        throw .EAGAIN
    }

    /// Takes a specific ID (pid 1 for init); false if taken or out of range.
    public mutating func reserve(_ id: Int32) -> Bool {
        guard id > 0, id < pidMax, !isAllocated(id) else { return false }
        mark(id)
        return true
    }

    public mutating func release(_ id: Int32) {
        guard isAllocated(id) else { return }
        bitmap[Int(id) / 64] &= ~(1 << UInt64(id % 64))
        count -= 1
    }

    private mutating func mark(_ id: Int32) {
        bitmap[Int(id) / 64] |= 1 << UInt64(id % 64)
        last = id
        count += 1
    }

    private func firstFree(from start: Int32, below end: Int32) -> Int32? {
        var id = max(start, 1)
        while id < end {
            let word = bitmap[Int(id) / 64]
            if word == ~0 { id = (id / 64 + 1) * 64; continue }
            if word & (1 << UInt64(id % 64)) == 0 { return id }
            id += 1
        }
        return nil
    }
}
