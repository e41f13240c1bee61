import _Concurrency

/// The commit writer of an internal journal (Linux's jbd2 commit and checkpoint: one transaction
/// written at a time; the caller builds them, Jbd2Transaction). A transaction is a set of metadata blocks (home block, new image)
/// and blocks to revoke; `commit` logs it (descriptor blocks, the copies, revoke blocks; barrier;
/// the commit block; barrier), then writes the blocks home. When the log is nearly full the home
/// writes are made durable and the log's tail moves past them (a checkpoint).
///
/// Ordered mode is the caller's part: data blocks written to the store before `commit` are
/// durable before the commit block (the first barrier covers them).
public final class Jbd2Journal: @unchecked Sendable {
    let device: Jbd2Device
    private(set) public var superblock: Jbd2Superblock
    /// The next log block to write and the id of the next transaction.
    private(set) public var head: UInt32
    private(set) public var nextSequence: UInt32
    /// Transactions committed since the last checkpoint (their home writes may not be durable).
    private(set) public var uncheckpointed = 0

    /// Opens a journal that recovery left empty (s_start 0; EINVAL otherwise, or for a v1
    /// superblock) and makes it live: s_start = s_first, revoke feature on, synced. The caller
    /// sets the filesystem's needs_recovery flag (ext4: INCOMPAT_RECOVER) while it is live.
    public static func open(store: any BlockStore, log: Jbd2Log, report: (String) -> Void) async throws(Errno) -> Jbd2Journal {
        let device = Jbd2Device(store: store, log: log)
        var reason = ""
        var sb: Jbd2Superblock
        do throws(Errno) {
            sb = try Jbd2Superblock(try await device.read(0), blockSize: store.blockSize, journalBlocks: log.length, reason: &reason)
        } catch {
            report(reason)
            throw error
        }
        guard sb.start == 0, sb.version == 2 else {
            report(sb.start != 0 ? "JBD2: journal needs recovery before it is written" : "JBD2: Lichen: v1 journal superblock not writable")
            throw .EINVAL
        }
        if !sb.hasRevoke {
            sb.incompat |= Jbd2Superblock.incompatRevoke
            Jbd2BE.put32(&sb.raw, 0x28, sb.incompat)
        }
        sb.start = sb.first
        try await device.write(0, sb.encoded())
        try await store.sync()
        return Jbd2Journal(device: device, superblock: sb)
    }

    private init(device: Jbd2Device, superblock: Jbd2Superblock) {
        self.device = device
        self.superblock = superblock
        head = superblock.start
        nextSequence = superblock.sequence
    }

    private var capacity: UInt32 { superblock.maxLength - superblock.first }
    /// Log blocks a running transaction may take before it is committed: a quarter of the log,
    /// as Linux's j_max_transaction_buffers.
    public var maxTransactionBlocks: Int { Int(capacity) / 4 }
    /// Log blocks a transaction can never reach (it would not fit in the empty log).
    public var logCapacity: Int { Int(capacity) }
    private var used: UInt32 { (head + capacity - superblock.start) % capacity }
    private func wrap(_ block: UInt32) -> UInt32 { block >= superblock.maxLength ? block - capacity : block }

    /// Log blocks a transaction takes.
    public func blocksNeeded(blocks: Int, revokes: Int) -> Int {
        let perDescriptor = Jbd2Block.tagsPerDescriptor(superblock), perRevoke = Jbd2Block.revokesPerBlock(superblock)
        return (blocks + perDescriptor - 1) / perDescriptor + blocks + (revokes + perRevoke - 1) / perRevoke + 1
    }

    /// Commits one transaction. `blocks`: whole blocks of the filesystem (each home at most
    /// once); `revokes`: blocks freed since they were logged (not also in `blocks`: EINVAL).
    /// E2BIG when the transaction cannot fit in the log even when it is empty.
    public func commit(_ blocks: [(home: UInt64, data: [UInt8])], revokes: [UInt64] = [], seconds: UInt64, nanoseconds: UInt32) async throws(Errno) {
        let sb = superblock
        for (i, b) in blocks.enumerated() {
            guard b.data.count == sb.blockSize, b.home >> 32 == 0 || sb.is64Bit,
                  !revokes.contains(b.home), !blocks[..<i].contains(where: { $0.home == b.home }) else { throw .EINVAL }
        }
        guard blocks.count + revokes.count > 0 else { return }
        let needed = blocksNeeded(blocks: blocks.count, revokes: revokes.count)
        guard needed < Int(capacity) else { throw .E2BIG }
        if Int(used) + needed >= Int(capacity) { try await checkpoint() }
        let sequence = nextSequence
        // Descriptor blocks, each followed by the copies it describes (escaped).
        let perDescriptor = Jbd2Block.tagsPerDescriptor(sb)
        var from = 0
        while from < blocks.count {
            let chunk = blocks[from..<min(blocks.count, from + perDescriptor)]
            var tags: [Jbd2Tag] = []
            var copies: [[UInt8]] = []
            for b in chunk {
                var copy = b.data
                var flags: UInt16 = 0
                if Jbd2BE.u32(copy, 0) == Jbd2Header.magic {
                    for k in 0..<4 { copy[k] = 0 }
                    flags |= Jbd2Tag.escape
                }
                let checksum = sb.hasChecksums ? Jbd2Block.tagChecksum(copy, sequence: sequence, sb) : 0
                tags.append(Jbd2Tag(home: b.home, flags: flags, checksum: checksum))
                copies.append(copy)
            }
            try await append(Jbd2Block.descriptor(sequence: sequence, tags: tags, sb))
            for copy in copies { try await append(copy) }
            from += chunk.count
        }
        let perRevoke = Jbd2Block.revokesPerBlock(sb)
        var r = 0
        while r < revokes.count {
            try await append(Jbd2Block.revoke(sequence: sequence, blocks: revokes[r..<min(revokes.count, r + perRevoke)], sb))
            r += perRevoke
        }
        try await device.store.sync()                  // the log blocks (and ordered data) before the commit block
        try await append(Jbd2Block.commit(sequence: sequence, seconds: seconds, nanoseconds: nanoseconds, sb))
        try await device.store.sync()                  // committed: recovery replays it from now on
        nextSequence = sequence &+ 1
        uncheckpointed += 1
        for b in blocks { try await device.store.write(b.home, b.data) }
    }

    /// Makes every committed block durable at home, then empties the log: s_start at the head,
    /// s_sequence the next id (a crash before the superblock is durable replays them again).
    public func checkpoint() async throws(Errno) {
        try await device.store.sync()
        superblock.start = head
        superblock.sequence = nextSequence
        try await device.write(0, superblock.encoded())
        try await device.store.sync()
        uncheckpointed = 0
    }

    /// Checkpoints and marks the journal empty (s_start 0), as at unmount: the caller may then
    /// clear its needs_recovery flag.
    public func close() async throws(Errno) {
        try await device.store.sync()
        superblock.start = 0
        superblock.sequence = nextSequence
        try await device.write(0, superblock.encoded())
        try await device.store.sync()
        uncheckpointed = 0
    }

    private func append(_ block: [UInt8]) async throws(Errno) {
        try await device.write(head, block)
        head = wrap(head + 1)
    }
}
