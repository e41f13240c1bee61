import _Concurrency

/// Where an ext4 filesystem's blocks come from: the kernel's block cache, or an image in memory
/// in the host tests. `block` returns exactly one filesystem block (shared, never modified).
public typealias Ext4BlockSource = BlockSource

/// An ext2/ext3/ext4 filesystem (Linux's ext4 super_block), read-only, or read-write when mounted
/// with a block store (`writableRefusal` says which filesystems Lichen can change).
public final class Ext4FileSystem: FileSystem {
    let volume: Ext4Volume
    public let device: DeviceNumber
    public let typeName: [UInt8]
    private let baseStatistics: FileSystemStatistics
    private let rootNode: Ext4Node

    /// Mounts the filesystem whose superblock is `superblock` (already parsed from the source's
    /// bytes 1024..<2048 and refused-checked by the caller with `refusal(as:)`).
    /// `log` writes one line (an "EXT4-fs (name): ..." message).
    /// `writable`: a read-write mount (the caller checked `writableRefusal`): the store the
    /// filesystem writes to, how metadata is committed (nil: home, no journal) and the clock.
    public static func mount(_ superblock: Ext4Superblock, source: any Ext4BlockSource, type: Ext4Type, device: DeviceNumber,
                             writable: (store: any BlockStore, committer: (any Ext4MetadataCommitter)?, clock: VFSClock)? = nil,
                             log: @escaping @Sendable (String) -> Void) async throws(Errno) -> Ext4FileSystem {
        let groups = try await Ext4Volume.readGroupDescriptors(superblock, source: source, log: log)
        var writer: Ext4Writer? = nil
        if let writable {
            writer = try await makeWriter(superblock, store: writable.store, committer: writable.committer, clock: writable.clock, log: log)
        }
        let volume = Ext4Volume(superblock, groups: groups, source: source, writer: writer, log: log)
        do throws(Errno) {
            let root = try await volume.node(2)
            guard root.metadata.isDirectory else {
                log("get root inode failed")
                throw .EUCLEAN
            }
            let statistics = try await Ext4Statistics.compute(volume)
            return Ext4FileSystem(volume: volume, root: root, device: device, type: type, statistics: statistics)
        } catch {
            volume.forgetInodes()            // the cached inodes and the volume point at each other
            if let writer { try? await writer.committer.close(under: writer.lock) }
            throw error
        }
    }

    /// The write side of a read-write mount: metadata committed through `committer`, or else the
    /// filesystem's jbd2 journal (Ext4JournalCommitter), or home when it has none.
    private static func makeWriter(_ superblock: Ext4Superblock, store: any BlockStore, committer given: (any Ext4MetadataCommitter)?,
                                   clock: @escaping VFSClock, log: @escaping @Sendable (String) -> Void) async throws(Errno) -> Ext4Writer {
        let first = try await store.block(superblock.blockSize == 1024 ? 1 : 0)
        let want = Int(first.get16((superblock.blockSize == 1024 ? 0 : 1024) + 0x15e))
        if let given { return Ext4Writer(store: store, committer: given, clock: clock, wantExtraIsize: want) }
        guard superblock.compat & Ext4Superblock.compatHasJournal != 0 else {
            return Ext4Writer(store: store, committer: Ext4HomeCommitter(store), clock: clock, wantExtraIsize: want)
        }
        // Everything is read and written through the journal's store (it shows the running transaction).
        let journal = try await Ext4JournalCommitter(superblock, store: store, clock: clock, report: log)
        return Ext4Writer(store: journal, committer: journal, clock: clock, wantExtraIsize: want)
    }

    /// remount read-write of a read-only mount (Linux's ext4_reconfigure): the filesystem must be one
    /// Lichen writes (`writableRefusal`: EROFS) whose journal needs no recovery (a `noload` mount of
    /// one: EINVAL; the caller logs why). `store` is the device's cache the volume already reads
    /// through; nothing was written while read-only, so the mount-time superblock and groups hold.
    public func makeWritable(store: any BlockStore, clock: @escaping VFSClock) async throws(Errno) {
        guard volume.writer == nil else { return }
        if Ext4FileSystem.writableRefusal(volume.sb) != nil { throw .EROFS }
        if volume.sb.incompat & Ext4Superblock.incompatRecover != 0 { throw .EINVAL }
        volume.writer = try await Ext4FileSystem.makeWriter(volume.sb, store: store, committer: nil, clock: clock, log: volume.log)
        if let handler = abortHandler.withLock({ $0 }) { journal?.setAbortHandler(handler) }
    }

    private var journal: Ext4JournalCommitter? { volume.writer?.committer as? Ext4JournalCommitter }
    private let abortHandler = SpinLock<(@Sendable () -> Void)?>(nil)

    /// A commit failed and the journal aborted (the filesystem is read-only from then on; a
    /// remount read-write is EROFS, as Linux's ext4_reconfigure after EXT4_MF_FS_ABORTED).
    public var isJournalAborted: Bool { journal?.isAborted ?? false }

    /// What the kernel does when the journal aborts (errors=remount-ro: its mounts become read-only).
    public func onJournalAbort(_ handler: @escaping @Sendable () -> Void) {
        abortHandler.withLock { $0 = handler }
        journal?.setAbortHandler(handler)
    }

    private init(volume: Ext4Volume, root: Ext4Node, device: DeviceNumber, type: Ext4Type, statistics: FileSystemStatistics) {
        self.volume = volume
        rootNode = root
        self.device = device
        typeName = type.name
        baseStatistics = statistics
    }

    /// Why Lichen cannot mount this filesystem read-write, or nil. Writes go through Ext4Writer
    /// on extent-mapped files, with an internal journal (Ext4JournalCommitter) or none: an
    /// external journal, ext2/ext3 block maps, and checksums other than metadata_csum are refused.
    public static func writableRefusal(_ sb: Ext4Superblock) -> String? {
        if sb.compat & Ext4Superblock.compatHasJournal != 0 && sb.journalInode == 0 {
            return "external journal devices are read-only in Lichen"
        }
        if sb.roCompat & Ext4Superblock.roCompatGDTCsum != 0 && !sb.hasMetadataChecksums {
            return "uninit_bg (gdt_csum) is read-only in Lichen"
        }
        if sb.incompat & (Ext4Superblock.incompatMMP | Ext4Superblock.incompatEAInode) != 0 {
            return "mmp and ea_inode are read-only in Lichen"
        }
        // sparse_super, large_file, btree_dir, huge_file, gdt_csum, dir_nlink, extra_isize, metadata_csum
        let kept: UInt32 = 0x1 | 0x2 | 0x4 | 0x8 | 0x10 | 0x20 | 0x40 | 0x400
        if sb.roCompat & ~kept != 0 {
            return "RO_COMPAT features " + Format.hex(UInt64(sb.roCompat & ~kept), width: 0, prefix: false) + " are read-only in Lichen"
        }
        return nil
    }

    public var isWritable: Bool { volume.writer != nil }

    /// The free counts follow the writes since mount.
    public var statistics: FileSystemStatistics {
        var s = baseStatistics
        guard let writer = volume.writer else { return s }
        let (blocks, inodes) = writer.freeDelta.withLock { ($0.blocks, $0.inodes) }
        let unavailable = baseStatistics.freeBlocks - baseStatistics.availableBlocks
        s.freeBlocks = UInt64(max(Int64(s.freeBlocks) + blocks, 0))
        s.availableBlocks = s.freeBlocks > unavailable ? s.freeBlocks - unavailable : 0
        s.freeInodes = UInt64(max(Int64(s.freeInodes) + inodes, 0))
        return s
    }

    /// Frees the inodes whose last user left, then makes everything written durable and the
    /// filesystem clean (journal committed, checkpointed and emptied: sync, syncfs, remount
    /// read-only and umount). Nothing to do read-only.
    public func sync() async throws(Errno) {
        guard let writer = volume.writer else { return }
        try await DiskPageCaches.writeBack(owner: ObjectIdentifier(volume))     // mapped stores first
        try await volume.flushOrphans()
        try await writer.committer.close(under: writer.lock)
        try await writer.store.sync()
    }

    /// fsync and fdatasync (Linux's ext4_sync_file): the file's data written back, the running
    /// transaction committed only if it holds changes of this inode (its size, its blocks, its
    /// directory entry when new), then a barrier. An fsync with nothing pending commits nothing.
    /// fdatasync (`dataOnly`) does not commit for timestamps alone (Linux's i_datasync_tid): only
    /// for a transaction holding a change of the file's size or blocks, or its creation.
    public func sync(file: any Inode) async throws(Errno) { try await sync(file: file, dataOnly: false) }

    public func sync(file: any Inode, dataOnly: Bool) async throws(Errno) {
        guard let writer = volume.writer else { return }
        try await DiskPageCaches.writeBack(owner: ObjectIdentifier(volume))     // mapped stores first
        try await volume.flushOrphans()          // inodes unlinked meanwhile, freed in the running transaction
        _ = try await writer.committer.commit(under: writer.lock, for: UInt32(truncatingIfNeeded: file.metadata.ino), dataOnly: dataOnly)
        try await writer.store.sync()
    }

    /// The commit interval (ext4's commit=, seconds; Linux's default 5), for the caller's timer.
    public var commitInterval: Int64 {
        get { timer.withLock { $0.interval } }
        set { timer.withLock { $0.interval = newValue } }
    }
    public static let defaultCommitInterval: Int64 = 5

    /// The mount options' commit=N (seconds; 0 is the default 5), nil when not given, -1 when
    /// invalid (Linux refuses more than INT_MAX / HZ, HZ 250 on Debian's arm64 kernel: EINVAL).
    public static func commitInterval(_ options: [UInt8]) -> Int64? {
        var interval: Int64? = nil
        for option in options.split(separator: UInt8(ascii: ",")) where option.starts(with: Array("commit=".utf8)) {
            let digits = option.dropFirst(7)
            guard !digits.isEmpty, digits.count <= 10, digits.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return -1 }
            let n = digits.reduce(Int64(0)) { $0 * 10 + Int64($1 - 0x30) }
            guard n <= Int64(Int32.max) / 250 else { return -1 }
            interval = n == 0 ? defaultCommitInterval : n
        }
        return interval
    }
    /// Set by unmount: the commit timer stops.
    public var isUnmounted: Bool { timer.withLock { $0.unmounted } }
    private let timer = SpinLock<(interval: Int64, unmounted: Bool)>((Ext4FileSystem.defaultCommitInterval, false))

    /// The commit timer's tick: commits the running transaction once its first change is
    /// `commitInterval` old (Linux's jbd2 commit timer).
    public func commitIfDue() async throws(Errno) {
        guard let writer = volume.writer else { return }
        try await writer.committer.commitIfOlder(than: commitInterval, under: writer.lock)
    }

    public func unmount() async throws(Errno) {
        try await sync()
        timer.withLock { $0.unmounted = true }
    }

    /// /proc/mounts' ext4 options: commit= only when not the default, as Linux.
    public var fileSystemOptions: String {
        commitInterval == Ext4FileSystem.defaultCommitInterval ? "" : "commit=" + Format.decimal(UInt64(commitInterval))
    }

    /// The inodes point at the volume, the volume caches inodes: break the cycle when the mount is gone.
    deinit { volume.forgetInodes() }

    public var root: any Inode { rootNode }
    public var preferredBlockSize: Int32 { Int32(volume.sb.blockSize) }
}

/// What a mounted filesystem's inodes share: geometry, group descriptors, the block source and
/// the inode cache (one object per inode number while anyone holds it, so that locks, mounts and
/// hard links see the same inode).
final class Ext4Volume: @unchecked Sendable {
    let sb: Ext4Superblock
    let groups: [Ext4GroupDescriptor]
    /// What a read-only mount reads; a read-write one reads through its writer's store.
    private let baseSource: any Ext4BlockSource
    var source: any Ext4BlockSource { writer?.store ?? baseSource }
    /// Read-write mounts: the write side (nil: read-only, every change is EROFS). Set once by a
    /// remount read-write (Ext4FileSystem.makeWritable), never cleared.
    var writer: Ext4Writer?
    let log: @Sendable (String) -> Void
    /// Buckets by inode number (no Dictionary: its hashing needs floating point the kernel lacks).
    private let cache = SpinLock<[[Ext4Node]]>([[Ext4Node]](repeating: [], count: bucketCount))
    static let bucketCount = 64
    private let reports = ReportOnce(count: 4)
    static let cacheTarget = 1024

    init(_ sb: Ext4Superblock, groups: [Ext4GroupDescriptor], source: any Ext4BlockSource, writer: Ext4Writer? = nil,
         log: @escaping @Sendable (String) -> Void) {
        self.sb = sb
        self.groups = groups
        baseSource = source
        self.writer = writer
        self.log = log
    }

    /// A corruption found after mount: logged (once per kind, Linux rate-limits), then thrown.
    func corrupted(_ error: Errno, _ what: String, ino: UInt32) -> Errno {
        if reports.first(error == .EBADMSG ? 0 : 1) {
            log("error: inode #" + Format.decimal(UInt64(ino)) + ": " + what)
        }
        return error
    }

    func unsupported(_ what: String) -> Errno {
        if reports.first(2) { log("Lichen: " + what + " not implemented") }
        return .EOPNOTSUPP
    }

    static func readGroupDescriptors(_ sb: Ext4Superblock, source: any Ext4BlockSource,
                                     log: @Sendable (String) -> Void) async throws(Errno) -> [Ext4GroupDescriptor] {
        var out: [Ext4GroupDescriptor] = []
        out.reserveCapacity(Int(sb.groupCount))
        let perBlock = sb.blockSize / sb.descriptorSize
        var block: [UInt8] = []
        var warned = false
        for g in 0..<Int(sb.groupCount) {
            if g % perBlock == 0 { block = try await source.block(UInt64(sb.firstDataBlock) + 1 + UInt64(g / perBlock)) }
            let offset = (g % perBlock) * sb.descriptorSize
            let d = block.withUnsafeBytes { Ext4GroupDescriptor($0, at: offset, size: sb.descriptorSize) }
            guard d.isValid(sb) else {
                log("ext4_check_descriptors: Inode table or bitmap for group " + Format.decimal(UInt64(g)) + " not in group")
                throw .EUCLEAN
            }
            // As Linux, a bad descriptor checksum fails only read-write mounts; read-only ones log it.
            if sb.hasMetadataChecksums && !warned && !block.withUnsafeBytes({
                Ext4GroupDescriptor.checksumMatches($0, at: offset, size: sb.descriptorSize, group: UInt32(g), seed: sb.checksumSeed)
            }) {
                log("ext4_check_descriptors: Checksum for group " + Format.decimal(UInt64(g)) + " failed")
                warned = true
            }
            out.append(d)
        }
        return out
    }

    /// The inode `ino`, from the cache or the inode table.
    /// `reserved`: one of the special inodes below s_first_ino (the journal) may be read.
    func node(_ ino: UInt32, reserved: Bool = false) async throws(Errno) -> Ext4Node {
        let b = Int(ino) % Self.bucketCount
        if let n = cache.withLock({ $0[b].first { $0.ino == ino } }) { return n }
        guard ino >= 1, ino <= sb.inodesCount, ino == 2 || reserved || ino >= sb.firstInode else {
            throw corrupted(.EUCLEAN, "iget: bad inode number", ino: ino)
        }
        let index = Int(ino - 1)
        let group = index / Int(sb.inodesPerGroup), inGroup = index % Int(sb.inodesPerGroup)
        let byteOffset = inGroup * sb.inodeSize
        let block = try await source.block(groups[group].inodeTable + UInt64(byteOffset / sb.blockSize))
        let at = byteOffset % sb.blockSize
        var reason = ""
        let raw: Ext4RawInode
        do throws(Errno) {
            raw = try withBytes(block) { b throws(Errno) in
                try Ext4RawInode(UnsafeRawBufferPointer(rebasing: b[at..<at + sb.inodeSize]), ino: ino, sb: sb, reason: &reason)
            }
        } catch {
            throw corrupted(error, reason, ino: ino)
        }
        guard raw.nlink > 0 else { throw .ESTALE }     // deleted or unallocated
        guard raw.type != .unknown else { throw corrupted(.EUCLEAN, "iget: bogus i_mode", ino: ino) }
        let made = Ext4Node(self, ino: ino, raw: raw)
        return cache.withLock { c in
            if let other = c[b].first(where: { $0.ino == ino }) { return other }
            if c[b].count >= Self.cacheTarget / Self.bucketCount { Self.trim(&c[b]) }
            c[b].append(made)
            return made
        }
    }

    /// The cached inode `ino`, if any (its state is replaced after a commit that changed it).
    func cachedNode(_ ino: UInt32) -> Ext4Node? {
        cache.withLock { $0[Int(ino) % Self.bucketCount].first { $0.ino == ino } }
    }

    /// The inode lost its last link: if it is cached (someone may use it), it leaves the cache
    /// and is freed when its last user lets go (true); otherwise the caller frees it now.
    func orphan(_ ino: UInt32) -> Bool {
        let node = cache.withLock { c -> Ext4Node? in
            let b = Int(ino) % Self.bucketCount
            guard let i = c[b].firstIndex(where: { $0.ino == ino }) else { return nil }
            return c[b].remove(at: i)
        }
        guard let node else { return false }
        node.markOrphan()
        return true                   // released here or by its last user: its deinit queues it
    }

    /// Drops the cached inodes of a bucket nobody else holds.
    private static func trim(_ bucket: inout [Ext4Node]) {
        var i = 0
        while i < bucket.count {
            if isKnownUniquelyReferenced(&bucket[i]) { bucket.remove(at: i) } else { i += 1 }
        }
    }

    func forgetInodes() {
        let all = cache.withLock { c in
            let all = c
            c = [[Ext4Node]](repeating: [], count: Self.bucketCount)
            return all
        }
        _ = all                       // released here, outside the lock
    }
}
