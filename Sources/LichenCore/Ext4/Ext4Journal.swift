import _Concurrency

/// ext4's side of the journal: the journal inode's blocks as a jbd2 log map, and recovery at
/// mount (ext4_load_journal, then ext4_mark_recovery_complete clearing needs_recovery).
public enum Ext4Journal {
    /// Byte range of the superblock's error fields (s_error_count to s_mount_opts): ext4 keeps its
    /// own over a replay (EXT4_S_ERR_START/LEN).
    static let errorFields = 0x194..<0x200

    /// The log map of the filesystem's internal journal (inode s_journal_inum, usually 8).
    static func log(_ sb: Ext4Superblock, source: any BlockSource, report: @escaping @Sendable (String) -> Void) async throws(Errno) -> Jbd2Log {
        let groups = try await Ext4Volume.readGroupDescriptors(sb, source: source, log: report)
        let volume = Ext4Volume(sb, groups: groups, source: source, log: report)
        defer { volume.forgetInodes() }
        guard sb.journalInode != 0 else {
            report("Lichen: external journal devices not implemented")
            throw .EINVAL
        }
        let node: Ext4Node
        do throws(Errno) { node = try await volume.node(sb.journalInode, reserved: true) } catch {
            report(error == .ESTALE ? "journal inode is deleted" : "no journal found")
            throw .EINVAL
        }
        guard node.metadata.isRegular, node.raw.flags & Ext4RawInode.flagEncrypt == 0 else {
            report("invalid journal inode")
            throw .EUCLEAN
        }
        let blocks = UInt64(node.raw.size) / UInt64(sb.blockSize)
        guard blocks >= 1024 / UInt64(sb.blockSize) + 1, blocks <= UInt64(UInt32.max) else {
            report("JBD2: journal file too short")
            throw .EINVAL
        }
        let map = Ext4BlockMap(volume: volume, ino: node.ino, raw: node.raw)
        var runs: [Jbd2Run] = []
        for i in 0..<UInt32(blocks) {
            guard let physical = try await map.physical(i), physical < sb.blocksCount else {
                report("JBD2: bmap failed: journal block " + Format.decimal(UInt64(i)) + " not mapped")
                throw .EUCLEAN
            }
            if var last = runs.last, last.physical + UInt64(last.count) == physical {
                last.count += 1
                runs[runs.count - 1] = last
            } else {
                runs.append(Jbd2Run(logical: i, physical: physical, count: 1))
            }
        }
        return try Jbd2Log(runs: runs)
    }

    /// Recovers a filesystem whose superblock says needs_recovery: replays its journal into
    /// `store`, then clears needs_recovery (the superblock as the replay left it, with ext4's
    /// error fields kept) and syncs. Returns the superblock to mount with.
    public static func recover(_ sb: Ext4Superblock, store: any BlockStore, pageSize: Int,
                               report: @escaping @Sendable (String) -> Void) async throws(Errno) -> Ext4Superblock {
        guard sb.incompat & Ext4Superblock.incompatRecover != 0 else { return sb }
        guard sb.compat & Ext4Superblock.compatHasJournal != 0 else {
            report("Lichen: needs_recovery without a journal")
            throw .EUCLEAN
        }
        let before = try await superblockBytes(store)
        let log = try await log(sb, source: store, report: report)
        do throws(Errno) {
            if let r = try await Jbd2Recovery.recover(store: store, log: log, fsBlocks: sb.blocksCount, report: report) {
                report("recovery complete (Lichen: transactions " + Format.decimal(UInt64(r.first)) + " to "
                    + Format.decimal(UInt64(r.end &- 1)) + ", " + Format.decimal(UInt64(r.replayed)) + " blocks replayed, "
                    + Format.decimal(UInt64(r.revoked)) + " revoked)")
            }
        } catch {
            report("error loading journal")
            throw error
        }
        var bytes = try await superblockBytes(store)
        for i in errorFields { bytes[i] = before[i] }
        bytes = try await setNeedsRecovery(false, in: bytes, store: store)
        var reason = ""
        do throws(Errno) { return try Ext4Superblock.parse(bytes, pageSize: pageSize, reason: &reason) } catch {
            report(reason)
            throw error
        }
    }

    /// Sets or clears needs_recovery (INCOMPAT_RECOVER) in the superblock on `store` and syncs:
    /// set while a journal is live (Jbd2Journal.open), cleared once it is empty again.
    public static func setNeedsRecovery(_ on: Bool, store: any BlockStore) async throws(Errno) {
        _ = try await setNeedsRecovery(on, in: try await superblockBytes(store), store: store)
    }

    private static func setNeedsRecovery(_ on: Bool, in superblock: [UInt8], store: any BlockStore) async throws(Errno) -> [UInt8] {
        var bytes = superblock
        let incompat = bytes.withUnsafeBytes { $0.le32(0x60) } & ~Ext4Superblock.incompatRecover
        putLE32(&bytes, 0x60, incompat | (on ? Ext4Superblock.incompatRecover : 0))
        if bytes.withUnsafeBytes({ $0.le32(0x64) }) & Ext4Superblock.roCompatMetadataCsum != 0 {
            putLE32(&bytes, 0x3fc, CRC32C.raw(0xffff_ffff, Array(bytes[0..<0x3fc])))
        }
        try await writeSuperblockBytes(store, bytes)
        try await store.sync()
        return bytes
    }

    private static func putLE32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        for k in 0..<4 { b[at + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
    }

    /// The superblock's 1024 bytes at byte 1024 of the device (block 1 of 1 KiB, or inside block 0).
    private static func superblockBytes(_ store: any BlockStore) async throws(Errno) -> [UInt8] {
        let block = UInt64(1024 / store.blockSize)
        let at = 1024 % store.blockSize
        let data = try await store.block(block)
        return Array(data[at..<at + 1024])
    }

    private static func writeSuperblockBytes(_ store: any BlockStore, _ bytes: [UInt8]) async throws(Errno) {
        let block = UInt64(1024 / store.blockSize)
        let at = 1024 % store.blockSize
        var data = try await store.block(block)
        data.replaceSubrange(at..<at + 1024, with: bytes)
        try await store.write(block, data)
    }
}
