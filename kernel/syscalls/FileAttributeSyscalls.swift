import LichenCore
import _Concurrency

/// What a file is and who may use it: stat, statx, access checks, mode and owner changes, size
/// (truncate, fallocate) and timestamps (utimensat).
enum FileAttributeSyscalls {
    static let AT_FDCWD = FileSyscalls.AT_FDCWD
    static let AT_SYMLINK_NOFOLLOW = FileSyscalls.AT_SYMLINK_NOFOLLOW, AT_EMPTY_PATH = FileSyscalls.AT_EMPTY_PATH
    /// faccessat2: check with the effective ids (the same bit as AT_REMOVEDIR).
    static let AT_EACCESS: UInt64 = 0x200
    static let AT_NO_AUTOMOUNT: UInt64 = 0x800, AT_STATX_SYNC_TYPE: UInt64 = 0x6000, STATX__RESERVED: UInt32 = 0x8000_0000
    /// access modes (F_OK is none of them).
    static let R_OK: UInt64 = 4, W_OK: UInt64 = 2, X_OK: UInt64 = 1

    private static func vfs() throws(Errno) -> VFS { try FileSyscalls.vfs() }
    private static func directory(_ a: SyscallArguments, _ fd: Int32, for path: [UInt8]) throws(Errno) -> Location? {
        try FileSyscalls.directory(a, fd, for: path)
    }

    // MARK: stat

    static func newfstatat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), path = a.address(1), buffer = a.address(2), flags = a[3]
        guard flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH) == 0 else { throw .EINVAL }
        let status = try await statAt(a, fd: dirfd, path: path, flags: flags)
        try a.user.store(linuxStat(status), to: buffer)
        return 0
    }

    static func statx(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), path = a.address(1), flags = a[2], mask = a.uint32(3), buffer = a.address(4)
        guard flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) == 0,
              flags & AT_STATX_SYNC_TYPE != AT_STATX_SYNC_TYPE, mask & STATX__RESERVED == 0 else { throw .EINVAL }
        let status = try await statAt(a, fd: dirfd, path: path, flags: flags)
        try a.user.store(LinuxStatx(linuxStat(status)), to: buffer)
        return 0
    }

    static func fstat(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1)
        try a.user.store(linuxStat(try a.process.file(fd).status), to: buffer)
        return 0
    }

    /// The status newfstatat and statx report: "" with AT_EMPTY_PATH is the fd's file (or the cwd).
    static func statAt(_ a: SyscallArguments, fd: Int32, path: UserAddr, flags: UInt64) async throws(Errno) -> FileStatus {
        let name = try a.user.string(at: path)
        if name.isEmpty {
            guard flags & AT_EMPTY_PATH != 0 else { throw .ENOENT }
            if fd == AT_FDCWD { return a.fs.cwd.status }
            return try a.process.file(fd).status
        }
        return try await vfs().stat(name, at: try directory(a, fd, for: name), followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.fs)
    }

    static func linuxStat(_ s: FileStatus) -> LinuxStat {
        LinuxStat(device: s.device.encoded, inode: s.ino, mode: s.mode, links: s.nlink, uid: s.uid, gid: s.gid,
                  rdev: s.rdev.encoded, size: s.size, blockSize: s.blockSize, blocks: s.blocks,
                  accessed: LinuxTimespec(tv_sec: s.atime.seconds, tv_nsec: s.atime.nanoseconds),
                  modified: LinuxTimespec(tv_sec: s.mtime.seconds, tv_nsec: s.mtime.nanoseconds),
                  changed: LinuxTimespec(tv_sec: s.ctime.seconds, tv_nsec: s.ctime.nanoseconds))
    }

    // MARK: Access checks

    /// faccessat has no flags argument: the real ids, symlinks followed.
    static func faccessat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), mode = a[2]
        try await access(a, dirfd: dirfd, mode: mode, flags: 0)
        return 0
    }

    static func faccessat2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), mode = a[2], flags = a[3]
        try await access(a, dirfd: dirfd, mode: mode, flags: flags)
        return 0
    }

    /// The real ids unless AT_EACCESS; AT_SYMLINK_NOFOLLOW checks a symlink itself; AT_EMPTY_PATH
    /// with "" checks the fd's file. The path is argument 1.
    private static func access(_ a: SyscallArguments, dirfd: Int32, mode: UInt64, flags: UInt64) async throws(Errno) {
        guard mode & ~(R_OK | W_OK | X_OK) == 0, flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 else { throw .EINVAL }
        let wanted = Access(rawValue: UInt32(mode))
        let path = try a.userPath(1)
        let effective = flags & AT_EACCESS != 0
        if path.isEmpty {
            guard flags & AT_EMPTY_PATH != 0 else { throw .ENOENT }
            let location = dirfd == AT_FDCWD ? a.fs.cwd : try a.process.file(dirfd).location
            let credentials = a.fs.credentials
            try (effective ? credentials : credentials.forRealIDs).check(wanted, location.metadata)
            return
        }
        try await vfs().access(path, mode: wanted, at: try directory(a, dirfd, for: path), effectiveIDs: effective,
                               followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.fs)
    }

    // MARK: Mode and owner

    /// fchmodat(dirfd, path, mode): the flags argument of the C library is not the kernel's.
    static func fchmodat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), mode = UInt32(a[2] & 0o7777)
        let path = try a.userPath(1)
        try await vfs().chmod(path, mode: mode, at: try directory(a, dirfd, for: path), context: a.fs)
        return 0
    }

    static func fchmod(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), mode = UInt32(a[1] & 0o7777)
        let file = try a.process.file(fd)
        try await vfs().chmod(file.location, mode: mode, context: a.fs, parent: file.notifyParent)
        return 0
    }

    static func fchownat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), uid = owner(a[2]), gid = owner(a[3]), flags = a[4]
        let path = try a.userPath(1)
        try await vfs().chown(path, uid: uid, gid: gid, at: try directory(a, dirfd, for: path),
                              followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.fs)
        return 0
    }

    static func fchown(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), uid = owner(a[1]), gid = owner(a[2])
        let file = try a.process.file(fd)
        try await vfs().chown(file.location, uid: uid, gid: gid, context: a.fs, parent: file.notifyParent)
        return 0
    }

    /// An owner argument: -1 (as a 32-bit id) leaves that id unchanged (nil).
    static func owner(_ raw: UInt64) -> UInt32? {
        let v = UInt32(truncatingIfNeeded: raw)
        return v == UInt32.max ? nil : v
    }

    // MARK: Size

    static func truncate(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let length = a.int(1)
        try await vfs().truncate(try a.userPath(0), size: length, context: a.fs)
        return 0
    }

    static func ftruncate(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), length = a.int(1)
        let file = try a.process.file(fd)
        try await file.truncate(to: length)
        try await file.location.inode.removeSetIDBits(writtenBy: a.credentials)
        return 0
    }

    static func fallocate(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), mode = a.uint32(1), offset = a.int(2), length = a.int(3)
        let file = try a.process.file(fd)
        do throws(Errno) {
            try await file.allocate(mode: mode, offset: offset, length: length)
        } catch {
            if error == .EOPNOTSUPP && mode & ~(OpenFile.FALLOC_FL_KEEP_SIZE | OpenFile.FALLOC_FL_PUNCH_HOLE) == 0
                && fallocateReported.first(0) {
                KernelLog.warning("fallocate: only tmpfs reserves or frees space; this filesystem answers EOPNOTSUPP")
            }
            throw error
        }
        return 0
    }
    private static let fallocateReported = ReportOnce(count: 1)

    // MARK: Timestamps

    /// utimensat(dirfd, path, times, flags): a null path changes the fd's own file (futimens), null
    /// times set both to now.
    static func utimensat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), path = a.address(1), times = a.address(2), flags = a[3]
        var changes: (TimeChange?, TimeChange?) = (.now, .now)
        if times.value != 0 {
            func decode(_ t: LinuxTimespec) -> TimeChange? {
                if t.tv_nsec == LinuxTimespec.UTIME_NOW { return .now }
                if t.tv_nsec == LinuxTimespec.UTIME_OMIT { return nil }
                return .time(Timespec(seconds: t.tv_sec, nanoseconds: t.tv_nsec))
            }
            changes = (decode(try a.user.load(LinuxTimespec.self, from: times)),
                       decode(try a.user.load(LinuxTimespec.self, from: times + 16)))
        }
        if path.value == 0 {
            let file = try a.process.file(dirfd)
            try await vfs().utimens(file.location, atime: changes.0, mtime: changes.1, context: a.fs, parent: file.notifyParent)
        } else {
            let name = try a.user.string(at: path)
            try await vfs().utimens(name, atime: changes.0, mtime: changes.1, at: try directory(a, dirfd, for: name),
                                    followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.fs)
        }
        return 0
    }
}
