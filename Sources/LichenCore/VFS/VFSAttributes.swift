import _Concurrency

// stat, readlink, access and the setattr family (chmod, chown, truncate, utimens). The
// Location-taking forms serve the fd-based calls (fstat, fchmod, fchown, futimens...).
extension VFS {
    /// stat/lstat/newfstatat.
    public func stat(_ path: [UInt8], at directory: Location? = nil, followLast: Bool = true,
                     context: FSContext) async throws(Errno) -> FileStatus {
        try await resolve(path, at: directory, followLast: followLast, context: context).status
    }

    /// statfs: the statistics of the filesystem holding `path`.
    public func statfs(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) -> FileSystemStatistics {
        try await resolve(path, at: directory, context: context).mount.fileSystem.statistics
    }

    /// readlink/readlinkat: EINVAL if `path` is not a symbolic link.
    public func readlink(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) -> [UInt8] {
        let location = try await resolve(path, at: directory, followLast: false, context: context)
        guard location.metadata.isSymbolicLink else { throw .EINVAL }
        await location.accessed()
        return try await location.inode.readlink(in: context)
    }

    /// access/faccessat: `mode` empty is F_OK. Checks with the real ids unless `effectiveIDs`
    /// (AT_EACCESS), the walk included.
    public func access(_ path: [UInt8], mode: Access, at directory: Location? = nil, effectiveIDs: Bool = false,
                       followLast: Bool = true, context: FSContext) async throws(Errno) {
        var context = context
        if !effectiveIDs { context.credentials = context.credentials.forRealIDs }
        let location = try await resolve(path, at: directory, followLast: followLast, context: context)
        try context.credentials.check(mode, location.metadata)
    }

    /// chmod/fchmodat.
    public func chmod(_ path: [UInt8], mode: UInt32, at directory: Location? = nil, followLast: Bool = true,
                      context: FSContext) async throws(Errno) {
        try await chmod(try await resolve(path, at: directory, followLast: followLast, context: context),
                        mode: mode, context: context,
                        parent: await notifyParent(path, at: directory, followLast: followLast, context: context))
    }

    /// fchmod: owner or superuser (EPERM); the setgid bit is dropped unless the caller is in the
    /// file's group (or superuser).
    public func chmod(_ location: Location, mode: UInt32, context: FSContext, parent: NotifyParent? = nil) async throws(Errno) {
        let c = context.credentials
        let metadata = location.metadata
        try location.mount.checkWritable()
        guard c.ownsOrOverrides(metadata) else { throw .EPERM }
        var mode = mode & FileMode.permissionMask
        if !c.isInGroup(metadata.gid) && !c.has(.CAP_FSETID) { mode &= ~FileMode.S_ISGID }
        try await location.inode.setattr(AttributeChanges(mode: mode))
        FsNotify.shared.fileEvent(location.inode, InotifyMask.IN_ATTRIB, parent: parent)
    }

    /// chown/lchown/fchownat (nil: unchanged, the syscall's -1).
    public func chown(_ path: [UInt8], uid: UInt32?, gid: UInt32?, at directory: Location? = nil, followLast: Bool = true,
                      context: FSContext) async throws(Errno) {
        try await chown(try await resolve(path, at: directory, followLast: followLast, context: context),
                        uid: uid, gid: gid, context: context,
                        parent: await notifyParent(path, at: directory, followLast: followLast, context: context))
    }

    /// fchown: only the superuser changes the owner; the owner may change the group to one of
    /// its groups. A non-directory loses setuid, and setgid if group-executable.
    public func chown(_ location: Location, uid: UInt32?, gid: UInt32?, context: FSContext, parent: NotifyParent? = nil) async throws(Errno) {
        let c = context.credentials
        let metadata = location.metadata
        try location.mount.checkWritable()
        if let uid, uid != metadata.uid || c.fsuid != metadata.uid {
            if !c.has(.CAP_CHOWN) { throw .EPERM }
        }
        if let gid, gid != metadata.gid || c.fsuid != metadata.uid {
            if !c.has(.CAP_CHOWN) && !(c.fsuid == metadata.uid && c.isInGroup(gid)) { throw .EPERM }
        }
        if uid == nil && gid == nil { return }
        var changes = AttributeChanges(uid: uid, gid: gid)
        if !metadata.isDirectory {
            var mode = metadata.mode & FileMode.permissionMask & ~FileMode.S_ISUID
            if mode & 0o010 != 0 { mode &= ~FileMode.S_ISGID }
            if mode != metadata.mode & FileMode.permissionMask { changes.mode = mode }
        }
        try await location.inode.setattr(changes)
        if !metadata.isDirectory { await Xattrs.removeCapabilities(of: location.inode) }  // ATTR_KILL_PRIV
        FsNotify.shared.fileEvent(location.inode, InotifyMask.IN_ATTRIB, parent: parent)
    }

    /// truncate(2): write permission; EISDIR for a directory, EINVAL for other non-files.
    public func truncate(_ path: [UInt8], size: Int64, at directory: Location? = nil, context: FSContext) async throws(Errno) {
        if size < 0 { throw .EINVAL }
        let location = try await resolve(path, at: directory, context: context)
        let metadata = location.metadata
        if metadata.isDirectory { throw .EISDIR }
        guard metadata.isRegular else { throw .EINVAL }
        try location.mount.checkWritable()
        try context.credentials.check(.write, metadata)
        try WriteAccess.beginWriting(location.inode)            // ETXTBSY for a running program
        defer { WriteAccess.endWriting(location.inode) }
        try await location.inode.setattr(AttributeChanges(size: size))
        try await location.inode.removeSetIDBits(writtenBy: context.credentials)
        FsNotify.shared.fileEvent(location.inode, InotifyMask.IN_MODIFY,
                                  parent: await notifyParent(path, at: directory, followLast: true, context: context))
    }

    /// utimensat: nil leaves a time alone (UTIME_OMIT). Setting times to now needs ownership or
    /// write permission; setting explicit times needs ownership (EPERM).
    public func utimens(_ path: [UInt8], atime: TimeChange?, mtime: TimeChange?, at directory: Location? = nil,
                        followLast: Bool = true, context: FSContext) async throws(Errno) {
        try await utimens(try await resolve(path, at: directory, followLast: followLast, context: context),
                          atime: atime, mtime: mtime, context: context,
                          parent: await notifyParent(path, at: directory, followLast: followLast, context: context))
    }

    public func utimens(_ location: Location, atime: TimeChange?, mtime: TimeChange?, context: FSContext,
                        parent: NotifyParent? = nil) async throws(Errno) {
        if atime == nil && mtime == nil { return }
        let c = context.credentials
        let metadata = location.metadata
        try location.mount.checkWritable()
        if !c.ownsOrOverrides(metadata) {
            let onlyNow = (atime == nil || atime == .now) && (mtime == nil || mtime == .now)
            if !onlyNow { throw .EPERM }
            try c.check(.write, metadata)
        }
        try await location.inode.setattr(AttributeChanges(atime: atime, mtime: mtime))
        // Linux's fsnotify_change: both times is IN_ATTRIB, atime alone IN_ACCESS, mtime alone IN_MODIFY.
        let mask = atime != nil && mtime != nil ? InotifyMask.IN_ATTRIB : atime != nil ? InotifyMask.IN_ACCESS : InotifyMask.IN_MODIFY
        FsNotify.shared.fileEvent(location.inode, mask, parent: parent)
    }

    /// For inotify, while something is watched: the directory holding what `path` names, and its name there.
    public func notifyParent(_ path: [UInt8], at directory: Location?, followLast: Bool, context: FSContext) async -> NotifyParent? {
        guard FsNotify.shared.isActive else { return nil }
        var r = resolver(context)
        if followLast {
            guard let (d, name) = try? await r.containingDirectory(path, from: directory ?? context.cwd) else { return nil }
            return (d.inode, name)
        }
        guard let (d, last, _) = try? await r.resolveParent(path, from: directory ?? context.cwd), case .name(let name) = last else { return nil }
        return (d.inode, name)
    }
}
