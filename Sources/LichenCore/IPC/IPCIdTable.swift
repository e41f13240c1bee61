// The ids of one kind of System V IPC object (Linux's struct ipc_ids): an index in [0, 32768) and a
// sequence number, id = index + seq * 32768 (ipc_buildid). Indices are handed out cyclically and the
// sequence grows when they wrap (Linux's idr_alloc_cyclic path since 5.x), so a removed id is not
// soon reused.
//
// Lookups by id, by key (a hash of key -> index, kept while the key is not IPC_PRIVATE) and of an
// object's id (its index is in its permissions) take a few steps however many objects exist (issue 13).

public struct IPCIdTable<Object: IPCObject> {
    /// IPCMNI: indices per table.
    public static var indexLimit: Int { 32768 }
    /// The largest sequence number (ipcid_seq_max: INT_MAX >> 15).
    static var sequenceLimit: Int { Int(Int32.max) >> 15 }

    private var slots: [Object?] = []
    private var sequence = 0
    private var lastIndex = -1
    /// The index of every object whose key is not IPC_PRIVATE.
    private var keys = HashedBuckets<UInt, Int>()
    public private(set) var count = 0
    /// Entries the key index looked at since the table was made (tests check it stays small).
    public var probes: Int { keys.probes }

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
        let index = object.permissions.index
        guard index >= 0, index < slots.count, slots[index] === object else { return -1 }
        return Int32(index + Int(object.permissions.seq) * Self.indexLimit)
    }

    public func find(key: Int32) -> Object? {
        guard key != SysVIPC.IPC_PRIVATE, let index = keys.first(Self.bucketKey(key)) else { return nil }
        return slots[index]
    }

    static func bucketKey(_ key: Int32) -> UInt { UInt(UInt32(bitPattern: key)) }

    /// IPC_RMID of an object still in use: its key becomes IPC_PRIVATE (a new get with the old key
    /// makes a new object), the object stays until its last user goes.
    public mutating func makePrivate(_ object: Object) {
        if object.permissions.key != SysVIPC.IPC_PRIVATE { keys.remove(Self.bucketKey(object.permissions.key)) }
        object.permissions.key = SysVIPC.IPC_PRIVATE
    }

    /// The highest index in use, -1 when empty (ipc_get_maxidx): the slots end at the last object.
    public var highestIndex: Int { slots.count - 1 }

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
        object.permissions.index = index
        slots[index] = object
        if object.permissions.key != SysVIPC.IPC_PRIVATE { keys.append(Self.bucketKey(object.permissions.key), index) }
        count += 1
        return Int32(index + sequence * Self.indexLimit)
    }

    public mutating func remove(_ object: Object) {
        let index = object.permissions.index
        guard index >= 0, index < slots.count, slots[index] === object else { return }
        if object.permissions.key != SysVIPC.IPC_PRIVATE { keys.remove(Self.bucketKey(object.permissions.key)) }
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
