// flock(2) locks: whole-file advisory locks held by open file descriptions (not processes), shared
// or exclusive, on a file named by (device, inode). Pure data: the kernel adds the waiting.

public struct FlockTable: Sendable {
    public struct FileKey: Equatable, Sendable {
        public var device: UInt64
        public var inode: UInt64
        public init(device: UInt64, inode: UInt64) { self.device = device; self.inode = inode }
    }
    private var locks: [(file: FileKey, owner: UInt, exclusive: Bool)] = []

    public init() {}

    public var count: Int { locks.count }

    /// LOCK_SH / LOCK_EX for `owner` (an open file description). A description that already holds a
    /// lock of the other kind loses it first (a conversion is not atomic, as in Linux). False if
    /// another description holds a conflicting lock: the caller waits, or reports EWOULDBLOCK.
    public mutating func lock(_ file: FileKey, owner: UInt, exclusive: Bool) -> Bool {
        if let i = locks.firstIndex(where: { $0.file == file && $0.owner == owner }) {
            if locks[i].exclusive == exclusive { return true }
            locks.remove(at: i)
        }
        let conflict = locks.contains { $0.file == file && $0.owner != owner && ($0.exclusive || exclusive) }
        guard !conflict else { return false }
        locks.append((file, owner, exclusive))
        return true
    }

    /// LOCK_UN; true if there was a lock.
    @discardableResult
    public mutating func unlock(_ file: FileKey, owner: UInt) -> Bool {
        guard let i = locks.firstIndex(where: { $0.file == file && $0.owner == owner }) else { return false }
        locks.remove(at: i)
        return true
    }

    /// The description was closed for the last time: its locks go.
    public mutating func release(owner: UInt) -> Bool {
        let before = locks.count
        locks.removeAll { $0.owner == owner }
        return locks.count != before
    }
}
