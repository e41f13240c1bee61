// flock(2) locks: whole-file advisory locks held by open file descriptions (not processes), shared
// or exclusive, on a file named by (device, inode). Pure data: the kernel adds the waiting.
// Locks are hashed by file, and each owner's files by owner (HashedBuckets), so lock, unlock and
// release look only at the file's own holders and the owner's own locks, not at every lock held
// in the system (a scan of every lock per call before; issue 13).

public struct FlockTable: Sendable {
    public struct FileKey: Equatable, Sendable, BucketKey {
        public var device: UInt64
        public var inode: UInt64
        public init(device: UInt64, inode: UInt64) { self.device = device; self.inode = inode }
        public var bucketHash: UInt64 { inode ^ (device &* 0x9E37_79B9_7F4A_7C15) }
    }
    private struct Holder: Sendable { var owner: UInt; var exclusive: Bool }
    private var byFile = HashedBuckets<FileKey, Holder>()
    private var byOwner = HashedBuckets<UInt, FileKey>()

    public init() {}

    public var count: Int { byFile.count }
    /// Entries looked at by the lookups so far (tests check it does not follow the table's size).
    public var probes: Int { byFile.probes + byOwner.probes }

    /// LOCK_SH / LOCK_EX for `owner` (an open file description). A description that already holds a
    /// lock of the other kind loses it first (a conversion is not atomic, as in Linux). False if
    /// another description holds a conflicting lock: the caller waits, or reports EWOULDBLOCK.
    public mutating func lock(_ file: FileKey, owner: UInt, exclusive: Bool) -> Bool {
        if byFile.contains(file, where: { $0.owner == owner && $0.exclusive == exclusive }) { return true }
        unlock(file, owner: owner)
        let conflict = byFile.contains(file) { $0.owner != owner && ($0.exclusive || exclusive) }
        guard !conflict else { return false }
        byFile.append(file, Holder(owner: owner, exclusive: exclusive))
        byOwner.append(owner, file)
        return true
    }

    /// LOCK_UN; true if there was a lock.
    @discardableResult
    public mutating func unlock(_ file: FileKey, owner: UInt) -> Bool {
        guard byFile.remove(file, where: { $0.owner == owner }) != nil else { return false }
        byOwner.remove(owner) { $0 == file }
        return true
    }

    /// The description was closed for the last time: its locks go.
    public mutating func release(owner: UInt) -> Bool {
        let files = byOwner.removeAll(owner) { _ in true }
        for file in files { byFile.remove(file) { $0.owner == owner } }
        return !files.isEmpty
    }
}
