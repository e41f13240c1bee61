import LichenCore

/// Extended attributes, which no Lichen filesystem stores yet. The answers are those of Linux
/// 6.1's tmpfs for a file without any: names in the namespaces it supports (security., trusted.,
/// system.) have no value (ENODATA), others (user. included) are not supported (EOPNOTSUPP), the
/// list is empty. Setting one fails with EOPNOTSUPP (logged once) rather than being dropped.
///
/// Each call comes in three forms, by what names the file: a path (symlinks followed), an lpath
/// (a final symlink not followed) or a descriptor. Only the file's existence matters.
enum XattrSyscalls {
    static let XATTR_CREATE: UInt64 = 1, XATTR_REPLACE: UInt64 = 2
    static let nameMax = 255
    private static let reportedSet = ReportOnce(count: 1)

    // MARK: setxattr(file, name, value, size, flags)

    static func setxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1), flags = a[4]
        try await lookUp(a, path, followLast: true)
        return try set(a, name: name, flags: flags)
    }

    static func lsetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1), flags = a[4]
        try await lookUp(a, path, followLast: false)
        return try set(a, name: name, flags: flags)
    }

    static func fsetxattr(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), name = a.address(1), flags = a[4]
        try checkDescriptor(a, fd)
        return try set(a, name: name, flags: flags)
    }

    // MARK: getxattr(file, name, value, size)

    static func getxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1)
        try await lookUp(a, path, followLast: true)
        return try noValue(a, name: name)
    }

    static func lgetxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1)
        try await lookUp(a, path, followLast: false)
        return try noValue(a, name: name)
    }

    static func fgetxattr(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), name = a.address(1)
        try checkDescriptor(a, fd)
        return try noValue(a, name: name)
    }

    // MARK: listxattr(file, list, size): always empty

    static func listxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0)
        try await lookUp(a, path, followLast: true)
        return 0
    }

    static func llistxattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0)
        try await lookUp(a, path, followLast: false)
        return 0
    }

    static func flistxattr(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        try checkDescriptor(a, fd)
        return 0
    }

    // MARK: removexattr(file, name): as get, there is nothing to remove

    static func removexattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1)
        try await lookUp(a, path, followLast: true)
        return try noValue(a, name: name)
    }

    static func lremovexattr(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let path = a.address(0), name = a.address(1)
        try await lookUp(a, path, followLast: false)
        return try noValue(a, name: name)
    }

    static func fremovexattr(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), name = a.address(1)
        try checkDescriptor(a, fd)
        return try noValue(a, name: name)
    }

    // MARK: Shared

    /// The file at `path` must exist.
    private static func lookUp(_ a: SyscallArguments, _ path: UserAddr, followLast: Bool) async throws(Errno) {
        let path = try a.user.string(at: path)
        _ = try await FileSyscalls.vfs().stat(path, followLast: followLast, context: a.fs)
    }

    /// `fd` must be open, and not O_PATH.
    private static func checkDescriptor(_ a: SyscallArguments, _ fd: Int32) throws(Errno) {
        let file = try a.process.file(fd)
        guard !file.isPathOnly else { throw .EBADF }
    }

    /// Setting: the name and flags are checked, then refused.
    private static func set(_ a: SyscallArguments, name: UserAddr, flags: UInt64) throws(Errno) -> UInt64 {
        _ = try self.name(a, name)
        guard flags & ~(XATTR_CREATE | XATTR_REPLACE) == 0 else { throw .EINVAL }
        if reportedSet.first(0) { KernelLog.warning("setxattr: extended attributes are not stored yet: EOPNOTSUPP") }
        throw .EOPNOTSUPP
    }

    /// Getting or removing: no attribute exists, in a namespace tmpfs supports or not.
    private static func noValue(_ a: SyscallArguments, name: UserAddr) throws(Errno) -> UInt64 {
        throw hasKnownNamespace(try self.name(a, name)) ? .ENODATA : .EOPNOTSUPP
    }

    private static func name(_ a: SyscallArguments, _ address: UserAddr) throws(Errno) -> [UInt8] {
        let name: [UInt8]
        do { name = try a.user.string(at: address, limit: nameMax + 1) } catch .ENAMETOOLONG { throw .ERANGE }
        guard !name.isEmpty, name.count <= nameMax else { throw .ERANGE }
        return name
    }

    private static func hasKnownNamespace(_ name: [UInt8]) -> Bool {
        for prefix in ["security.", "trusted.", "system."] where name.starts(with: prefix.utf8) { return true }
        return false
    }
}
