import _Concurrency

/// An in-memory filesystem (Linux's tmpfs/shmem): see VFS.swift for the design.
public final class Tmpfs: FileSystem {
    let superblock: TmpfsSuperblock
    private let rootDirectory: TmpfsDirectory

    /// A tmpfs whose root has `rootMode` permissions (tmpfs's default 1777) and owner.
    /// `device` is its st_dev (Linux gives each an anonymous 0:N); `clock` stamps its times.
    /// `sizeLimit`: bytes of file data it may hold (Linux's size=; writes past it get ENOSPC),
    /// nil for no limit.
    /// `inodeLimit`: how many inodes it may hold (nr_inodes=; more give ENOSPC), nil for no limit.
    public init(device: DeviceNumber, clock: @escaping VFSClock, rootMode: UInt32 = 0o1777,
                rootOwner: InodeOwner = .root, sizeLimit: Int64? = nil, inodeLimit: Int64? = nil,
                typeName: [UInt8] = Array("tmpfs".utf8)) {
        superblock = TmpfsSuperblock(device: device, clock: clock,
                                     maxPages: sizeLimit.map { ($0 + Int64(pageSize) - 1) / Int64(pageSize) },
                                     maxInodes: inodeLimit)
        rootDirectory = TmpfsDirectory(superblock, mode: FileMode.S_IFDIR | (rootMode & 0o7777), owner: rootOwner,
                                       parent: nil)
        self.typeName = typeName
    }

    /// Tears the tree down breadth-first: directories and their children point at each other
    /// (parent pointers), so the tree would otherwise never be freed, and freeing it by
    /// recursion would go as deep as the tree on a small kernel stack. Reached only when no
    /// mount or location refers to this filesystem any more; inodes still held elsewhere live
    /// on, detached.
    deinit {
        var pending = [rootDirectory]
        while let directory = pending.popLast() {
            pending += directory.detachChildren()
        }
    }

    public var root: any Inode { rootDirectory }
    public var device: DeviceNumber { superblock.device }
    public let typeName: [UInt8]

    /// Bytes of file data held (whole pages).
    public var bytesUsed: Int64 { superblock.usage.pages * Int64(pageSize) }
    /// Inodes alive (linked or still open).
    public var inodeCount: Int64 { superblock.usage.inodes }

    /// statfs: TMPFS_MAGIC, page-sized blocks. Without a size limit, the total is the usage.
    public var statistics: FileSystemStatistics {
        let usage = superblock.usage
        let total = superblock.maxPages ?? usage.pages
        let free = UInt64(max(0, total - usage.pages))
        // Without an inode limit Linux reports none (f_files and f_ffree 0).
        let inodes = superblock.maxInodes ?? 0
        return FileSystemStatistics(magic: 0x0102_1994, blockSize: Int64(pageSize), totalBlocks: UInt64(total),
                                    freeBlocks: free, availableBlocks: free, totalInodes: UInt64(inodes),
                                    freeInodes: UInt64(max(0, inodes - (superblock.maxInodes == nil ? 0 : usage.inodes))))
    }
}

/// What a tmpfs's inodes share: clock, device, inode numbers, usage, the namespace lock.
/// (Not the `Tmpfs` object itself, so that inodes do not keep their filesystem alive in a cycle.)
final class TmpfsSuperblock: @unchecked Sendable {
    let device: DeviceNumber
    let clock: VFSClock
    /// Held across every change to the tree (create, link, unlink, rmdir, rename): Linux's
    /// per-directory i_rwsem and s_vfs_rename_mutex in one, so rename checks loops and emptiness
    /// on a tree nobody else changes meanwhile. Lookups and readdir do not take it.
    let namespaceLock = Mutex<Void>(())
    private let lock = RawSpinLock()
    private var nextIno: UInt64 = 1  // guarded by lock
    private var pages: Int64 = 0  // guarded by lock
    private var inodes: Int64 = 0  // guarded by lock

    /// The most pages the files may hold, and the most inodes (nil: unlimited).
    let maxPages: Int64?
    let maxInodes: Int64?

    init(device: DeviceNumber, clock: @escaping VFSClock, maxPages: Int64?, maxInodes: Int64? = nil) {
        self.device = device
        self.clock = clock
        self.maxPages = maxPages
        self.maxInodes = maxInodes
    }

    /// ENOSPC once the inodes alive (a just-made one included) exceed the limit.
    func checkInodeLimit() throws(Errno) {
        guard let maxInodes else { return }
        if lock.withLock({ inodes }) > maxInodes { throw .ENOSPC }
    }

    func newInode() -> UInt64 {
        lock.withLock {
            inodes += 1
            let ino = nextIno
            nextIno += 1
            return ino
        }
    }

    func inodeFreed() {
        lock.withLock { inodes -= 1 }
    }

    func charge(pages delta: Int64) {
        lock.withLock { pages += delta }
    }

    /// Accounts for one more page if the size limit allows it.
    func chargeNewPage() -> Bool {
        lock.withLock {
            if let maxPages, pages >= maxPages { return false }
            pages += 1
            return true
        }
    }

    var usage: (pages: Int64, inodes: Int64) { lock.withLock { (pages, inodes) } }

    /// Runs `body` with the namespace lock held.
    func changingNamespace<R: Sendable>(_ body: () async throws(Errno) -> R) async throws(Errno) -> R {
        try await namespaceLock.withLock { (_: inout Void) async throws(Errno) -> R in try await body() }
    }
}
