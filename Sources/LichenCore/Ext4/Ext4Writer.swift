import _Concurrency

/// What a read-write mount adds to the volume: the block store (the journal's, which shows the
/// running transaction, when there is one), the commit step (home, or jbd2), one async lock that serializes every metadata change (simple and correct first),
/// the clock, and the inodes unlinked while open, freed once their last user lets go.
final class Ext4Writer: @unchecked Sendable {
    let store: any BlockStore
    let committer: any Ext4MetadataCommitter
    let lock = Mutex<Int>(0)
    let clock: VFSClock
    /// s_want_extra_isize for new inodes (32 when the superblock says 0, as mke2fs).
    let wantExtraIsize: Int
    /// Inode numbers whose last link and last user are gone (pushed by Ext4Node's deinit).
    let orphans = SpinLock<[UInt32]>([])
    /// The free counts' change since mount (statfs).
    let freeDelta = SpinLock<(blocks: Int64, inodes: Int64)>((0, 0))
    private let generations = SpinLock<UInt32>(0)

    init(store: any BlockStore, committer: any Ext4MetadataCommitter, clock: @escaping VFSClock, wantExtraIsize: Int) {
        self.store = store
        self.committer = committer
        self.clock = clock
        self.wantExtraIsize = wantExtraIsize == 0 ? 32 : wantExtraIsize
        let t = clock()
        generations.withLock { $0 = UInt32(truncatingIfNeeded: t.seconds ^ t.nanoseconds) }
    }

    /// i_generation of a new inode (Linux takes a random number; any value that changes will do).
    func nextGeneration() -> UInt32 {
        generations.withLock { g in
            g = g &* 1_664_525 &+ 1_013_904_223
            return g
        }
    }
}

extension Ext4Volume {
    /// Runs one metadata-changing operation: under the write lock, in a fresh transaction, added
    /// to the journal's running transaction if `body` succeeds (nothing of its metadata is kept
    /// if it fails), then the cached inodes and the free counts updated. It does not wait for a
    /// commit, unless it filled the running transaction (committed after the lock is let go).
    /// EROFS on a read-only mount. Inodes whose last user left since the previous operation are
    /// freed first, each in its own operation.
    /// ENOSPC while blocks freed by a transaction not committed yet wait for it: that transaction
    /// is committed and the operation tried once more (Linux's ext4_should_retry_alloc).
    func change<R>(_ body: (Ext4Operation) async throws(Errno) -> R) async throws(Errno) -> R {
        guard let writer else { throw .EROFS }
        do throws(Errno) {
            return try await changeOnce(writer, body)
        } catch {
            guard error == .ENOSPC, try await writer.committer.commit(under: writer.lock, for: nil, dataOnly: false) else { throw error }
            return try await changeOnce(writer, body)
        }
    }

    private func changeOnce<R>(_ writer: Ext4Writer, _ body: (Ext4Operation) async throws(Errno) -> R) async throws(Errno) -> R {
        let (result, full) = try await writer.lock.withLock { (_: inout Int) async throws(Errno) -> (R, Bool) in
            try await writer.committer.begin()
            var full = try await releaseOrphans(writer)
            let op = Ext4Operation(self, writer)
            let result = try await body(op)
            if try await commit(op, writer) { full = true }
            // An inode the operation left without links and without users is freed now, in the
            // same running transaction (no orphan list on disk: a commit between the two would
            // leave an unlinked, still allocated inode to e2fsck).
            if try await releaseOrphans(writer) { full = true }
            return (result, full)
        }
        if full { _ = try await writer.committer.commit(under: writer.lock, for: nil, dataOnly: false) }
        return result
    }

    /// Frees the inodes unlinked while open whose last user is gone (also at sync and unmount).
    func flushOrphans() async throws(Errno) {
        guard let writer else { return }
        try await writer.lock.withLock { (_: inout Int) async throws(Errno) in
            if writer.orphans.withLock({ !$0.isEmpty }) { try await writer.committer.begin() }
            _ = try await releaseOrphans(writer)
        }
    }

    private func releaseOrphans(_ writer: Ext4Writer) async throws(Errno) -> Bool {
        var full = false
        while let ino = writer.orphans.withLock({ $0.popLast() }) {
            let op = Ext4Operation(self, writer)
            try await op.release(ino)
            if try await commit(op, writer) { full = true }
        }
        return full
    }

    /// True when the running transaction is full.
    private func commit(_ op: Ext4Operation, _ writer: Ext4Writer) async throws(Errno) -> Bool {
        let tx = op.tx
        guard !tx.blocks.isEmpty else { return false }
        // fdatasync needs a change of size or blocks, or a new inode; not timestamps alone.
        var dataInodes: [UInt32] = []
        for (ino, raw) in tx.inodes {
            let old = (op.touched.first { $0.ino == ino } ?? cachedNode(ino))?.raw
            if let old, old.nlink != 0, old.size == raw.size, old.blocks512 == raw.blocks512, old.blockArea == raw.blockArea,
               old.flags == raw.flags { continue }
            dataInodes.append(ino)
        }
        let full = try await writer.committer.add(tx.blocks, freed: tx.freed, inodes: tx.inodes.map { $0.ino }, dataInodes: dataInodes)
        for (ino, raw) in tx.inodes { (op.touched.first { $0.ino == ino } ?? cachedNode(ino))?.update(raw) }
        writer.freeDelta.withLock { $0.blocks += tx.freeBlocksDelta; $0.inodes += tx.freeInodesDelta }
        return full
    }
}
