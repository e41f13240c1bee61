// The ids of one kind of System V IPC object (Linux's struct ipc_ids): an index in [0, 32768) and a
// sequence number, id = index + seq * 32768 (ipc_buildid). Indices are handed out cyclically and the
// sequence grows when they wrap (Linux's idr_alloc_cyclic path since 5.x), so a removed id is not
// soon reused.

public struct IPCIdTable<Object: IPCObject> {
    /// IPCMNI: indices per table.
    public static var indexLimit: Int { 32768 }
    /// The largest sequence number (ipcid_seq_max: INT_MAX >> 15).
    static var sequenceLimit: Int { Int(Int32.max) >> 15 }

    private var slots: [Object?] = []
    private var sequence = 0
    private var lastIndex = -1
    public private(set) var count = 0

    public init() {}

    /// The object with `id`, EINVAL if none (or another object now holds its index).
    public func object(id: Int32) throws(Errno) -> Object {
        guard id >= 0 else { throw .EINVAL }
        let index = Int(id) % Self.indexLimit
        guard index < slots.count, let object = slots[index],
              Int(object.permissions.seq) == Int(id) / Self.indexLimit else { throw .EINVAL }
        return object
    }

    /// *_STAT: the object at `index`, EINVAL if none.
    public func object(index: Int) throws(Errno) -> Object {
        guard index >= 0, index < slots.count, let object = slots[index] else { throw .EINVAL }
        return object
    }

    /// What IPC_STAT (by id) or a *_STAT command (by index) looks at, with what the call returns
    /// (0, or the object's id for *_STAT); the read permission is checked unless `checkRead` is false
    /// (*_STAT_ANY).
    public func objectToStat(_ idOrIndex: Int32, byIndex: Bool, checkRead: Bool,
                             _ credentials: Credentials) throws(Errno) -> (Object, Int32) {
        let object = byIndex ? try object(index: Int(idOrIndex)) : try object(id: idOrIndex)
        if checkRead { try object.permissions.check(SysVIPC.readBits, credentials) }
        return (object, byIndex ? id(of: object) : 0)
    }

    public func id(of object: Object) -> Int32 {
        guard let index = slots.firstIndex(where: { $0 === object }) else { return -1 }
        return Int32(index + Int(object.permissions.seq) * Self.indexLimit)
    }

    public func find(key: Int32) -> Object? {
        for case let object? in slots where object.permissions.key == key { return object }
        return nil
    }

    /// The highest index in use, -1 when empty (ipc_get_maxidx).
    public var highestIndex: Int {
        slots.lastIndex { $0 != nil } ?? -1
    }

    /// Every object with its id, in index order (/proc/sysvipc, ipcs).
    public var all: [(id: Int32, object: Object)] {
        var result: [(id: Int32, object: Object)] = []
        for (index, slot) in slots.enumerated() {
            if let slot { result.append((Int32(index + Int(slot.permissions.seq) * Self.indexLimit), slot)) }
        }
        return result
    }

    /// ipc_addid: ENOSPC when `limit` objects exist already.
    public mutating func add(_ object: Object, limit: Int) throws(Errno) -> Int32 {
        guard count < min(limit, Self.indexLimit) else { throw .ENOSPC }
        var index = -1
        for step in 1...Self.indexLimit {
            let candidate = (lastIndex + step) % Self.indexLimit
            if candidate >= slots.count || slots[candidate] == nil { index = candidate; break }
        }
        guard index >= 0 else { throw .ENOSPC }
        if index <= lastIndex {
            sequence += 1
            if sequence >= Self.sequenceLimit { sequence = 0 }
        }
        lastIndex = index
        while slots.count <= index { slots.append(nil) }
        object.permissions.seq = UInt16(truncatingIfNeeded: sequence)
        slots[index] = object
        count += 1
        return Int32(index + sequence * Self.indexLimit)
    }

    public mutating func remove(_ object: Object) {
        guard let index = slots.firstIndex(where: { $0 === object }) else { return }
        slots[index] = nil
        count -= 1
        while let last = slots.last, last == nil { slots.removeLast() }
    }

    /// Linux's ipcget: IPC_PRIVATE always creates (nil: the caller makes a new object); an unknown
    /// key creates with IPC_CREAT (else ENOENT); a known one is EEXIST with IPC_CREAT|IPC_EXCL, then
    /// the kind's own checks (`moreChecks`: a size or count too large), then the permissions.
    public func get(key: Int32, flags: UInt32, credentials: Credentials,
                    moreChecks: (Object) throws(Errno) -> Void) throws(Errno) -> Object? {
        if key == SysVIPC.IPC_PRIVATE { return nil }
        guard let object = find(key: key) else {
            if flags & SysVIPC.IPC_CREAT == 0 { throw .ENOENT }
            return nil
        }
        if flags & SysVIPC.IPC_CREAT != 0 && flags & SysVIPC.IPC_EXCL != 0 { throw .EEXIST }
        try moreChecks(object)
        try object.permissions.check(flags & SysVIPC.modeBits, credentials)
        return object
    }
}
