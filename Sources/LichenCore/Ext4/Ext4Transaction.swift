import _Concurrency

/// The step that makes operations' metadata blocks the filesystem's state. Without a journal
/// each operation's blocks go home at once (`Ext4HomeCommitter`); jbd2 gathers many operations in
/// a running transaction and commits it later (`Ext4JournalCommitter`). The file data blocks of an
/// operation are already in the store when `add` is called (ordered mode: data before the
/// metadata that points at it; the commit's first barrier covers them).
public protocol Ext4MetadataCommitter: AnyObject, Sendable {
    /// Before an operation reads any block it may change (a journal made live again after
    /// `close` sets needs_recovery first, which the operation's superblock copy must carry).
    func begin() async throws(Errno)
    /// One operation's changes, under the write lock: its metadata blocks, the block ranges it
    /// freed, the inodes it changed. True when the running transaction reached its size limit
    /// (the caller commits it once it let the write lock go).
    /// `dataInodes`: those of `inodes` whose data depends on the change (fdatasync commits for them).
    func add(_ blocks: [(number: UInt64, data: [UInt8])], freed: [(start: UInt64, count: Int)],
             inodes: [UInt32], dataInodes: [UInt32]) async throws(Errno) -> Bool
    /// A block freed by a transaction not committed yet: not to be allocated again before.
    func isFreeing(_ block: UInt64) -> Bool
    /// Commits the running transaction, or (`ino` given) only if it holds changes of that inode:
    /// fsync; `dataOnly` (fdatasync): only if it holds changes the inode's data needs, not
    /// timestamps alone. `lock` is the write lock, taken only to freeze the transaction. True if it committed.
    func commit(under lock: Mutex<Int>, for ino: UInt32?, dataOnly: Bool) async throws(Errno) -> Bool
    /// Commits the running transaction if its first change is `seconds` old (the commit interval).
    func commitIfOlder(than seconds: Int64, under lock: Mutex<Int>) async throws(Errno)
    /// Commits everything and leaves the filesystem clean on disk (a journal checkpointed and
    /// emptied, needs_recovery cleared; at sync, remount read-only and unmount).
    func close(under lock: Mutex<Int>) async throws(Errno)
}

/// No journal: every metadata block goes straight to the block store (ext2, ext4 -O ^has_journal).
public final class Ext4HomeCommitter: Ext4MetadataCommitter, @unchecked Sendable {
    let store: any BlockStore
    public init(_ store: any BlockStore) { self.store = store }

    public func add(_ blocks: [(number: UInt64, data: [UInt8])], freed: [(start: UInt64, count: Int)],
                    inodes: [UInt32], dataInodes: [UInt32]) async throws(Errno) -> Bool {
        for b in blocks { try await store.write(b.number, b.data) }
        return false
    }

    public func begin() async throws(Errno) {}
    public func isFreeing(_ block: UInt64) -> Bool { false }
    public func commit(under lock: Mutex<Int>, for ino: UInt32?, dataOnly: Bool) async throws(Errno) -> Bool { false }
    public func commitIfOlder(than seconds: Int64, under lock: Mutex<Int>) async throws(Errno) {}
    public func close(under lock: Mutex<Int>) async throws(Errno) {}
}

/// The metadata blocks one operation changes (block number -> new image), kept to itself until
/// the commit; reads inside the operation see its own copies first. Used under the filesystem's
/// write lock only. Also carries the inodes whose cached state changes, applied after the commit.
final class Ext4Transaction {
    let store: any BlockStore
    private(set) var blocks: [(number: UInt64, data: [UInt8])] = []
    /// Inodes changed by the operation, with their new on-disk state (applied to the cache at commit).
    var inodes: [(ino: UInt32, raw: Ext4RawInode)] = []
    /// Net change of the free block and inode counts (the statfs figures follow them).
    var freeBlocksDelta: Int64 = 0
    var freeInodesDelta: Int64 = 0
    /// Block ranges freed by the operation: not reused before the commit of its transaction (a crash before it must
    /// find them as they were), and revoked by a journal that logged them.
    private(set) var freed: [(start: UInt64, count: Int)] = []

    /// Blocks freed by earlier operations whose transaction is not committed yet.
    let committer: (any Ext4MetadataCommitter)?

    init(_ store: any BlockStore, committer: (any Ext4MetadataCommitter)? = nil) {
        self.store = store
        self.committer = committer
    }

    func read(_ number: UInt64) async throws(Errno) -> [UInt8] {
        if let i = blocks.firstIndex(where: { $0.number == number }) { return blocks[i].data }
        return try await store.block(number)
    }

    func put(_ number: UInt64, _ data: [UInt8]) {
        if let i = blocks.firstIndex(where: { $0.number == number }) { blocks[i].data = data } else { blocks.append((number, data)) }
    }

    /// Read, change, keep: `body` edits the block's image.
    func update(_ number: UInt64, _ body: (inout [UInt8]) throws(Errno) -> Void) async throws(Errno) {
        var data = try await read(number)
        try body(&data)
        put(number, data)
    }

    func noteFreed(_ start: UInt64, count: Int) { if count > 0 { freed.append((start, count)) } }

    /// Freed by this operation or by a transaction not committed yet: not reusable now.
    func wasFreed(_ block: UInt64) -> Bool {
        freed.contains { block >= $0.start && block - $0.start < UInt64($0.count) } || committer?.isFreeing(block) == true
    }

    /// A freed metadata block (an extent tree block, say) the operation had changed: nothing to write.
    func drop(_ number: UInt64) { blocks.removeAll { $0.number == number } }
}
