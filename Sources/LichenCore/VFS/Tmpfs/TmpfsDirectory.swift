import _Concurrency

/// A tmpfs directory. Its entries and parent pointer sit under the inode's spinlock; every
/// change to the tree also holds the superblock's namespace lock (see `TmpfsSuperblock`).
/// Size follows Linux's tmpfs: 40 bytes plus 20 per entry.
final class TmpfsDirectory: TmpfsInode, @unchecked Sendable {
    static let bogusEntrySize: Int64 = 20

    private var table = DirectoryTable()  // guarded by lock
    /// nil for the filesystem root (whose ".." is itself). Kept after removal (for "..").
    private var parent: TmpfsDirectory?  // guarded by lock
    private var removed = false  // guarded by lock

    init(_ superblock: TmpfsSuperblock, mode: UInt32, owner: InodeOwner, parent: TmpfsDirectory?) {
        self.parent = parent
        super.init(superblock, mode: mode, owner: owner)
        meta.size = 2 * TmpfsDirectory.bogusEntrySize
    }

    override func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        try lock.withLock { () throws(Errno) -> any Inode in
            // ".." still leads back from a removed directory (Linux follows the dentry's parent).
            if name == dotDotName { return parent ?? self }
            if name == dotName { return self }
            if removed { throw .ENOENT }
            guard let inode = table.find(name) else { throw .ENOENT }
            return inode
        }
    }

    override func lookupNow(_ name: UnsafeRawBufferPointer) -> (any Inode)? {
        lock.withLock { () -> (any Inode)? in removed ? nil : table.find(bytes: name) }
    }

    override func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await add(name, TmpfsFile(superblock, mode: FileMode.S_IFREG | (mode & FileMode.permissionMask), owner: owner))
    }

    override func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try await add(name, TmpfsDirectory(superblock, mode: FileMode.S_IFDIR | (mode & FileMode.permissionMask),
                                           owner: owner, parent: self))
    }

    override func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode {
        switch mode & FileMode.S_IFMT {
        case FileMode.S_IFREG:
            return try await create(name, mode: mode, owner: owner)
        case FileMode.S_IFCHR, FileMode.S_IFBLK, FileMode.S_IFIFO, FileMode.S_IFSOCK:
            let isDevice = mode & FileMode.S_IFMT == FileMode.S_IFCHR || mode & FileMode.S_IFMT == FileMode.S_IFBLK
            return try await add(name, TmpfsSpecialNode(superblock, mode: mode, owner: owner,
                                                        rdev: isDevice ? device : .none))
        default:
            throw .EINVAL
        }
    }

    override func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode {
        try await add(name, TmpfsSymlink(superblock, target: target, owner: owner))
    }

    override func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) {
        guard let node = inode as? TmpfsInode, node.superblock === superblock else { throw .EXDEV }
        if node is TmpfsDirectory { throw .EPERM }
        try await superblock.changingNamespace { () throws(Errno) in
            // A file whose last name is gone cannot get a new one (no O_TMPFILE yet).
            if node.metadata.nlink == 0 { throw .ENOENT }
            let time = now
            try insertLocked(name, node, at: time)
            node.addLinks(1, at: time)
        }
    }

    override func unlink(_ name: [UInt8]) async throws(Errno) {
        try await superblock.changingNamespace { () throws(Errno) in
            let time = now
            let victim = try lock.withLock { () throws(Errno) -> TmpfsInode in
                guard let victim = table.find(name) else { throw .ENOENT }
                if victim is TmpfsDirectory { throw .EISDIR }
                table.remove(name)
                meta.size -= TmpfsDirectory.bogusEntrySize
                changedLocked(at: time, content: true)
                return victim
            }
            victim.addLinks(-1, at: time)
        }
    }

    override func rmdir(_ name: [UInt8]) async throws(Errno) {
        try await superblock.changingNamespace { () throws(Errno) in
            let time = now
            let victim = try lock.withLock { () throws(Errno) -> TmpfsDirectory in
                guard let node = table.find(name) else { throw .ENOENT }
                guard let victim = node as? TmpfsDirectory else { throw .ENOTDIR }
                return victim
            }
            try victim.markRemoved(at: time)
            lock.withLock {
                table.remove(name)
                meta.size -= TmpfsDirectory.bogusEntrySize
                meta.nlink -= 1
                changedLocked(at: time, content: true)
            }
        }
    }

    override func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) {
        guard let destination = newDirectory as? TmpfsDirectory, destination.superblock === superblock else {
            throw .EXDEV
        }
        try await superblock.changingNamespace { () throws(Errno) in
            try renameLocked(name, to: destination, as: newName, flags: flags)
        }
    }

    override func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        var position = cookie
        while true {
            // Take a batch under the lock, emit it without: `emit` may be slow.
            let (batch, ino, up, isRemoved) = lock.withLock {
                (table.entries(from: position, limit: 32), meta.ino, parent, removed)
            }
            if isRemoved { return }
            let parentIno = up?.metadata.ino ?? ino
            if position == 0 {
                if !emit(DirectoryEntry(ino: ino, type: .directory, name: dotName, nextCookie: 1)) { break }
                position = 1
            }
            if position == 1 {
                if !emit(DirectoryEntry(ino: parentIno, type: .directory, name: dotDotName,
                                        nextCookie: DirectoryTable.firstPosition)) { break }
                position = DirectoryTable.firstPosition
            }
            if batch.isEmpty { break }
            for entry in batch {
                let m = entry.inode.metadata
                if !emit(DirectoryEntry(ino: m.ino, type: m.type, name: entry.name, nextCookie: entry.position + 1)) {
                    return
                }
                position = entry.position + 1
            }
        }
    }

    // MARK: helpers (namespace lock held)

    /// Adds a new inode under `name`, holding the namespace lock.
    private func add(_ name: [UInt8], _ node: TmpfsInode) async throws(Errno) -> any Inode {
        try superblock.checkInodeLimit()              // (the new node counts already; dropped on failure)
        return try await superblock.changingNamespace { () throws(Errno) -> any Inode in
            try insertLocked(name, node, at: node.metadata.ctime)
            return node
        }
    }

    /// Namespace lock held: inserts `name` (EEXIST if present, ENOENT if this directory is gone).
    private func insertLocked(_ name: [UInt8], _ node: TmpfsInode, at time: Timespec) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            if removed { throw .ENOENT }
            if table.find(name) != nil { throw .EEXIST }
            table.insert(name, node)
            meta.size += TmpfsDirectory.bogusEntrySize
            if node is TmpfsDirectory { meta.nlink += 1 }
            changedLocked(at: time, content: true)
        }
    }

    /// Namespace lock held: marks this (child) directory removed; ENOTEMPTY if it has entries.
    private func markRemoved(at time: Timespec) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            if !table.isEmpty { throw .ENOTEMPTY }
            removed = true
            meta.nlink = 0
            meta.ctime = time
        }
    }

    /// Empties this directory and forgets its parent, for the teardown of the whole filesystem;
    /// returns the subdirectories that were in it.
    func detachChildren() -> [TmpfsDirectory] {
        lock.withLock {
            let directories = table.subdirectories()
            table = DirectoryTable()
            parent = nil
            return directories
        }
    }

    private var parentDirectory: TmpfsDirectory? { lock.withLock { parent } }

    private func setParent(_ directory: TmpfsDirectory) {
        lock.withLock { parent = directory }
    }

    /// Whether `self` is `directory` or one of its ancestors (namespace lock held).
    private func isAncestor(of directory: TmpfsDirectory) -> Bool {
        var current: TmpfsDirectory? = directory
        while let c = current {
            if c === self { return true }
            current = c.parentDirectory
        }
        return false
    }

    private func renameLocked(_ name: [UInt8], to destination: TmpfsDirectory, as newName: [UInt8],
                              flags: RenameFlags) throws(Errno) {
        let time = now
        let source = try lock.withLock { () throws(Errno) -> TmpfsInode in
            if removed { throw .ENOENT }
            guard let source = table.find(name) else { throw .ENOENT }
            return source
        }
        let target = try destination.lock.withLock { () throws(Errno) -> TmpfsInode? in
            if destination.removed { throw .ENOENT }
            return destination.table.find(newName)
        }
        if let target, target === source { return }
        if target != nil && flags.contains(.noReplace) { throw .EEXIST }
        let movingDirectory = source as? TmpfsDirectory
        if let movingDirectory {
            // A directory cannot move into its own subtree.
            if movingDirectory.isAncestor(of: destination) { throw .EINVAL }
            if let target {
                guard let targetDirectory = target as? TmpfsDirectory else { throw .ENOTDIR }
                try targetDirectory.markRemoved(at: time)  // ENOTEMPTY if it has entries
            }
        } else if target is TmpfsDirectory {
            throw .EISDIR
        }
        // Insert first, then remove: the new name never disappears (POSIX atomicity).
        destination.lock.withLock {
            if target != nil {
                destination.table.remove(newName)
                destination.meta.size -= TmpfsDirectory.bogusEntrySize
                if target is TmpfsDirectory { destination.meta.nlink -= 1 }
            }
            destination.table.insert(newName, source)
            destination.meta.size += TmpfsDirectory.bogusEntrySize
            if movingDirectory != nil && destination !== self { destination.meta.nlink += 1 }
            destination.changedLocked(at: time, content: true)
        }
        lock.withLock {
            table.remove(name)
            meta.size -= TmpfsDirectory.bogusEntrySize
            if movingDirectory != nil && destination !== self { meta.nlink -= 1 }
            changedLocked(at: time, content: true)
        }
        if let movingDirectory, destination !== self { movingDirectory.setParent(destination) }
        if let target, !(target is TmpfsDirectory) { target.addLinks(-1, at: time) }
        source.lock.withLock { source.meta.ctime = time }
    }
}
