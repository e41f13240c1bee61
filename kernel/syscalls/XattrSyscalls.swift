import LichenCore

/// Extended attributes, which no Lichen filesystem stores yet. The answers are those of Linux
/// 6.1's tmpfs for a file without any: names in the namespaces it supports (security., trusted.,
/// system.) have no value (ENODATA), others (user. included) are not supported (EOPNOTSUPP), the
/// list is empty. Setting one fails with EOPNOTSUPP (logged once) rather than being dropped.
enum XattrSyscalls {
    static let nameMax = 255
    private static let reportedSet = ReportOnce(count: 1)

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 5, 6, 7:                                            // setxattr, lsetxattr, fsetxattr
            try await target(a, number - 5)
            _ = try name(a)
            guard a[4] & ~3 == 0 else { throw .EINVAL }          // XATTR_CREATE, XATTR_REPLACE
            if reportedSet.first(0) { KernelLog.warning("setxattr: extended attributes are not stored yet: EOPNOTSUPP") }
            throw .EOPNOTSUPP
        case 8, 9, 10, 14, 15, 16:                               // getxattr..fgetxattr, removexattr..fremovexattr
            try await target(a, (number - 8) % 6)
            throw hasKnownNamespace(try name(a)) ? .ENODATA : .EOPNOTSUPP
        case 11, 12, 13:                                         // listxattr, llistxattr, flistxattr
            try await target(a, number - 11)
            return 0
        default: return nil
        }
    }

    /// The file named by the first argument: a path (variant 0 follows symlinks, 1 does not) or a
    /// descriptor (variant 2). Only its existence matters.
    private static func target(_ a: SyscallArguments, _ variant: UInt64) async throws(Errno) {
        if variant == 2 {
            let file = try a.process.file(a.fd(0))
            guard !file.isPathOnly else { throw .EBADF }
            return
        }
        let path = try a.user.string(at: a.address(0))
        _ = try await FileSyscalls.vfs().stat(path, followLast: variant == 0, context: a.process.fs)
    }

    private static func name(_ a: SyscallArguments) throws(Errno) -> [UInt8] {
        let name: [UInt8]
        do { name = try a.user.string(at: a.address(1), limit: nameMax + 1) } catch .ENAMETOOLONG { throw .ERANGE }
        guard !name.isEmpty, name.count <= nameMax else { throw .ERANGE }
        return name
    }

    private static func hasKnownNamespace(_ name: [UInt8]) -> Bool {
        for prefix in ["security.", "trusted.", "system."] where name.starts(with: prefix.utf8) { return true }
        return false
    }
}
