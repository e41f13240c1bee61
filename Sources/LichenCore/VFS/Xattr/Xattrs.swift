/// The VFS side of the xattr syscalls (Linux's fs/xattr.c with the capability module's hooks,
/// security/commoncap.c, as a kernel without another LSM has them): permission rules by
/// namespace, security.capability's conversions, then the inode's filesystem. The syscall layer
/// has copied the name and value in, checked the flags and sizes, and refused writes on a
/// read-only mount.
public enum Xattrs {
    /// xattr_permission: security.* and system.* are left to the filesystem and the capability
    /// hooks; trusted.* needs CAP_SYS_ADMIN (a reader without it finds nothing); user.* exists on
    /// regular files and directories only, a sticky directory's only for its owner; everything
    /// but security.* and system.* then needs read (write) permission on the inode.
    public static func checkPermission(_ name: [UInt8], write: Bool, _ m: InodeMetadata, _ c: Credentials) throws(Errno) {
        switch XattrNamespace(name) {
        case .security, .system: return
        case .trusted:
            guard c.has(.CAP_SYS_ADMIN) else { throw write ? .EPERM : .ENODATA }
            return
        case .user:
            guard m.isRegular || m.isDirectory else { throw write ? .EPERM : .ENODATA }
            if m.isDirectory && m.mode & FileMode.S_ISVTX != 0 && write && !c.ownsOrOverrides(m) { throw .EPERM }
        case .other: break
        }
        try c.check(write ? .write : .read, m)
    }

    /// getxattr: the value (at most XATTR_SIZE_MAX bytes).
    public static func get(_ inode: any Inode, _ name: [UInt8], _ c: Credentials) async throws(Errno) -> [UInt8] {
        try checkPermission(name, write: false, inode.metadata, c)
        guard let store = inode.extendedAttributes else { throw .EOPNOTSUPP }
        if XattrNames.isCapability(name) { return try FileCapabilities.readView(try await store.xattrValue(name)) }
        try store.xattrHandlers.resolve(name)
        // posix_acl_xattr_get: a symbolic link has no ACL to read.
        if XattrNames.isPosixACL(name) && inode.metadata.isSymbolicLink { throw .EOPNOTSUPP }
        return try await store.xattrValue(name)
    }

    /// listxattr: the names, each followed by a NUL; trusted.* only for CAP_SYS_ADMIN.
    public static func list(_ inode: any Inode, _ c: Credentials) async throws(Errno) -> [UInt8] {
        guard let store = inode.extendedAttributes else { return [] }
        let trusted = c.has(.CAP_SYS_ADMIN)
        var bytes: [UInt8] = []
        for name in try await store.xattrNames() where trusted || XattrNamespace(name) != .trusted {
            bytes += name
            bytes.append(0)
        }
        return bytes
    }

    /// setxattr. An empty value is a value (not a removal).
    public static func set(_ inode: any Inode, _ name: [UInt8], value: [UInt8], flags: XattrSetFlags,
                           _ c: Credentials, parent: NotifyParent? = nil) async throws(Errno) {
        var value = value
        // vfs_setxattr converts a non-empty security.capability before anything else.
        if !value.isEmpty && XattrNames.isCapability(name) { value = try FileCapabilities.checkedForSet(value, by: c) }
        try checkPermission(name, write: true, inode.metadata, c)
        try checkSecurityHook(name, removing: false, c)
        guard let store = inode.extendedAttributes else { throw .EOPNOTSUPP }
        try store.xattrHandlers.resolve(name)
        if XattrNames.isPosixACL(name) { throw refusedACL() }
        try await store.setXattr(name, value: value, flags: flags)
        FsNotify.shared.fileEvent(inode, InotifyMask.IN_ATTRIB, parent: parent)
    }

    /// removexattr.
    public static func remove(_ inode: any Inode, _ name: [UInt8], _ c: Credentials, parent: NotifyParent? = nil) async throws(Errno) {
        try checkPermission(name, write: true, inode.metadata, c)
        try checkSecurityHook(name, removing: true, c)
        guard let store = inode.extendedAttributes else { throw .EOPNOTSUPP }
        try store.xattrHandlers.resolve(name)
        if XattrNames.isPosixACL(name) { throw refusedACL() }
        try await store.setXattr(name, value: nil, flags: .replace)
        FsNotify.shared.fileEvent(inode, InotifyMask.IN_ATTRIB, parent: parent)
    }

    /// cap_inode_setxattr / cap_inode_removexattr: security.* needs CAP_SYS_ADMIN, except
    /// security.capability, which needs CAP_SETFCAP to remove (setting it was checked with its value).
    static func checkSecurityHook(_ name: [UInt8], removing: Bool, _ c: Credentials) throws(Errno) {
        guard XattrNamespace(name) == .security else { return }
        if XattrNames.isCapability(name) {
            if removing && !c.has(.CAP_SETFCAP) { throw .EPERM }
            return
        }
        if !c.has(.CAP_SYS_ADMIN) { throw .EPERM }
    }

    /// POSIX ACLs are not implemented: setting or removing one is refused rather than stored
    /// as an attribute that would not act as an ACL (the syscall layer logs it once).
    static func refusedACL() -> Errno { .EOPNOTSUPP }

    /// Linux's killpriv (a write, a truncate or a chown of a file): its security.capability goes.
    public static func removeCapabilities(of inode: any Inode) async {
        guard let store = inode.extendedAttributes else { return }
        try? await store.setXattr(XattrNames.capability, value: nil, flags: .replace)
    }

    /// The raw security.capability execve looks at (no permission check), nil when absent.
    public static func storedCapabilities(of inode: any Inode) async -> [UInt8]? {
        guard let store = inode.extendedAttributes else { return nil }
        return try? await store.xattrValue(XattrNames.capability)
    }
}
