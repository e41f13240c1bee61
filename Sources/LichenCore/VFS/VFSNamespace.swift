import _Concurrency

// The system calls that create, link, remove and rename names.
extension VFS {
    /// mkdir/mkdirat (the umask applies; mode keeps the sticky bit).
    @discardableResult
    public func mkdir(_ path: [UInt8], mode: UInt32, at directory: Location? = nil,
                      context: FSContext) async throws(Errno) -> Location {
        let (parent, name) = try await prepareCreate(path, at: directory, isDirectory: true, context: context)
        let (owner, m) = newOwner(in: parent, mode: mode & 0o1777 & ~context.umask, isDirectory: true, context.credentials)
        let inode = try await parent.inode.mkdir(name, mode: m, owner: owner)
        FsNotify.shared.nameEvent(parent.inode, InotifyMask.IN_CREATE, name: name, isDirectory: true)
        return Location(mount: parent.mount, inode: inode)
    }

    /// mknod/mknodat: a regular file (type 0 or S_IFREG), FIFO, socket, or (superuser only)
    /// character or block device. EPERM for a directory, EINVAL for an unknown type.
    @discardableResult
    public func mknod(_ path: [UInt8], mode: UInt32, device: DeviceNumber = .none, at directory: Location? = nil,
                      context: FSContext) async throws(Errno) -> Location {
        var type = mode & FileMode.S_IFMT
        switch type {
        case 0, FileMode.S_IFREG: type = FileMode.S_IFREG
        case FileMode.S_IFCHR, FileMode.S_IFBLK, FileMode.S_IFIFO, FileMode.S_IFSOCK: break
        case FileMode.S_IFDIR: throw .EPERM
        default: throw .EINVAL
        }
        let (parent, name) = try await prepareCreate(path, at: directory, isDirectory: false, context: context)
        if (type == FileMode.S_IFCHR || type == FileMode.S_IFBLK) && !context.credentials.has(.CAP_MKNOD) { throw .EPERM }
        let (owner, permissions) = newOwner(in: parent, mode: mode & FileMode.permissionMask & ~context.umask,
                                            isDirectory: false, context.credentials)
        let inode: any Inode
        if type == FileMode.S_IFREG {
            inode = try await parent.inode.create(name, mode: permissions, owner: owner)
        } else {
            inode = try await parent.inode.mknod(name, mode: type | permissions, device: device, owner: owner)
        }
        FsNotify.shared.nameEvent(parent.inode, InotifyMask.IN_CREATE, name: name, isDirectory: false)
        return Location(mount: parent.mount, inode: inode)
    }

    /// symlink/symlinkat: `path` becomes a link to `target` (stored as given, mode 0777).
    @discardableResult
    public func symlink(_ target: [UInt8], at path: [UInt8], in directory: Location? = nil,
                        context: FSContext) async throws(Errno) -> Location {
        if target.isEmpty { throw .ENOENT }
        if target.count >= PathLimits.pathMax { throw .ENAMETOOLONG }
        let (parent, name) = try await prepareCreate(path, at: directory, isDirectory: false, context: context)
        let (owner, _) = newOwner(in: parent, mode: 0o777, isDirectory: false, context.credentials)
        let inode = try await parent.inode.symlink(name, target: target, owner: owner)
        FsNotify.shared.nameEvent(parent.inode, InotifyMask.IN_CREATE, name: name, isDirectory: false)
        return Location(mount: parent.mount, inode: inode)
    }

    /// link/linkat: a new name `newPath` for the file `oldPath` names (followed if `followOld`,
    /// AT_SYMLINK_FOLLOW). EXDEV across mounts, EPERM for a directory.
    public func link(_ oldPath: [UInt8], to newPath: [UInt8], followOld: Bool = false,
                     oldDirectory: Location? = nil, newDirectory: Location? = nil, context: FSContext) async throws(Errno) {
        let old = try await resolve(oldPath, at: oldDirectory, followLast: followOld, context: context)
        let (parent, name) = try await prepareCreate(newPath, at: newDirectory, isDirectory: false, context: context)
        if parent.mount !== old.mount { throw .EXDEV }
        if old.metadata.isDirectory { throw .EPERM }
        if !context.credentials.mayHardLink(old.metadata, mounts.linkProtection) { throw .EPERM }   // fs.protected_hardlinks
        try await parent.inode.link(name, to: old.inode)
        FsNotify.shared.fileEvent(old.inode, InotifyMask.IN_ATTRIB)     // the link count
        FsNotify.shared.nameEvent(parent.inode, InotifyMask.IN_CREATE, name: name, isDirectory: false)
    }

    /// unlink/unlinkat without AT_REMOVEDIR.
    public func unlink(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) {
        var r = resolver(context)
        let (parent, last, trailingSlash) = try await r.resolveParent(path, from: directory ?? context.cwd)
        guard case .name(let name) = last else { throw .EISDIR }
        try context.credentials.check(.execute, parent.metadata)
        let victim = try await parent.inode.lookup(name)
        let metadata = victim.metadata
        if trailingSlash { throw metadata.isDirectory ? .EISDIR : .ENOTDIR }
        try parent.mount.checkWritable()
        try mayDelete(from: parent, metadata, isDirectory: false, context.credentials)
        if mounts.isMountpoint(Location(mount: parent.mount, inode: victim)) { throw .EBUSY }
        try await parent.inode.unlink(name)
        notifyRemoved(victim, from: parent.inode, name: name, isDirectory: false)
    }

    /// rmdir, or unlinkat with AT_REMOVEDIR.
    public func rmdir(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) {
        var r = resolver(context)
        let (parent, last, _) = try await r.resolveParent(path, from: directory ?? context.cwd)
        let name: [UInt8]
        switch last {
        case .name(let n): name = n
        case .dot: throw .EINVAL
        case .dotDot: throw .ENOTEMPTY
        case .root: throw .EBUSY
        }
        try context.credentials.check(.execute, parent.metadata)
        let victim = try await parent.inode.lookup(name)
        try parent.mount.checkWritable()
        try mayDelete(from: parent, victim.metadata, isDirectory: true, context.credentials)
        let location = Location(mount: parent.mount, inode: victim)
        if mounts.isMountpoint(location) || location == context.root { throw .EBUSY }
        try await parent.inode.rmdir(name)
        notifyRemoved(victim, from: parent.inode, name: name, isDirectory: true)
    }

    /// rename/renameat2 (flags: RENAME_NOREPLACE; RENAME_EXCHANGE is not supported: EINVAL).
    public func rename(_ oldPath: [UInt8], to newPath: [UInt8], flags: RenameFlags = [],
                       oldDirectory: Location? = nil, newDirectory: Location? = nil, context: FSContext) async throws(Errno) {
        guard flags.subtracting(.noReplace).isEmpty else { throw .EINVAL }
        let credentials = context.credentials
        var r1 = resolver(context)
        let (oldParent, oldLast, oldSlash) = try await r1.resolveParent(oldPath, from: oldDirectory ?? context.cwd)
        var r2 = resolver(context)
        let (newParent, newLast, newSlash) = try await r2.resolveParent(newPath, from: newDirectory ?? context.cwd)
        if oldParent.mount !== newParent.mount { throw .EXDEV }
        guard case .name(let oldName) = oldLast else { throw .EBUSY }
        guard case .name(let newName) = newLast else { throw flags.contains(.noReplace) ? .EEXIST : .EBUSY }
        try credentials.check(.execute, oldParent.metadata)
        try credentials.check(.execute, newParent.metadata)
        let source = try await oldParent.inode.lookup(oldName)
        let sourceMetadata = source.metadata
        let isDirectory = sourceMetadata.isDirectory
        if !isDirectory && (oldSlash || newSlash) { throw .ENOTDIR }
        let target = try await lookupIfPresent(newName, in: newParent)
        if target != nil && flags.contains(.noReplace) { throw .EEXIST }
        if oldParent.inode !== newParent.inode {
            // Linux's lock_rename "trap": a directory cannot move below itself, and a target
            // above the source is necessarily not empty.
            if isDirectory, try await isAncestor(source, of: newParent) { throw .EINVAL }
            if let target, target.metadata.isDirectory, try await isAncestor(target, of: oldParent) { throw .ENOTEMPTY }
        }
        try oldParent.mount.checkWritable()
        if let target, target === source { return }  // two names of one file: nothing to do
        try mayDelete(from: oldParent, sourceMetadata, isDirectory: isDirectory, credentials)
        if let target {
            try mayDelete(from: newParent, target.metadata, isDirectory: isDirectory, credentials)
        } else {
            try mayCreate(in: newParent, credentials)
        }
        // Moving a directory rewrites its "..": that needs write permission on it.
        if isDirectory && oldParent.inode !== newParent.inode { try credentials.check(.write, sourceMetadata) }
        if mounts.isMountpoint(Location(mount: oldParent.mount, inode: source)) { throw .EBUSY }
        if let target, mounts.isMountpoint(Location(mount: newParent.mount, inode: target)) { throw .EBUSY }
        try await oldParent.inode.rename(oldName, to: newParent.inode, as: newName, flags: flags)
        let notify = FsNotify.shared
        guard notify.isActive else { return }
        let cookie = notify.nextCookie()
        notify.nameEvent(oldParent.inode, InotifyMask.IN_MOVED_FROM, name: oldName, isDirectory: isDirectory, cookie: cookie)
        notify.nameEvent(newParent.inode, InotifyMask.IN_MOVED_TO, name: newName, isDirectory: isDirectory, cookie: cookie)
        if let target { notify.fileEvent(target, InotifyMask.IN_ATTRIB) }
        notify.selfEvent(source, InotifyMask.IN_MOVE_SELF)
        if let target, target.metadata.nlink == 0 { notify.selfEvent(target, InotifyMask.IN_DELETE_SELF) }
    }

    /// inotify after unlink/rmdir: a file's link count changed (IN_ATTRIB), its last name going is
    /// IN_DELETE_SELF, and the directory sees IN_DELETE.
    private func notifyRemoved(_ victim: any Inode, from directory: any Inode, name: [UInt8], isDirectory: Bool) {
        let notify = FsNotify.shared
        guard notify.isActive else { return }
        if !isDirectory { notify.fileEvent(victim, InotifyMask.IN_ATTRIB) }
        if isDirectory || victim.metadata.nlink == 0 { notify.selfEvent(victim, InotifyMask.IN_DELETE_SELF) }
        notify.nameEvent(directory, InotifyMask.IN_DELETE, name: name, isDirectory: isDirectory)
    }

    /// Whether `inode` is `location` or one of its ancestors within its mount.
    func isAncestor(_ inode: any Inode, of location: Location) async throws(Errno) -> Bool {
        var current = location.inode
        while true {
            if current === inode { return true }
            if current === location.mount.root { return false }
            let up = try await current.lookup(dotDotName)
            if up === current { return false }
            current = up
        }
    }
}
