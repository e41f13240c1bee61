import LichenCore

/// The extended attribute calls. Each comes in three forms, by what names the file: a path
/// (symlinks followed), an lpath (a final symlink not followed) or a descriptor (not O_PATH:
/// EBADF). The rules are in LichenCore (Xattrs); here the order of Linux's checks: the file,
/// then (to change) a writable mount, the flags, the name (ERANGE when empty or longer than 255),
/// the value's size (E2BIG past 64 KiB) and bytes.
enum XattrSyscalls {
    private static let reportedACL = ReportOnce(count: 1)

    // MARK: setxattr(file, name, value, size, flags)

    static func setxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let (location, parent) = try await lookUp(a, a.address(0), followLast: true)
        return try await set(a, location, parent)
    }

    static func lsetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let (location, parent) = try await lookUp(a, a.address(0), followLast: false)
        return try await set(a, location, parent)
    }

    static func fsetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let file = try descriptor(a)
        return try await set(a, file.location, file.notifyParent)
    }

    // MARK: getxattr(file, name, value, size)

    static func getxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await get(a, try await lookUp(a, a.address(0), followLast: true).location)
    }

    static func lgetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await get(a, try await lookUp(a, a.address(0), followLast: false).location)
    }

    static func fgetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await get(a, try descriptor(a).location)
    }

    // MARK: listxattr(file, list, size)

    static func listxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await list(a, try await lookUp(a, a.address(0), followLast: true).location)
    }

    static func llistxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await list(a, try await lookUp(a, a.address(0), followLast: false).location)
    }

    static func flistxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await list(a, try descriptor(a).location)
    }

    // MARK: removexattr(file, name)

    static func removexattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let (location, parent) = try await lookUp(a, a.address(0), followLast: true)
        return try await remove(a, location, parent)
    }

    static func lremovexattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let (location, parent) = try await lookUp(a, a.address(0), followLast: false)
        return try await remove(a, location, parent)
    }

    static func fremovexattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let file = try descriptor(a)
        return try await remove(a, file.location, file.notifyParent)
    }

    // MARK: Shared

    private static func lookUp(_ a: SyscallArguments, _ path: UserAddr, followLast: Bool) async throws(Errno) -> (location: Location, parent: NotifyParent?) {
        let path = try a.user.string(at: path)
        let vfs = try FileSyscalls.vfs()
        let location = try await vfs.resolve(path, followLast: followLast, context: a.fs)
        return (location, await vfs.notifyParent(path, at: nil, followLast: followLast, context: a.fs))
    }

    /// The descriptor in argument 0: open, and not O_PATH.
    private static func descriptor(_ a: SyscallArguments) throws(Errno) -> OpenFile {
        let file = try a.process.file(a.fd(0))
        guard !file.isPathOnly else { throw .EBADF }
        return file
    }

    private static func set(_ a: SyscallArguments, _ location: Location, _ parent: NotifyParent?) async throws(Errno) -> UInt64 {
        let valueAddress = a.address(2), size = a[3], flags = a[4]
        try location.mount.checkWritable()
        guard flags & ~UInt64(XattrSetFlags.create.rawValue | XattrSetFlags.replace.rawValue) == 0 else { throw .EINVAL }
        let name = try self.name(a, a.address(1))
        guard size <= UInt64(XattrLimits.valueMax) else { throw .E2BIG }
        let value = size == 0 ? [] : try a.user.bytes(at: valueAddress, count: Int(size))
        do {
            try await Xattrs.set(location.inode, name, value: value, flags: XattrSetFlags(rawValue: UInt32(flags)),
                                 a.credentials, parent: parent)
        } catch { throw reported(error, name) }
        return 0
    }

    private static func get(_ a: SyscallArguments, _ location: Location) async throws(Errno) -> UInt64 {
        let valueAddress = a.address(2), size = min(a[3], UInt64(XattrLimits.valueMax))
        let name = try self.name(a, a.address(1))
        let value = try await Xattrs.get(location.inode, name, a.credentials)
        if size == 0 { return UInt64(value.count) }
        guard UInt64(value.count) <= size else { throw .ERANGE }
        if !value.isEmpty { try a.user.store(bytes: value, to: valueAddress) }
        return UInt64(value.count)
    }

    private static func list(_ a: SyscallArguments, _ location: Location) async throws(Errno) -> UInt64 {
        let listAddress = a.address(1), size = a[2]
        let names = try await Xattrs.list(location.inode, a.credentials)
        if size == 0 { return UInt64(names.count) }
        let room = min(size, UInt64(XattrLimits.listMax))
        guard UInt64(names.count) <= room else { throw room == UInt64(XattrLimits.listMax) ? .E2BIG : .ERANGE }
        if !names.isEmpty { try a.user.store(bytes: names, to: listAddress) }
        return UInt64(names.count)
    }

    private static func remove(_ a: SyscallArguments, _ location: Location, _ parent: NotifyParent?) async throws(Errno) -> UInt64 {
        try location.mount.checkWritable()
        let name = try self.name(a, a.address(1))
        do {
            try await Xattrs.remove(location.inode, name, a.credentials, parent: parent)
        } catch { throw reported(error, name) }
        return 0
    }

    /// An attribute name: ERANGE when empty or past XATTR_NAME_MAX.
    private static func name(_ a: SyscallArguments, _ address: UserAddr) throws(Errno) -> [UInt8] {
        let name: [UInt8]
        do { name = try a.user.string(at: address, limit: XattrLimits.nameMax + 1) } catch .ENAMETOOLONG { throw .ERANGE }
        guard !name.isEmpty, name.count <= XattrLimits.nameMax else { throw .ERANGE }
        return name
    }

    /// POSIX ACLs are refused (EOPNOTSUPP): said once.
    private static func reported(_ error: Errno, _ name: [UInt8]) -> Errno {
        if error == .EOPNOTSUPP && XattrNames.isPosixACL(name) && reportedACL.first(0) {
            KernelLog.warning("xattr: POSIX ACLs (system.posix_acl_*) are not implemented: EOPNOTSUPP")
        }
        return error
    }
}
