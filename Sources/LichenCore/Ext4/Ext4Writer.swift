import _Concurrency

/// What a read-write mount adds to the volume: the block store, the commit step (no journal, or
/// jbd2 later), one async lock that serializes every metadata change (simple and correct first),
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
    /// Runs one metadata-changing operation: under the write lock, in a fresh transaction,
    /// committed if `body` succeeds (nothing of its metadata is written if it fails), then the
    /// cached inodes and the free counts updated. EROFS on a read-only mount. Inodes whose last
    /// user left since the previous operation are freed first, each in its own transaction.
    func change<R>(_ body: (Ext4Operation) async throws(Errno) -> R) async throws(Errno) -> R {
        guard let writer else { throw .EROFS }
        return try await writer.lock.withLock { (_: inout Int) async throws(Errno) -> R in
            try await writer.committer.begin()
            try await releaseOrphans(writer)
            let op = Ext4Operation(self, writer)
            let result = try await body(op)
            try await commit(op, writer)
            return result
        }
    }

    /// Frees the inodes unlinked while open whose last user is gone (also at sync and unmount).
    func flushOrphans() async throws(Errno) {
        guard let writer else { return }
        try await writer.lock.withLock { (_: inout Int) async throws(Errno) in
            if writer.orphans.withLock({ !$0.isEmpty }) { try await writer.committer.begin() }
            try await releaseOrphans(writer)
        }
    }

    private func releaseOrphans(_ writer: Ext4Writer) async throws(Errno) {
        while let ino = writer.orphans.withLock({ $0.popLast() }) {
            let op = Ext4Operation(self, writer)
            try await op.release(ino)
            try await commit(op, writer)
        }
    }

    private func commit(_ op: Ext4Operation, _ writer: Ext4Writer) async throws(Errno) {
        let tx = op.tx
        guard !tx.blocks.isEmpty else { return }
        try await writer.committer.commit(tx.blocks, freed: tx.freed)
        for (ino, raw) in tx.inodes { (op.touched.first { $0.ino == ino } ?? cachedNode(ino))?.update(raw) }
        writer.freeDelta.withLock { $0.blocks += tx.freeBlocksDelta; $0.inodes += tx.freeInodesDelta }
    }
}
