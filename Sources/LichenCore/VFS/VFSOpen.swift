import _Concurrency

extension VFS {
    /// open/openat: resolves (and with O_CREAT creates) `path` from `directory` (the cwd if nil)
    /// and opens it. `mode` is the permission of a created file, before the umask.
    /// `restrictions` are openat2's RESOLVE_* flags; the scoped ones make the start directory the walk's root.
    public func open(_ path: [UInt8], flags: OpenFlags, mode: UInt32 = 0, at directory: Location? = nil,
                     context: FSContext, restrictions: ResolveFlags = []) async throws(Errno) -> OpenFile {
        let start = directory ?? context.cwd
        var walkContext = context
        if restrictions.isScoped { walkContext.root = start }
        var r = resolver(walkContext)
        r.restrictions = restrictions
        if flags.contains(.O_PATH) {
            // A handle on the location only (fstat, *at, fchdir): no permission on the file itself.
            let location = try await r.resolve(path, from: start, followLast: !flags.contains(.O_NOFOLLOW))
            if flags.contains(.O_DIRECTORY) && !location.metadata.isDirectory { throw .ENOTDIR }
            return OpenFile(location: location, flags: flags.intersection([.O_PATH, .O_DIRECTORY, .O_NOFOLLOW]))
        }
        let file: OpenFile, created: Bool
        if flags.contains(.O_CREAT) {
            let location: Location
            (location, created) = try await openCreating(try PathName(path), from: start, flags: flags,
                                                         mode: mode, context: context, resolver: &r)
            file = try await open(location, flags: flags, created: created, context: context)
        } else {
            created = false
            let location = try await r.resolve(path, from: start, followLast: !flags.contains(.O_NOFOLLOW))
            file = try await open(location, flags: flags, created: false, context: context)
        }
        if FsNotify.shared.isActive { await notifyOpened(file, path: path, from: start, truncated: !created, context: context) }
        return file
    }

    /// inotify: the truncation's IN_MODIFY then IN_OPEN, to the file and its directory (which the
    /// file remembers for its later events).
    private func notifyOpened(_ file: OpenFile, path: [UInt8], from start: Location, truncated: Bool, context: FSContext) async {
        var r = resolver(context)
        if let (directory, name) = try? await r.containingDirectory(path, from: start) { file.notifyParent = (directory.inode, name) }
        if truncated && file.flags.contains(.O_TRUNC) && file.inode.metadata.isRegular {
            FsNotify.shared.fileEvent(file.inode, InotifyMask.IN_MODIFY, parent: file.notifyParent)
        }
        FsNotify.shared.fileEvent(file.inode, InotifyMask.IN_OPEN, parent: file.notifyParent)
    }

    /// The O_CREAT part of open: find the last component, following a symlink there (unless
    /// O_NOFOLLOW or O_EXCL) even to a name that does not exist yet, or create a regular file.
    private func openCreating(_ path: PathName, from start: Location, flags: OpenFlags, mode: UInt32,
                              context: FSContext, resolver r: inout PathResolver) async throws(Errno) -> (Location, Bool) {
        let (parent, last, trailingSlash) = try await r.resolveParent(path, from: start)
        guard case .name(let name) = last else { throw .EISDIR }
        try context.credentials.check(.execute, parent.metadata)
        if let existing = try await lookupIfPresent(name, in: parent) {
            if flags.contains(.O_EXCL) { throw .EEXIST }
            let location = mounts.crossDown(Location(mount: parent.mount, inode: existing))
            let metadata = location.metadata
            if metadata.isSymbolicLink {
                if trailingSlash {
                    // "link/": whatever the link names must be an existing directory.
                    let resolved = try await r.follow(location, in: parent)
                    throw resolved.metadata.isDirectory ? .EISDIR : .ENOTDIR
                }
                if flags.contains(.O_NOFOLLOW) { throw .ELOOP }
                try r.checkMayFollow(location, in: parent)
                let target = try await r.readTarget(location)
                return try await openCreating(target, from: parent, flags: flags, mode: mode, context: context, resolver: &r)
            }
            if metadata.isDirectory { throw .EISDIR }
            if trailingSlash { throw .ENOTDIR }
            // fs.protected_fifos/protected_regular: someone else's file in a shared sticky directory.
            if !context.credentials.mayOpenExistingForCreate(metadata, in: parent.metadata, mounts.linkProtection) { throw .EACCES }
            return (location, false)
        }
        if trailingSlash { throw .EISDIR }
        try parent.mount.checkWritable()
        try mayCreate(in: parent, context.credentials)
        let (owner, fileMode) = newOwner(in: parent, mode: mode & FileMode.permissionMask & ~context.umask,
                                         isDirectory: false, context.credentials)
        do {
            let inode = try await parent.inode.create(name, mode: fileMode, owner: owner)
            FsNotify.shared.nameEvent(parent.inode, InotifyMask.IN_CREATE, name: name, isDirectory: false)
            return (Location(mount: parent.mount, inode: inode), true)
        } catch {
            // Someone created it between the lookup and the create: open theirs (or EEXIST).
            if error == .EEXIST && !flags.contains(.O_EXCL) {
                return try await openCreating(path, from: start, flags: flags, mode: mode, context: context, resolver: &r)
            }
            throw error
        }
    }

    /// Opens a resolved location: type and permission checks, O_TRUNC, the special file's
    /// operations. A file open() just created is not checked against its own mode.
    public func open(_ location: Location, flags: OpenFlags, created: Bool = false,
                     context: FSContext) async throws(Errno) -> OpenFile {
        let metadata = location.metadata
        if metadata.isSymbolicLink { throw .ELOOP }  // O_NOFOLLOW on a symlink
        if flags.contains(.O_DIRECTORY) && !metadata.isDirectory { throw .ENOTDIR }
        let truncate = flags.contains(.O_TRUNC)
        if metadata.isDirectory && (flags.accessMode != .O_RDONLY || truncate) { throw .EISDIR }
        // Writing a device or FIFO changes nothing on the filesystem: allowed on a read-only mount.
        if (flags.allowsWrite || truncate) && (metadata.isRegular || metadata.isDirectory) {
            try location.mount.checkWritable()
        }
        if !created {
            var access: Access = []
            if flags.allowsRead { access.insert(.read) }
            if flags.allowsWrite || truncate { access.insert(.write) }
            try context.credentials.check(access, metadata)
        }
        // O_NOATIME hides reads from the owner: the owner's (or CAP_FOWNER's) choice only.
        if flags.contains(.O_NOATIME) && !context.credentials.ownsOrOverrides(metadata) { throw .EPERM }
        let operations: (any FileOperations)?
        if (metadata.type == .characterDevice || metadata.type == .blockDevice) && location.mount.flags.contains(.noDev) {
            throw .EACCES
        }
        switch metadata.type {
        case .characterDevice:
            guard let ops = devices.lookup(.character, metadata.rdev) else { throw .ENXIO }
            operations = ops
        case .blockDevice:
            guard let ops = devices.lookup(.block, metadata.rdev) else { throw .ENXIO }
            operations = ops
        case .fifo:
            // A pipe reopened through /proc/<pid>/fd is that pipe (Pipe.open counts the ends);
            // a named FIFO gets its shared pipe with the ends counted (blocking rules in Pipe.open).
            operations = location.inode.fileOperations ?? fifos.open(location.inode, mode: flags)
        case .socket, .unknown:
            throw .ENXIO  // sockets come later
        default:
            operations = location.inode.fileOperations
        }
        // A writer of a regular file from here on: ETXTBSY while a program runs from it (before O_TRUNC).
        let writer = flags.allowsWrite && metadata.isRegular
        if writer { try WriteAccess.beginWriting(location.inode) }
        if truncate && metadata.isRegular && !created {
            do throws(Errno) {
                if !writer { try WriteAccess.beginWriting(location.inode) }
                defer { if !writer { WriteAccess.endWriting(location.inode) } }
                // POSIX: O_TRUNC on an existing file updates mtime and ctime even if it was empty.
                try await location.inode.setattr(AttributeChanges(size: 0, mtime: .now))
                // do_truncate's killpriv: file capabilities, and the set-id bits of a caller without CAP_FSETID.
                try await location.inode.removeSetIDBits(writtenBy: context.credentials)
            } catch {
                if writer { WriteAccess.endWriting(location.inode) }
                throw error
            }
        }
        let file = OpenFile(location: location, flags: flags, operations: operations)
        file.holdsWriteAccess = writer
        if let operations { try await operations.open(file) }
        return file
    }
}
