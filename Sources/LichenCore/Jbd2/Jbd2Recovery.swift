import _Concurrency

// Journal recovery as Linux's fs/jbd2/recovery.c: a scan pass finds the last transaction whose
// commit block is valid, a revoke pass collects the revoke records, a replay pass writes every
// logged block home (unless a later or the same transaction revoked it), then a barrier and the
// journal superblock marked empty.

public struct Jbd2RecoveryResult: Sendable, Equatable {
    /// Transactions replayed [first, end) and the sequence the log restarts at.
    public var first: UInt32
    public var end: UInt32
    public var replayed = 0
    public var revoked = 0
    public var revokeRecords = 0
    public var nextSequence: UInt32
}

public enum Jbd2Recovery {
    /// Recovers the journal mapped by `log` on `store` into the filesystem's blocks on the same
    /// store (an internal journal). `fsBlocks` bounds the home block numbers. `report` gets
    /// Linux's log lines. nil when the journal was empty (s_start 0: nothing to do).
    public static func recover(store: any BlockStore, log: Jbd2Log, fsBlocks: UInt64,
                               report: (String) -> Void) async throws(Errno) -> Jbd2RecoveryResult? {
        let device = Jbd2Device(store: store, log: log)
        var reason = ""
        let sb: Jbd2Superblock
        do throws(Errno) {
            sb = try Jbd2Superblock(try await device.read(0), blockSize: store.blockSize, journalBlocks: log.length, reason: &reason)
        } catch {
            report(reason)
            throw error
        }
        guard sb.start != 0 else { return nil }
        var pass = Pass(sb: sb, device: device, fsBlocks: fsBlocks)
        let end = try await pass.scan(report: report)
        try await pass.collectRevokes(end: end)
        var result = Jbd2RecoveryResult(first: sb.sequence, end: end, nextSequence: end &+ 1)
        let badBlocks = try await pass.replay(end: end, store: store, result: &result, report: report)
        result.revokeRecords = pass.revokes.count
        try await store.sync()                         // the replayed blocks are home before the log is dropped
        var empty = sb
        empty.sequence = result.nextSequence          // restart past `end`: invalidates any stale commit
        empty.start = 0
        try await device.write(0, empty.encoded())
        try await store.sync()
        if badBlocks { throw .EBADMSG }
        return result
    }

    /// The state shared by the three passes (Linux's recovery_info and revoke table).
    struct Pass {
        let sb: Jbd2Superblock
        let device: Jbd2Device
        let fsBlocks: UInt64
        var revokes = Jbd2RevokeTable()

        func wrap(_ block: UInt32) -> UInt32 {
            var b = block
            while b >= sb.maxLength { b -= sb.maxLength - sb.first }
            return b
        }

        /// PASS_SCAN: the first transaction id not to replay.
        func scan(report: (String) -> Void) async throws(Errno) -> UInt32 {
            var sequence = sb.sequence
            var next = sb.start
            var lastCommitTime: UInt64 = 0
            var needCheckCommitTime = false
            var walked: UInt32 = 0
            while true {
                // A log that loops on itself (only descriptors of one id) is not a journal.
                walked += 1
                guard walked <= sb.maxLength else {
                    report("JBD2: log loops without a commit: corrupt journal")
                    throw .EUCLEAN
                }
                let block = try await device.read(next)
                next = wrap(next + 1)
                guard let header = Jbd2Header(block), header.sequence == sequence else { return sequence }
                switch header.kind {
                case .descriptor:
                    // A bad checksum may be a stale block of an older log: the commit time decides.
                    if !Jbd2Block.tailChecksumMatches(block, sb) { needCheckCommitTime = true }
                    let count = UInt32(Jbd2Block.tags(block, sb).count)
                    guard count < sb.maxLength else { throw .EUCLEAN }
                    next = wrap(next + count)
                    walked += count
                case .revoke:
                    if !Jbd2Block.tailChecksumMatches(block, sb) { needCheckCommitTime = true }
                case .commit:
                    let time = Jbd2Block.commitTime(block)
                    if !Jbd2Block.commitChecksumMatches(block, sb) {
                        // A torn commit (or a stale one): the transaction is not replayed.
                        if time >= lastCommitTime {
                            report("JBD2: journal transaction " + Format.decimal(UInt64(sequence)) + " has a bad commit block: not replayed")
                        }
                        return sequence
                    }
                    if needCheckCommitTime {
                        if time >= lastCommitTime {
                            report("JBD2: Invalid checksum found in transaction " + Format.decimal(UInt64(sequence)))
                            throw .EBADMSG
                        }
                        return sequence                // stale blocks of an older log: the end
                    }
                    lastCommitTime = time
                    sequence &+= 1
                case .superblockV1, .superblockV2:
                    return sequence
                }
            }
        }

        /// PASS_REVOKE: each revoked block with the newest transaction that revoked it.
        mutating func collectRevokes(end: UInt32) async throws(Errno) {
            try await walk(end: end) { (header, block, _) throws(Errno) in
                guard header.kind == .revoke else { return }
                for home in try Jbd2Block.revoked(block, sb) { revokes.set(home, sequence: header.sequence) }
            }
        }

        /// PASS_REPLAY: the logged blocks written home. Returns whether a block had a bad
        /// checksum (not written, logged; recovery goes on and fails at the end, as Linux).
        func replay(end: UInt32, store: any BlockStore, result: inout Jbd2RecoveryResult,
                    report: (String) -> Void) async throws(Errno) -> Bool {
            var bad = false
            var replayed = 0, revoked = 0
            try await walk(end: end) { (header, block, logBlock) throws(Errno) in
                guard header.kind == .descriptor else { return }
                guard Jbd2Block.tailChecksumMatches(block, sb) else {
                    report("JBD2: Invalid checksum recovering block " + Format.decimal(UInt64(logBlock)) + " in log")
                    throw .EBADMSG
                }
                var at = wrap(logBlock + 1)
                for tag in Jbd2Block.tags(block, sb) {
                    let io = at
                    at = wrap(at + 1)
                    if revokes.isRevoked(tag.home, sequence: header.sequence) {
                        revoked += 1
                        continue
                    }
                    var data = try await device.read(io)
                    if sb.hasChecksums && Jbd2Block.tagChecksum(data, sequence: header.sequence, sb) != tag.checksum {
                        report("JBD2: Invalid checksum recovering data block " + Format.decimal(tag.home) + " in journal block "
                            + Format.decimal(UInt64(io)))
                        bad = true
                        continue
                    }
                    guard tag.home < fsBlocks else {
                        report("JBD2: IO error recovering block " + Format.decimal(tag.home) + " in log (out of the filesystem)")
                        throw .EUCLEAN
                    }
                    if tag.flags & Jbd2Tag.escape != 0 { Jbd2BE.put32(&data, 0, Jbd2Header.magic) }
                    try await store.write(tag.home, data)
                    replayed += 1
                }
            }
            result.replayed = replayed
            result.revoked = revoked
            return bad
        }

        /// Visits the metadata blocks of transactions [s_sequence, end), skipping logged copies.
        func walk(end: UInt32, _ visit: (Jbd2Header, [UInt8], UInt32) async throws(Errno) -> Void) async throws(Errno) {
            var sequence = sb.sequence
            var next = sb.start
            var walked: UInt32 = 0
            while Jbd2Tid.greater(end, sequence) {
                // The scan bounded the log; a replayed block may overwrite the log itself.
                walked += 1
                guard walked <= sb.maxLength else { throw .EUCLEAN }
                let here = next
                let block = try await device.read(next)
                next = wrap(next + 1)
                guard let header = Jbd2Header(block), header.sequence == sequence else { throw .EIO }
                try await visit(header, block, here)
                switch header.kind {
                case .descriptor:
                    let count = UInt32(Jbd2Block.tags(block, sb).count)
                    guard count < sb.maxLength else { throw .EUCLEAN }
                    walked += count
                    next = wrap(next + count)
                case .commit: sequence &+= 1
                case .revoke: break
                case .superblockV1, .superblockV2: throw .EIO
                }
            }
        }
    }
}

/// Revoked blocks and the newest transaction revoking each (a block logged in transaction T is
/// not replayed when a transaction >= T revoked it). Buckets, not a Dictionary (the kernel's
/// Embedded Swift has no hashing without floating point).
struct Jbd2RevokeTable {
    private var buckets = [[(block: UInt64, sequence: UInt32)]](repeating: [], count: 64)
    private(set) var count = 0

    mutating func set(_ block: UInt64, sequence: UInt32) {
        let b = Int(block % 64)
        if let i = buckets[b].firstIndex(where: { $0.block == block }) {
            if Jbd2Tid.greater(sequence, buckets[b][i].sequence) { buckets[b][i].sequence = sequence }
        } else {
            buckets[b].append((block, sequence))
            count += 1
        }
    }

    func isRevoked(_ block: UInt64, sequence: UInt32) -> Bool {
        guard let r = buckets[Int(block % 64)].first(where: { $0.block == block }) else { return false }
        return !Jbd2Tid.greater(sequence, r.sequence)
    }
}
