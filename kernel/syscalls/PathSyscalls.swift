import LichenCore
import _Concurrency

/// The namespace: creating, removing, renaming and linking names, symlinks, and the working and
/// root directories. Paths are copied from user memory in the order Linux does, so errors keep its
/// precedence.
enum PathSyscalls {
    static let AT_REMOVEDIR = FileSyscalls.AT_REMOVEDIR, AT_SYMLINK_FOLLOW = FileSyscalls.AT_SYMLINK_FOLLOW

    private static func vfs() throws(Errno) -> VFS { try FileSyscalls.vfs() }
    private static func directory(_ a: SyscallArguments, _ fd: Int32, for path: [UInt8]) throws(Errno) -> Location? {
        try FileSyscalls.directory(a, fd, for: path)
    }

    // MARK: Creating and removing names

    static func mkdirat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), mode = UInt32(a[2] & 0o7777)
        let path = try a.userPath(1)
        _ = try await vfs().mkdir(path, mode: mode, at: try directory(a, dirfd, for: path), context: a.fs)
        return 0
    }

    static func mknodat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), mode = a.uint32(2), device = DeviceNumber(encoded: a[3])
        let path = try a.userPath(1)
        _ = try await vfs().mknod(path, mode: mode, device: device, at: try directory(a, dirfd, for: path), context: a.fs)
        return 0
    }

    static func unlinkat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), flags = a[2]
        let path = try a.userPath(1)
        guard flags & ~AT_REMOVEDIR == 0 else { throw .EINVAL }
        let dir = try directory(a, dirfd, for: path)
        if flags & AT_REMOVEDIR != 0 { try await vfs().rmdir(path, at: dir, context: a.fs) }
        else { try await vfs().unlink(path, at: dir, context: a.fs) }
        return 0
    }

    static func renameat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let oldDirfd = a.fd(0), newDirfd = a.fd(2)
        return try await rename(a, oldDirfd: oldDirfd, newDirfd: newDirfd, flags: [])
    }

    static func renameat2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let oldDirfd = a.fd(0), newDirfd = a.fd(2), flags = RenameFlags(rawValue: a.uint32(4))
        return try await rename(a, oldDirfd: oldDirfd, newDirfd: newDirfd, flags: flags)
    }

    /// renameat and renameat2: the old path is argument 1, the new one argument 3.
    private static func rename(_ a: SyscallArguments, oldDirfd: Int32, newDirfd: Int32, flags: RenameFlags) async throws(Errno) -> UInt64 {
        let old = try a.userPath(1), new = try a.userPath(3)
        try await vfs().rename(old, to: new, flags: flags, oldDirectory: try directory(a, oldDirfd, for: old),
                               newDirectory: try directory(a, newDirfd, for: new), context: a.fs)
        return 0
    }

    static func linkat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let oldDirfd = a.fd(0), newDirfd = a.fd(2), flags = a[4]
        let old = try a.userPath(1), new = try a.userPath(3)
        try await vfs().link(old, to: new, followOld: flags & AT_SYMLINK_FOLLOW != 0, oldDirectory: try directory(a, oldDirfd, for: old),
                             newDirectory: try directory(a, newDirfd, for: new), context: a.fs)
        return 0
    }

    // MARK: Symbolic links

    /// symlinkat(target, newdirfd, linkpath): the link's path is copied before the target.
    static func symlinkat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let newDirfd = a.fd(1)
        let link = try a.userPath(2)
        _ = try await vfs().symlink(try a.userPath(0), at: link, in: try directory(a, newDirfd, for: link), context: a.fs)
        return 0
    }

    static func readlinkat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), buffer = a.address(2), size = a.int32(3), room = a.count(3)
        guard size > 0 else { throw .EINVAL }                  // bufsiz is an int
        let path = try a.userPath(1)
        let target = try await vfs().readlink(path, at: try directory(a, dirfd, for: path), context: a.fs)
        let n = min(target.count, room)
        try a.user.store(bytes: Array(target[0..<n]), to: buffer)
        return result(n)
    }

    // MARK: Working and root directories

    static func getcwd(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let buffer = a.address(0), size = a.count(1)
        let context = a.fs
        var path = try await vfs().path(of: context.cwd, context: context)
        path.append(0)
        guard path.count <= size else { throw .ERANGE }
        try a.user.store(bytes: path, to: buffer)
        return result(path.count)
    }

    static func chdir(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let p = a.process
        p.fs.cwd = try await vfs().chdir(try a.userPath(0), context: a.fs)
        return 0
    }

    static func fchdir(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        let p = a.process
        let location = try p.file(fd).location
        try vfs().checkWorkingDirectory(location, context: a.fs)
        p.fs.cwd = location
        return 0
    }

    /// The path is resolved before the privilege check, as Linux does (ENOENT before EPERM).
    static func chroot(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let p = a.process
        let location = try await vfs().chdir(try a.userPath(0), context: a.fs)
        guard a.credentials.has(.CAP_SYS_CHROOT) else { throw .EPERM }
        p.fs.root = location
        return 0
    }
}
