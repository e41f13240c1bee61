import _Concurrency

/// ext4's commit step over jbd2, as Linux's data=ordered mode with one transaction per operation:
/// the operation's file data is already in the store, its metadata blocks become one jbd2
/// transaction (the writer's first barrier makes the data durable before the commit block), then
/// go home. Blocks the operation freed that an earlier, not yet checkpointed transaction logged
/// are revoked, so that a replay cannot write old metadata over their new use as file data.
///
/// While the journal is live the superblock says needs_recovery (set and synced before the
/// journal is opened); `close` (sync, remount read-only, unmount) checkpoints everything, empties
/// the journal and clears the flag, leaving a clean filesystem; the next change opens it again.
public final class Ext4JournalCommitter: Ext4MetadataCommitter, @unchecked Sendable {
    let store: any BlockStore
    let log: Jbd2Log
    let clock: VFSClock
    let report: @Sendable (String) -> Void
    private var journal: Jbd2Journal?
    /// Home blocks logged since the last checkpoint, sorted (a replay may write them).
    private var logged: [UInt64] = []

    /// Maps the journal of the filesystem (EINVAL/EUCLEAN as the mount would) and opens it.
    /// The journal must be empty (recovery ran first).
    public init(_ sb: Ext4Superblock, store: any BlockStore, clock: @escaping VFSClock,
                report: @escaping @Sendable (String) -> Void) async throws(Errno) {
        self.store = store
        self.clock = clock
        self.report = report
        log = try await Ext4Journal.log(sb, source: store, report: report)
        try await open()
    }

    /// Live: needs_recovery first, so that the flag is set whenever the log may hold transactions.
    private func open() async throws(Errno) {
        try await Ext4Journal.setNeedsRecovery(true, store: store)
        journal = try await Jbd2Journal.open(store: store, log: log, report: report)
        logged = []
    }

    public func begin() async throws(Errno) {
        if journal == nil { try await open() }
    }

    public func commit(_ blocks: [(number: UInt64, data: [UInt8])], freed: [(start: UInt64, count: Int)]) async throws(Errno) {
        guard let journal else { throw .EIO }           // begin() opens it before the operation
        var revokes: [UInt64] = []
        for range in freed {
            var i = lowerBound(range.start)
            while i < logged.count, logged[i] - range.start < UInt64(range.count) {
                let home = logged[i]
                if !blocks.contains(where: { $0.number == home }) { revokes.append(home) }
                i += 1
            }
        }
        let now = clock()
        do throws(Errno) {
            try await journal.commit(blocks.map { (home: $0.number, data: $0.data) }, revokes: revokes,
                                     seconds: UInt64(max(now.seconds, 0)), nanoseconds: UInt32(now.nanoseconds))
        } catch {
            // An operation bigger than the whole log (Linux would split it): no space for it.
            throw error == .E2BIG ? .ENOSPC : error
        }
        if journal.uncheckpointed == 1 { logged = [] }       // the log was emptied before this one
        for home in revokes { if let i = index(home) { logged.remove(at: i) } }
        for b in blocks where index(b.number) == nil { logged.insert(b.number, at: lowerBound(b.number)) }
    }

    /// Checkpoints everything, marks the journal empty and clears needs_recovery (all synced).
    public func close() async throws(Errno) {
        guard let journal else { return }
        try await journal.close()
        self.journal = nil
        logged = []
        try await Ext4Journal.setNeedsRecovery(false, store: store)
    }

    private func lowerBound(_ block: UInt64) -> Int {
        var low = 0, high = logged.count
        while low < high {
            let mid = (low + high) / 2
            if logged[mid] < block { low = mid + 1 } else { high = mid }
        }
        return low
    }

    private func index(_ block: UInt64) -> Int? {
        let i = lowerBound(block)
        return i < logged.count && logged[i] == block ? i : nil
    }
}
