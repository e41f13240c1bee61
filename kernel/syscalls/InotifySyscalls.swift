import LichenCore

/// inotify_init1, inotify_add_watch, inotify_rm_watch: instances and watches of `FsNotify`, which the
/// VFS feeds with events.
enum InotifySyscalls {
    static let IN_CLOEXEC: UInt64 = 0o2000000, IN_NONBLOCK: UInt64 = 0o4000

    static func inotify_init1(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags & ~(IN_CLOEXEC | IN_NONBLOCK) == 0 else { throw .EINVAL }
        let instance = try FsNotify.shared.newInstance(uid: a.fs.credentials.uid)
        // Read-only, as Linux's anon_inode_getfile(O_RDONLY | flags).
        let file = OpenFile(location: PipeFileSystem.shared.newLocation(nil),
                            flags: flags & IN_NONBLOCK != 0 ? [.O_RDONLY, .O_NONBLOCK] : .O_RDONLY, operations: instance)
        return UInt64(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags & IN_CLOEXEC != 0)
        })
    }

    /// Linux's order: the mask's sanity, the descriptor, the path (IN_DONT_FOLLOW, IN_ONLYDIR), read
    /// permission on what it names, then the watch itself.
    static func inotify_add_watch(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), mask = a.uint32(2)
        guard mask & InotifyMask.allBits != 0 else { throw .EINVAL }
        if mask & InotifyMask.IN_MASK_ADD != 0 && mask & InotifyMask.IN_MASK_CREATE != 0 { throw .EINVAL }
        let instance = try instance(a, fd)
        let path = try a.userPath(1)
        let context = a.fs
        let location = try await FileSyscalls.vfs().resolve(path, followLast: mask & InotifyMask.IN_DONT_FOLLOW == 0, context: context)
        if mask & InotifyMask.IN_ONLYDIR != 0 && !location.metadata.isDirectory { throw .ENOTDIR }
        try context.credentials.check(.read, location.metadata)
        let wd = try FsNotify.shared.addWatch(instance, on: location.inode, fileSystem: location.mount.fileSystem, mask: mask)
        return UInt64(UInt32(bitPattern: wd))
    }

    static func inotify_rm_watch(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        try FsNotify.shared.removeWatch(try instance(a, a.fd(0)), wd: a.int32(1))
        return 0
    }

    /// EBADF for no descriptor, EINVAL for one that is not an inotify instance.
    private static func instance(_ a: SyscallArguments, _ fd: Int32) throws(Errno) -> InotifyInstance {
        guard let instance = try a.process.file(fd).operations as? InotifyInstance else { throw .EINVAL }
        return instance
    }
}
