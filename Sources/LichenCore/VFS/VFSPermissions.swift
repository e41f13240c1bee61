// The permission rules around creating and removing names (Linux's may_create, may_delete and
// the ownership of new inodes).

extension VFS {
    /// may_create: write and search on the directory, which must still exist.
    func mayCreate(in directory: Location, _ credentials: Credentials) throws(Errno) {
        let d = directory.metadata
        if d.nlink == 0 { throw .ENOENT }
        try credentials.check([.write, .execute], d)
    }

    /// may_delete: write and search on the directory, the sticky-bit rule (only the file's or the
    /// directory's owner may remove from a sticky directory), and the type the caller wants.
    func mayDelete(from directory: Location, _ victim: InodeMetadata, isDirectory: Bool,
                   _ credentials: Credentials) throws(Errno) {
        let d = directory.metadata
        try credentials.check([.write, .execute], d)
        if d.mode & FileMode.S_ISVTX != 0 && !credentials.has(.CAP_FOWNER)
            && credentials.fsuid != victim.uid && credentials.fsuid != d.uid {
            throw .EPERM
        }
        if isDirectory {
            if !victim.isDirectory { throw .ENOTDIR }
        } else if victim.isDirectory {
            throw .EISDIR
        }
    }

    /// Owner and mode of a new inode: the fsuid, and the fsgid unless the directory is setgid,
    /// in which case its group (and a new directory inherits the setgid bit).
    func newOwner(in directory: Location, mode: UInt32, isDirectory: Bool,
                  _ credentials: Credentials) -> (owner: InodeOwner, mode: UInt32) {
        let d = directory.metadata
        var mode = mode
        var gid = credentials.fsgid
        if d.mode & FileMode.S_ISGID != 0 {
            gid = d.gid
            if isDirectory { mode |= FileMode.S_ISGID }
        }
        return (InodeOwner(uid: credentials.fsuid, gid: gid), mode)
    }

    /// The inode `name` in `directory`, or nil if there is none.
    func lookupIfPresent(_ name: [UInt8], in directory: Location) async throws(Errno) -> (any Inode)? {
        do {
            return try await directory.inode.lookup(name)
        } catch {
            if error == .ENOENT { return nil }
            throw error
        }
    }

    /// Where a new non-directory name goes (mknod, symlink, link): the parent, which must not
    /// hold the name (EEXIST), after the search and create permission checks. A trailing slash
    /// on a new name is ENOENT (a directory name for something that is not one).
    func prepareCreate(_ path: [UInt8], at directory: Location?, isDirectory: Bool,
                       context: FSContext) async throws(Errno) -> (parent: Location, name: [UInt8]) {
        var r = resolver(context)
        let (parent, last, trailingSlash) = try await r.resolveParent(path, from: directory ?? context.cwd)
        guard case .name(let name) = last else { throw .EEXIST }
        try context.credentials.check(.execute, parent.metadata)
        if try await lookupIfPresent(name, in: parent) != nil { throw .EEXIST }
        if trailingSlash && !isDirectory { throw .ENOENT }
        try parent.mount.checkWritable()
        try mayCreate(in: parent, context.credentials)
        return (parent, name)
    }
}

extension Credentials {
    /// Linux's file_remove_privs rule (setattr_should_drop_sgid in 6.1): the set-id bits a write or
    /// truncate by these credentials takes off a regular file: S_ISUID; S_ISGID when
    /// group-executable, or when the writer is not in the file's group. Nothing with CAP_FSETID.
    public func setIDBitsRemovedByWrite(mode: UInt32, group: UInt32) -> UInt32 {
        guard FileType(mode: mode) == .regular, !has(.CAP_FSETID) else { return 0 }
        var kill: UInt32 = 0
        if mode & FileMode.S_ISUID != 0 { kill |= FileMode.S_ISUID }
        if mode & FileMode.S_ISGID != 0 && (mode & 0o010 != 0 || !isInGroup(group)) { kill |= FileMode.S_ISGID }
        return kill
    }
}

extension Inode {
    /// file_remove_privs: what a write or truncate by `credentials` does to the set-id bits, and
    /// to file capabilities (killpriv: removed whoever writes).
    public func removeSetIDBits(writtenBy credentials: Credentials) async throws(Errno) {
        if metadata.isRegular { await Xattrs.removeCapabilities(of: self) }
        let m = metadata
        let kill = credentials.setIDBitsRemovedByWrite(mode: m.mode, group: m.gid)
        if kill != 0 { try await setattr(AttributeChanges(mode: m.mode & FileMode.permissionMask & ~kill)) }
    }
}
