import _Concurrency

/// What a mounted FAT volume's inodes share: the geometry, the FAT in memory, the block store,
/// the options, the inode cache and one lock that every operation holds (FAT filesystems are
/// small and Linux serializes its FAT and directory updates much the same way).
final class FatVolume: @unchecked Sendable {
    let boot: FatBootSector
    let source: any BlockSource
    /// Nil on a read-only mount.
    let store: (any BlockStore)?
    let options: FatMountOptions
    let clock: VFSClock
    let log: @Sendable (String) -> Void
    /// Guarded by `lock`.
    var table: FatTable
    /// Whether the boot sector said dirty at mount (Linux then leaves it dirty).
    var wasDirty = false
    var bootSector: [UInt8]
    /// Unlinked files still open: their clusters are freed when the last user lets go.
    var orphans: [FatNode] = []
    private let lock = Mutex<Void>(())
    private let nodes = SpinLock<[FatNode]>([])
    private let inodeNumbers = SpinLock<UInt64>(2)
    /// Free clusters as statfs shows them (kept outside `lock`: statfs must not sleep).
    let freeClusters: SpinLock<UInt32>
    private let reports = ReportOnce(count: 2)

    init(boot: FatBootSector, bootSector: [UInt8], table: FatTable, source: any BlockSource, store: (any BlockStore)?,
         options: FatMountOptions, clock: @escaping VFSClock, log: @escaping @Sendable (String) -> Void) {
        self.boot = boot
        self.bootSector = bootSector
        self.table = table
        self.source = source
        self.store = store
        self.options = options
        self.clock = clock
        self.log = log
        freeClusters = SpinLock(table.freeCount)
    }

    var isFat32: Bool { boot.kind == .fat32 }
    var now: Timespec { clock() }

    /// Runs `body` with the volume lock held, then writes the FAT sectors it changed.
    func serialized<R: Sendable>(_ body: () async throws(Errno) -> R) async throws(Errno) -> R {
        try await lock.withLock { (_: inout Void) async throws(Errno) -> R in
            defer { freeClusters.withLock { $0 = table.freeCount } }
            let result = try await body()
            try await writeTable()
            if table.freeCount != fsInfoFree { try await writeFSInfo() }
            return result
        }
    }

    func corrupted(_ what: String) -> Errno {
        if reports.first(0) { log("error: " + what) }
        return .EIO
    }

    // Sectors (the store's blocks are sectors: FatFileSystem.mount checks the sizes agree).

    func sector(_ n: UInt64) async throws(Errno) -> [UInt8] { try await source.block(n) }

    func write(_ n: UInt64, _ data: [UInt8]) async throws(Errno) {
        guard let store else { throw .EROFS }
        try await store.write(n, data)
    }

    /// The changed FAT sectors, into every FAT copy.
    func writeTable() async throws(Errno) {
        guard store != nil else { return }
        for s in table.takeDirtySectors() {
            let data = table.sector(s)
            for copy in boot.writtenFats { try await write(boot.fatStart + UInt64(copy) * boot.sectorsPerFat + UInt64(s), data) }
        }
    }

    // Directories as byte arrays: the fixed root of FAT12/16 (start 0), or a cluster chain.

    func isFixedRoot(_ start: UInt32) -> Bool { start == 0 && !isFat32 }

    func directorySectors(_ start: UInt32) throws(Errno) -> [UInt64] {
        if isFixedRoot(start) { return (0..<boot.rootSectors).map { boot.rootStart + $0 } }
        var out: [UInt64] = []
        let limit = Self.maxDirectoryBytes / boot.clusterBytes
        let chain = try table.chain(from: start, limit: limit + 1)
        guard chain.count <= limit else { throw corrupted("directory larger than 2 MiB") }
        for c in chain {
            let first = boot.sector(ofCluster: c)
            for k in 0..<UInt64(boot.sectorsPerCluster) { out.append(first + k) }
        }
        return out
    }

    /// Linux's FAT_MAX_DIR_SIZE: 65536 entries.
    static let maxDirectoryBytes = 2 << 20

    func readDirectory(_ start: UInt32) async throws(Errno) -> [UInt8] {
        var out: [UInt8] = []
        for s in try directorySectors(start) { out += try await sector(s) }
        return out
    }

    /// Writes back the sectors of directory `start` that `range` of `bytes` touches.
    func writeDirectory(_ start: UInt32, _ bytes: [UInt8], _ range: Range<Int>) async throws(Errno) {
        let sectors = try directorySectors(start)
        let size = boot.bytesPerSector
        guard !range.isEmpty else { return }
        for i in range.lowerBound / size...(range.upperBound - 1) / size where i < sectors.count {
            try await write(sectors[i], Array(bytes[i * size..<(i + 1) * size]))
        }
    }

    /// Zeroes cluster `c` on disk (new directory clusters).
    func zeroCluster(_ c: UInt32) async throws(Errno) {
        let zero = [UInt8](repeating: 0, count: boot.bytesPerSector)
        let first = boot.sector(ofCluster: c)
        for k in 0..<UInt64(boot.sectorsPerCluster) { try await write(first + k, zero) }
    }

    // Inodes.

    func nextInodeNumber() -> UInt64 { inodeNumbers.withLock { n in defer { n += 1 }; return n } }

    /// The cached inode of the entry at `offset` of `parent`'s directory, if any.
    func cached(parent: FatNode, offset: Int) -> FatNode? {
        nodes.withLock { list in list.first { $0.isAt(parent: parent, offset: offset) } }
    }

    func remember(_ node: FatNode) {
        let dropped: [FatNode] = nodes.withLock { list in
            var dropped: [FatNode] = []
            if list.count >= 512 {
                var i = 0
                while i < list.count {
                    if isKnownUniquelyReferenced(&list[i]) { dropped.append(list.remove(at: i)) } else { i += 1 }
                }
            }
            list.append(node)
            return dropped
        }
        _ = dropped                      // released outside the lock
    }

    func forget(_ node: FatNode) {
        let removed: [FatNode] = nodes.withLock { list in
            var removed: [FatNode] = []
            list.removeAll { n in if n === node { removed.append(n); return true }; return false }
            return removed
        }
        _ = removed
    }

    func forgetInodes() {
        let all = nodes.withLock { list in let all = list; list = []; return all }
        _ = all
        orphans = []
    }

    /// Frees the clusters of unlinked files nobody holds any more.
    func reapOrphans() {
        var i = 0
        while i < orphans.count {
            if isKnownUniquelyReferenced(&orphans[i]) {
                if let chain = try? table.chain(from: orphans[i].state.withLock({ $0.entry.start })) { table.free(chain[...]) }
                orphans.remove(at: i)
            } else {
                i += 1
            }
        }
    }

    // The boot sector's dirty flag and FSInfo (Linux's fat_set_state and fat_clusters_flush).

    func setDirty(_ dirty: Bool) async throws(Errno) {
        guard let at = boot.stateOffset, store != nil else { return }
        if dirty && bootSector[at] & FatBootSector.dirtyFlag != 0 {
            wasDirty = true
            log("Volume was not properly unmounted. Some data may be corrupt. Please run fsck.")
        }
        if !dirty && wasDirty { return }
        if dirty { bootSector[at] |= FatBootSector.dirtyFlag } else { bootSector[at] &= ~FatBootSector.dirtyFlag }
        try await write(0, bootSector)
    }

    /// The free count FSInfo holds (written whenever an operation changed it: fsck.fat checks it).
    var fsInfoFree: UInt32 = 0

    func writeFSInfo() async throws(Errno) {
        guard isFat32, store != nil else { return }
        fsInfoFree = table.freeCount
        let s = UInt64(boot.fsInfoSector)
        let old = try await sector(s)
        guard FatFSInfo.parse(old) != nil else { return }
        try await write(s, FatFSInfo.updated(old, free: table.freeCount, next: table.lastAllocated))
    }

    /// sync(2), syncfs and unmount: the FAT and FSInfo written, then the store's barrier.
    func sync(unmounting: Bool) async throws(Errno) {
        guard let store else { return }
        try await DiskPageCaches.writeBack(owner: ObjectIdentifier(self))       // mapped stores first
        try await serialized { () async throws(Errno) -> Void in
            reapOrphans()
            try await writeTable()
            try await writeFSInfo()
            if unmounting { try await setDirty(false) }
        }
        try await store.sync()
    }
}
