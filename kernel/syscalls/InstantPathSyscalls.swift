import LichenCore

/// The instant attempts (`instantFirst:` in SyscallTable.swift) of stat and open: a short path
/// copied into the thread's kept buffer and walked in place (InstantPathWalk), without an async
/// frame or a heap allocation. Each finishes the call as the sleeping handler would, or returns nil
/// having changed nothing (an unusual flag, a long path, "..", a symlink, any error), and the
/// sleeping handler then runs it from the start.
enum InstantPathSyscalls {
    static let AT_FDCWD = FileSyscalls.AT_FDCWD
    static let AT_SYMLINK_NOFOLLOW = FileSyscalls.AT_SYMLINK_NOFOLLOW
    static let AT_NO_AUTOMOUNT = FileAttributeSyscalls.AT_NO_AUTOMOUNT

    static func newfstatat(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        let dirfd = a.fd(0), buffer = a.address(2), flags = a[3]
        guard flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) == 0,
              let status = statNow(a, dirfd: dirfd, followLast: flags & AT_SYMLINK_NOFOLLOW == 0) else { return nil }
        try a.user.store(FileAttributeSyscalls.linuxStat(status), to: buffer)
        return 0
    }

    static func statx(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        let dirfd = a.fd(0), flags = a[2], mask = a.uint32(3), buffer = a.address(4)
        guard flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT) == 0, mask & FileAttributeSyscalls.STATX__RESERVED == 0,
              let status = statNow(a, dirfd: dirfd, followLast: flags & AT_SYMLINK_NOFOLLOW == 0) else { return nil }
        try a.user.store(LinuxStatx(FileAttributeSyscalls.linuxStat(status)), to: buffer)
        return 0
    }

    /// The status of the file the path in argument 1 names, if the instant walk finds it.
    private static func statNow(_ a: SyscallArguments, dirfd: Int32, followLast: Bool) -> FileStatus? {
        guard let vfs = RootFilesystem.vfs else { return nil }
        return withShortPath(a) { (path: UnsafeRawBufferPointer) -> FileStatus? in
            guard let start = startDirectory(a, dirfd, path) else { return nil }
            guard let (location, metadata) = InstantPathWalk.resolve(path, from: start, credentials: a.credentials,
                                                                     mounts: vfs.mounts, followLast: followLast) else { return nil }
            return FileStatus(metadata, device: location.mount.fileSystem.device, blockSize: location.mount.fileSystem.preferredBlockSize)
        }
    }

    static func openat(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        let dirfd = a.fd(0), flags = FileSyscalls.forcingLargeFile(LinuxArch.openFlags(fromUser: a.uint32(2)))
        guard flags.isSubset(of: .instantOpen), let vfs = RootFilesystem.vfs, !Leases.anyHeld else { return nil }
        let opened = withShortPath(a) { (path: UnsafeRawBufferPointer) -> OpenFile? in
            let credentials = a.credentials
            guard let start = startDirectory(a, dirfd, path),
                  let (location, metadata) = InstantPathWalk.resolve(path, from: start, credentials: credentials,
                                                                     mounts: vfs.mounts, followLast: !flags.contains(.O_NOFOLLOW)),
                  let file = vfs.openNow(location, metadata: metadata, flags: flags, credentials: credentials) else { return nil }
            file.pathHint = (start, Array(path))                 // for /proc/<pid>/fd, as openat
            return file
        }
        guard let opened else { return nil }
        return result(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(opened, closeOnExec: flags.contains(.O_CLOEXEC))
        })
    }

    /// Where the walk starts: the root for an absolute path (which ignores the fd, even an invalid
    /// one, as Linux and FileSyscalls.directory), the fd's directory or the working directory for a
    /// relative one; nil for a bad fd (the sleeping handler says which error). The credentials the
    /// walk checks are the thread's own (`a.credentials`): `a.fs` carries the same ones (the
    /// leader's are the process's copy of them), so the whole FSContext is not copied here.
    private static func startDirectory(_ a: SyscallArguments, _ dirfd: Int32, _ path: UnsafeRawBufferPointer) -> Location? {
        let absolute = path.first == UInt8(ascii: "/")
        if dirfd == AT_FDCWD || absolute { return a.process.walkStart(absolute: absolute) }
        return try? a.process.file(dirfd).location
    }

    /// Runs `body` on the NUL-terminated path in argument 1 copied into the thread's kept buffer;
    /// nil if it is empty, longer than the buffer or not readable as it stands (no fault resolved here).
    private static func withShortPath<R>(_ a: SyscallArguments, _ body: (UnsafeRawBufferPointer) -> R?) -> R? {
        let address = a.address(1), space = a.thread.memory.space
        let limit = Thread.smallStagingBytes
        guard let length = try? UserAccess.stringLength(at: address, limit: limit, in: space), length > 0,
              let staging = try? a.thread.stagingBuffer(count: limit) else { return nil }
        return staging.withBytes(0..<length) { (b: UnsafeMutableRawBufferPointer) -> R? in
            guard (try? UserAccess.copyIn(b, from: address, in: space)) != nil else { return nil }
            return body(UnsafeRawBufferPointer(b))
        }
    }
}
