import _Concurrency

/// What every tmpfs inode has: its attributes under a spinlock. Subclasses (directory, file,
/// symlink, device node) override the operations that apply to them; the rest fail as Linux
/// does. Every operation is implemented here so that subclasses can override it (a protocol
/// extension default could not be overridden).
class TmpfsInode: Inode, @unchecked Sendable {
    let superblock: TmpfsSuperblock
    let lock = RawSpinLock()
    var meta: InodeMetadata  // guarded by lock
    var xattrs = XattrList()  // guarded by lock

    init(_ superblock: TmpfsSuperblock, mode: UInt32, owner: InodeOwner, rdev: DeviceNumber = .none) {
        self.superblock = superblock
        let isDirectory = mode & FileMode.S_IFMT == FileMode.S_IFDIR
        meta = InodeMetadata(ino: superblock.newInode(), mode: mode, uid: owner.uid, gid: owner.gid,
                             nlink: isDirectory ? 2 : 1, time: superblock.clock(), rdev: rdev)
    }

    deinit {
        superblock.inodeFreed()
    }

    var metadata: InodeMetadata { lock.withLock { meta } }
    var permissions: InodePermissions { lock.withLock { InodePermissions(meta) } }

    var now: Timespec { superblock.clock() }

    /// Lock held: stamps ctime (and mtime) with `time`.
    func changedLocked(at time: Timespec, content: Bool) {
        meta.ctime = time
        if content { meta.mtime = time }
    }

    /// Reads, getdents and readlink through a mount that records them (the VFS decides).
    func accessed(_ update: AccessTimeUpdate) async {
        let time = now
        lock.withLock {
            if update.isDue(atime: meta.atime, mtime: meta.mtime, ctime: meta.ctime, now: time) { meta.atime = time }
        }
    }

    /// Adds `delta` links (ctime changes with them).
    func addLinks(_ delta: Int32, at time: Timespec) {
        lock.withLock {
            meta.nlink = UInt32(Int32(meta.nlink) + delta)
            meta.ctime = time
        }
    }

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode { throw .ENOTDIR }
    func lookupNow(_ name: UnsafeRawBufferPointer) -> (any Inode)? { nil }
    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode {
        throw .ENOTDIR
    }
    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) { throw .ENOTDIR }
    func unlink(_ name: [UInt8]) async throws(Errno) { throw .ENOTDIR }
    func rmdir(_ name: [UInt8]) async throws(Errno) { throw .ENOTDIR }
    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) {
        throw .ENOTDIR
    }
    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) { throw .ENOTDIR }
    func readlink() async throws(Errno) -> [UInt8] { throw .EINVAL }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        throw metadata.isDirectory ? .EISDIR : .EINVAL
    }
    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        throw metadata.isDirectory ? .EISDIR : .EINVAL
    }
    func seekData(from offset: Int64, hole: Bool) async throws(Errno) -> Int64 {
        let size = metadata.size
        if offset < 0 || offset >= size { throw .ENXIO }
        return hole ? size : offset
    }
    /// Regular files reserve and free pages (TmpfsFile); others never get here (OpenFile checks).
    func allocate(mode: UInt32, offset: Int64, length: Int64) async throws(Errno) { throw .EOPNOTSUPP }

    var fileOperations: (any FileOperations)? { nil }
    /// Regular files map their pages (TmpfsFile); other inodes have none.
    var pageCache: (any FilePageCache)? { nil }

    /// Mode, owner and times; a size change is the file's business (`resize`).
    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        if let size = changes.size {
            try await resize(to: size)
        }
        let time = now
        lock.withLock {
            if let mode = changes.mode { meta.mode = (meta.mode & FileMode.S_IFMT) | (mode & FileMode.permissionMask) }
            if let uid = changes.uid { meta.uid = uid }
            if let gid = changes.gid { meta.gid = gid }
            switch changes.atime {
            case .none: break
            case .now: meta.atime = time
            case .time(let t): meta.atime = t
            }
            switch changes.mtime {
            case .none: break
            case .now: meta.mtime = time
            case .time(let t): meta.mtime = t
            }
            if changes.mode != nil || changes.uid != nil || changes.gid != nil || changes.atime != nil
                || changes.mtime != nil {
                meta.ctime = time
            }
        }
    }

    var extendedAttributes: (any ExtendedAttributes)? { self }

    /// truncate: EISDIR for directories, EINVAL for everything but regular files.
    func resize(to size: Int64) async throws(Errno) {
        throw metadata.isDirectory ? .EISDIR : .EINVAL
    }
}

/// A tmpfs symbolic link: its target, stored as given.
final class TmpfsSymlink: TmpfsInode, @unchecked Sendable {
    let target: [UInt8]

    init(_ superblock: TmpfsSuperblock, target: [UInt8], owner: InodeOwner) {
        self.target = target
        super.init(superblock, mode: FileMode.S_IFLNK | 0o777, owner: owner)
        meta.size = Int64(target.count)
        // Linux keeps short targets in the inode, longer ones in a page.
        meta.blocks = target.count >= 128 ? Int64(pageSize / 512) : 0
    }

    override func readlink() async throws(Errno) -> [UInt8] { target }
}

/// A tmpfs device node, FIFO or socket: attributes only (the data side is elsewhere).
final class TmpfsSpecialNode: TmpfsInode, @unchecked Sendable {}

/// tmpfs keeps extended attributes in the inode (Linux 6.1's shmem: security.*, trusted.*; POSIX
/// ACLs are refused by the VFS).
extension TmpfsInode: ExtendedAttributes {
    var xattrHandlers: XattrHandlers { .tmpfs }

    func xattrValue(_ name: [UInt8]) async throws(Errno) -> [UInt8] {
        try lock.withLock { () throws(Errno) -> [UInt8] in try xattrs.value(name) }
    }

    func xattrNames() async throws(Errno) -> [[UInt8]] { lock.withLock { xattrs.names() } }

    func setXattr(_ name: [UInt8], value: [UInt8]?, flags: XattrSetFlags) async throws(Errno) {
        let time = now
        try lock.withLock { () throws(Errno) in
            if value == nil && xattrs.isEmpty { throw .ENODATA }  // killpriv on every write: cheap
            try xattrs.set(name, value: value, flags: flags)
            changedLocked(at: time, content: false)
        }
    }
}
