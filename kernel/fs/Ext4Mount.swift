import LichenCore
import _Concurrency

/// mount(2) of ext2/ext3/ext4 from a block device. The source is resolved to a disk or partition,
/// its superblock read through a small cache, a journal that needs recovery replayed, then the
/// filesystem reads (and, mounted read-write, writes) everything through the device's BlockCache in
/// its own block size. Read-write only where Ext4FileSystem.writableRefusal allows it; a journaled
/// filesystem gathers operations in its jbd2 journal's running transaction (Ext4JournalCommitter),
/// committed by a timer every commit= seconds (default 5), fsync, sync and unmount.
enum Ext4Mount {
    static let MS_RDONLY: UInt64 = 0x1, MS_SILENT: UInt64 = 0x8000
    private static let writeRefused = ReportOnce(count: 1)
    static let MS_SYNCHRONOUS: UInt64 = 0x10

    static func isExt(_ type: [UInt8]) -> Bool { Ext4Type(name: type) != nil }

    static func make(type: [UInt8], source: [UInt8], flags: UInt64, data: [UInt8], context: FSContext) async throws(Errno) -> any FileSystem {
        guard let kind = Ext4Type(name: type) else { throw .ENODEV }
        let vfs = try FileSyscalls.vfs()
        // lookup_bdev: the source must name a block device node.
        let location = try await vfs.resolve(source, context: context)
        let metadata = location.inode.metadata
        guard metadata.type == .blockDevice else { throw .ENOTBLK }
        guard let file = BlockDevices.file(metadata.rdev) else { throw .ENXIO }
        let name = file.name
        func log(_ s: String) { KernelLog.info("EXT4-fs (" + name + "): " + s) }
        // Options: only what Lichen honours; others are refused rather than ignored.
        guard data.isEmpty || isHarmless(data) else {
            log("Unrecognized mount option \"" + String(decoding: data, as: UTF8.self) + "\" or missing value")
            throw .EINVAL
        }
        let silent = flags & MS_SILENT != 0
        let probe = try BlockCache(file, blockSize: max(1024, file.device.logicalBlockSize), capacity: 16)
        var bytes = try await probe.block(UInt64(1024 / probe.blockSize))
        if probe.blockSize > 1024 { bytes = Array(bytes[1024..<2048]) }
        var reason = ""
        var superblock: Ext4Superblock
        do throws(Errno) {
            superblock = try Ext4Superblock.parse(bytes, pageSize: pageSize, reason: &reason)
        } catch {
            if !silent || error != .EINVAL { log(reason) }
            throw error
        }
        // needs_recovery is handled below (journal replay); ext2 cannot have it at all.
        var checked = superblock
        if kind != .ext2 { checked.incompat &= ~Ext4Superblock.incompatRecover }
        if let refusal = checked.refusal(as: kind) {
            if !silent { log(refusal) }
            throw .EINVAL
        }
        let writable = flags & MS_RDONLY == 0
        if writable, let refusal = Ext4FileSystem.writableRefusal(superblock) {
            if writeRefused.first(0) { log(refusal + ": mount it read-only (-o ro)") }
            throw .EROFS
        }
        let cache = try BlockCaches.cache(for: file, blockSize: superblock.blockSize, capacity: 2048)
        guard superblock.blocksCount <= cache.blockCount else {
            log("bad geometry: block count " + Format.decimal(superblock.blocksCount) + " exceeds size of device ("
                + Format.decimal(cache.blockCount) + " blocks)")
            throw .EINVAL
        }
        let journaled = superblock.compat & Ext4Superblock.compatHasJournal != 0
        if writable && journaled && hasNoload(data) {
            // Lichen always writes a journaled filesystem through its journal.
            log("Lichen: noload/norecovery on a read-write mount not implemented: mount it read-only")
            throw .EINVAL
        }
        superblock = try await recoverJournal(superblock, cache: cache, readOnlyDevice: file.device.readOnly, options: data, name: name)
        let fs = try await Ext4FileSystem.mount(superblock, source: cache, type: kind, device: file.number,
                                                writable: writable ? (cache, nil, RootFilesystem.clock) : nil) { line in
            KernelLog.warning("EXT4-fs (" + name + "): " + line)
        }
        if let interval = commitInterval(data) { fs.commitInterval = interval }
        // errors=remount-ro (and what Linux forces for an aborted journal whatever errors= says):
        // every mount of the filesystem becomes read-only.
        let device = file.number
        fs.onJournalAbort {
            KernelLog.error("EXT4-fs (" + name + "): Remounting filesystem read-only")
            for m in RootFilesystem.vfs?.mounts.all ?? [] where m.fileSystem.device == device && m.fileSystem is Ext4FileSystem {
                m.setFlags(m.flags.union(.readOnly))
            }
        }
        if journaled { Task { await commitTimer(fs) } }
        log(!writable ? "mounted filesystem read-only"
            : journaled ? "mounted filesystem r/w with ordered data mode (Lichen: no xattr changes)"
            : "mounted filesystem read-write without journal (Lichen: no xattr changes)")
        return fs
    }

    /// remount: read-only to read-write opens the write side (and the journal) on the device's cache
    /// as a read-write mount would: a read-only device is EACCES (Linux's reconfigure_super), a
    /// filesystem Lichen cannot write EROFS, a `noload` mount whose journal still needs recovery
    /// EINVAL (logged); read-write to read-only writes everything back.
    /// commit=N takes effect at once (the timer reads it at each step; without commit= the
    /// interval stays). After a journal abort, read-write is EROFS (ext4_reconfigure).
    static func remount(_ fs: Ext4FileSystem, flags: UInt64, data: [UInt8]) async throws(Errno) {
        guard isHarmless(data) else { throw .EINVAL }
        if flags & MS_RDONLY == 0 && fs.isJournalAborted { throw .EROFS }
        if let interval = commitInterval(data) { fs.commitInterval = interval }
        if flags & MS_RDONLY == 0 {
            guard !fs.isWritable else { return }
            guard let file = BlockDevices.file(fs.device) else { throw .ENXIO }
            if file.device.readOnly { throw .EACCES }
            let cache = try BlockCaches.cache(for: file, blockSize: Int(fs.preferredBlockSize), capacity: 2048)
            do throws(Errno) {
                try await fs.makeWritable(store: cache, clock: RootFilesystem.clock)
            } catch {
                if writeRefused.first(0) {
                    KernelLog.info("EXT4-fs (" + file.name + "): " + (error == .EINVAL
                        ? "Lichen: remount read-write of a noload mount whose journal needs recovery not implemented"
                        : "Lichen cannot write this filesystem: remount read-write refused"))
                }
                throw error
            }
        } else {
            try await fs.sync()
        }
    }

    /// A journal that needs recovery is replayed first, as Linux's ext4_load_journal does even
    /// for a read-only mount, unless `noload`/`norecovery` asks to mount without it (then the
    /// filesystem is read as the disk has it). A read-only device cannot be recovered: EROFS.
    private static func recoverJournal(_ sb: Ext4Superblock, cache: BlockCache, readOnlyDevice: Bool, options: [UInt8],
                                       name: String) async throws(Errno) -> Ext4Superblock {
        guard sb.incompat & Ext4Superblock.incompatRecover != 0 else { return sb }
        if hasNoload(options) { return sb }
        func log(_ s: String) { KernelLog.info("EXT4-fs (" + name + "): " + s) }
        log("INFO: recovery required on readonly filesystem")
        guard !readOnlyDevice else {
            log("write access unavailable, cannot proceed (try mounting with noload)")
            throw .EROFS
        }
        log("write access will be enabled during recovery")
        return try await Ext4Journal.recover(sb, store: cache, pageSize: pageSize) { line in
            KernelLog.warning("EXT4-fs (" + name + "): " + line)
        }
    }

    /// The journal's commit timer (Linux's jbd2 thread waking at the commit interval): checks five
    /// times per interval whether the running transaction is due, until the last unmount.
    private static func commitTimer(_ fs: Ext4FileSystem) async {
        while !fs.isUnmounted {
            await sleep(for: UInt64(fs.commitInterval) * 200_000_000)      // remount may change it
            do throws(Errno) { try await fs.commitIfDue() } catch {
                if commitFailed.first(0) { KernelLog.warning("EXT4-fs: Lichen: journal commit failed, errno " + Format.decimal(UInt64(error.rawValue))) }
            }
        }
    }
    private static let commitFailed = ReportOnce(count: 1)

    static func commitInterval(_ options: [UInt8]) -> Int64? { Ext4FileSystem.commitInterval(options) }

    private static func hasNoload(_ options: [UInt8]) -> Bool {
        options.split(separator: UInt8(ascii: ",")).contains { Array($0) == Array("noload".utf8) || Array($0) == Array("norecovery".utf8) }
    }

    /// Options Lichen honours: those that change nothing for a read-only mount without a journal
    /// replay, and commit=N (a valid interval).
    private static func isHarmless(_ data: [UInt8]) -> Bool {
        let allowed = ["ro", "noload", "norecovery", "errors=continue", "errors=remount-ro", "nodelalloc", "noatime",
                       "relatime", "nouser_xattr", "noacl", "acl", "user_xattr"]
        if commitInterval(data) == -1 { return false }
        for option in data.split(separator: UInt8(ascii: ",")) where !option.starts(with: Array("commit=".utf8)) {
            if !allowed.contains(where: { Array($0.utf8) == Array(option) }) { return false }
        }
        return true
    }
}
