import _Concurrency

/// ext4's commit step over jbd2 in data=ordered mode, batched as Linux's jbd2: operations add
/// their metadata blocks to one running transaction (a block changed twice is logged once, with
/// its latest image) without any I/O; the transaction is committed when its first change is as
/// old as the commit interval (ext4's commit=, the caller's timer), on an fsync of a file it
/// holds changes of, at sync, remount read-only and unmount (`close`), and when it reaches a
/// quarter of the log. A commit freezes the running transaction (a value: later operations
/// change a new one) and writes it without the write lock: the data the operations wrote is in
/// the store already, and the commit's first barrier makes it durable before the commit block.
/// Then the blocks go home.
///
/// The committer is also the store the filesystem reads and writes through: reads see the
/// running transaction's images first, then the one being committed, then the cache; writes
/// (file data) pass through. Blocks freed by a transaction are not allocated again before it
/// commits; blocks an earlier, not yet checkpointed transaction logged and a later one freed are
/// revoked by the later one, so that a replay cannot write old metadata over their new use.
///
/// While the journal is live the superblock says needs_recovery (set and synced before the
/// journal is opened); `close` commits, checkpoints everything, empties the journal and clears
/// the flag, leaving a clean filesystem; the next change opens it again.
public final class Ext4JournalCommitter: Ext4MetadataCommitter, BlockStore, @unchecked Sendable {
    let base: any BlockStore
    let log: Jbd2Log
    let clock: VFSClock
    let report: @Sendable (String) -> Void
    /// Opened (begin) and closed (close) under the write lock; read by a commit after freezing.
    private var journal: Jbd2Journal?
    /// One commit at a time; taken before the write lock, never after it.
    private let commitLock = Mutex<Int>(0)
    /// Home blocks logged since the last checkpoint, sorted (a replay may write them). Under commitLock.
    private var logged: [UInt64] = []
    private struct Transactions {
        var running = Jbd2Transaction()
        var committing: Jbd2Transaction? = nil
        /// A commit failed with an I/O error: the journal is aborted for good (Linux's
        /// jbd2_journal_abort). Nothing is logged or checkpointed any more; changes are EROFS.
        var aborted = false
        /// Called once when the journal aborts (the kernel makes the filesystem read-only).
        var onAbort: (@Sendable () -> Void)? = nil
    }
    private let state = SpinLock(Transactions())
    /// Transactions committed since mount (host tests and the log line at unmount).
    public private(set) var commits = 0

    /// Maps the journal of the filesystem (EINVAL/EUCLEAN as the mount would) and opens it.
    /// The journal must be empty (recovery ran first).
    public init(_ sb: Ext4Superblock, store: any BlockStore, clock: @escaping VFSClock,
                report: @escaping @Sendable (String) -> Void) async throws(Errno) {
        base = store
        self.clock = clock
        self.report = report
        log = try await Ext4Journal.log(sb, source: store, report: report)
        try await open()
    }

    /// Live: needs_recovery first, so that the flag is set whenever the log may hold transactions.
    private func open() async throws(Errno) {
        try await Ext4Journal.setNeedsRecovery(true, store: base)
        journal = try await Jbd2Journal.open(store: base, log: log, report: report)
        logged = []
    }

    // The store the filesystem sees.

    public var blockSize: Int { base.blockSize }
    public var blockCount: UInt64 { base.blockCount }

    public func block(_ number: UInt64) async throws(Errno) -> [UInt8] {
        if let image = state.withLock({ s in s.running.image(number) ?? s.committing?.image(number) }) { return image }
        return try await base.block(number)
    }

    public func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) { try await base.write(number, data) }
    public func sync() async throws(Errno) { try await base.sync() }

    // Operations.

    public func begin() async throws(Errno) {
        if isAborted { throw .EROFS }
        if journal == nil { try await open() }
    }

    /// Whether a failed commit aborted the journal.
    public var isAborted: Bool { state.withLock { $0.aborted } }

    /// What to do when the journal aborts (errors=remount-ro: the filesystem becomes read-only).
    public func setAbortHandler(_ handler: @escaping @Sendable () -> Void) {
        state.withLock { $0.onAbort = handler }
    }

    public func add(_ blocks: [(number: UInt64, data: [UInt8])], freed: [(start: UInt64, count: Int)],
                    inodes: [UInt32], dataInodes: [UInt32]) async throws(Errno) -> Bool {
        guard let journal else { throw .EIO }           // begin() opens it before the operation
        let now = clock()
        let limit = journal.maxTransactionBlocks, capacity = journal.logCapacity
        return try state.withLock { (s: inout Transactions) throws(Errno) -> Bool in
            if s.aborted { throw .EROFS }
            // An operation that cannot fit in the log beside the running transaction (Linux would
            // split it): no space for it, nothing of it applied.
            let homes = s.running.homes.count + s.running.newHomes(blocks.map { $0.number })
            guard journal.blocksNeeded(blocks: homes, revokes: 0) + 8 < capacity else { throw .ENOSPC }
            for b in blocks { s.running.put(b.number, b.data) }
            for r in freed { s.running.free(r.start, count: UInt64(r.count)) }
            for ino in inodes { s.running.own(ino) }
            for ino in dataInodes { s.running.ownData(ino) }
            if s.running.started == nil { s.running.started = now }
            return journal.blocksNeeded(blocks: s.running.homes.count, revokes: 0) >= limit
        }
    }

    public func isFreeing(_ block: UInt64) -> Bool {
        state.withLock { s in s.running.isFreed(block) || s.committing?.isFreed(block) == true }
    }

    // Commits.

    public func commit(under lock: Mutex<Int>, for ino: UInt32?, dataOnly: Bool = false) async throws(Errno) -> Bool {
        try await commitLock.withLock { (_: inout Int) async throws(Errno) -> Bool in
            // Changes the aborted journal never logged cannot be made durable (Linux's fsync
            // returns 0 once the filesystem is read-only; Lichen says EIO while they exist).
            if self.state.withLock({ $0.aborted && !$0.running.isEmpty }) { throw .EIO }
            let frozen = await lock.withLock { (_: inout Int) async -> Jbd2Journal? in self.freeze(for: ino, dataOnly: dataOnly) }
            guard let frozen else { return false }
            try await self.writeCommitting(frozen)
            return true
        }
    }

    public func commitIfOlder(than seconds: Int64, under lock: Mutex<Int>) async throws(Errno) {
        let now = clock()
        let due = state.withLock { s -> Bool in
            guard !s.aborted, let t = s.running.started else { return false }
            return (now.seconds - t.seconds) * 1_000_000_000 + (now.nanoseconds - t.nanoseconds) >= seconds * 1_000_000_000
        }
        if due { _ = try await commit(under: lock, for: nil, dataOnly: false) }
    }

    public func close(under lock: Mutex<Int>) async throws(Errno) {
        try await commitLock.withLock { (_: inout Int) async throws(Errno) in
            try await lock.withLock { (_: inout Int) async throws(Errno) in
                // Aborted: the log stays as it is (needs_recovery set) for e2fsck or the next mount.
                if self.isAborted { return }
                if let frozen = self.freeze(for: nil) { try await self.writeCommitting(frozen) }
                guard let journal = self.journal else { return }
                try await journal.close()
                self.journal = nil
                self.logged = []
                try await Ext4Journal.setNeedsRecovery(false, store: self.base)
            }
        }
    }

    /// Under both locks: the running transaction becomes the committing one (if it has anything,
    /// and, for an fsync, holds that inode's changes); the journal to write it to.
    private func freeze(for ino: UInt32?, dataOnly: Bool = false) -> Jbd2Journal? {
        guard let journal else { return nil }
        let frozen = state.withLock { s -> Bool in
            guard !s.aborted, !s.running.isEmpty,
                  ino.map({ dataOnly ? s.running.ownsData($0) : s.running.owns($0) }) ?? true else { return false }
            s.committing = s.running
            s.running = Jbd2Transaction()
            return true
        }
        return frozen ? journal : nil
    }

    /// Under commitLock: logs the committing transaction, with revoke records for the blocks it
    /// freed that earlier transactions logged, commits it and writes its blocks home. A commit
    /// that does not fit the log goes back under the running transaction (ENOSPC); one that fails
    /// with an I/O error aborts the journal, as Linux's jbd2 does: logged once, nothing more is
    /// written, later changes are EROFS, and the blocks stay in memory so that readers keep seeing
    /// what the operations did until the unmount.
    private func writeCommitting(_ journal: Jbd2Journal) async throws(Errno) {
        guard let tx = state.withLock({ $0.committing }) else { return }
        var revokes: [UInt64] = []
        for range in tx.freed {
            var i = Jbd2Transaction.lowerBound(logged, range.start)
            while i < logged.count, logged[i] - range.start < range.count {
                if tx.image(logged[i]) == nil { revokes.append(logged[i]) }
                i += 1
            }
        }
        let now = clock()
        do throws(Errno) {
            try await journal.commit(tx.blocks, revokes: revokes, seconds: UInt64(max(now.seconds, 0)),
                                     nanoseconds: UInt32(now.nanoseconds))
        } catch {
            let handler = state.withLock { s -> (@Sendable () -> Void)? in
                s.running = s.running.over(tx)
                s.committing = nil
                guard error != .E2BIG, !s.aborted else { return nil }
                s.aborted = true
                return s.onAbort
            }
            if error == .E2BIG { throw .ENOSPC }
            if !isAborted { throw error }          // never here: only E2BIG keeps the journal
            report("Aborting journal on device: a commit failed with error -" + Format.decimal(UInt64(error.rawValue)))
            if let handler { handler() }
            throw .EIO
        }
        if journal.uncheckpointed == 1 { logged = [] }       // the log was emptied before this one
        for home in revokes {
            let i = Jbd2Transaction.lowerBound(logged, home)
            if i < logged.count && logged[i] == home { logged.remove(at: i) }
        }
        for home in tx.homes {
            let i = Jbd2Transaction.lowerBound(logged, home)
            if i == logged.count || logged[i] != home { logged.insert(home, at: i) }
        }
        commits += 1
        state.withLock { $0.committing = nil }              // home now (Jbd2Journal.commit wrote them)
    }
}
