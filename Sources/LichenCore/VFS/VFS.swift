// The virtual filesystem: Linux's file model over pluggable filesystems.
//
// DESIGN
// - Inodes (`Inode`, a class-bound protocol) are the files of a filesystem; their operations are
//   async and throw `Errno`. Names and paths are byte arrays (`[UInt8]`), compared as bytes.
//   There is no dentry cache: a filesystem's directory lookup is the cache (tmpfs is in memory);
//   `..` is a lookup the filesystem answers (tmpfs keeps a parent pointer per directory).
// - A `Location` is (mount, inode): Linux's struct path. Mounts (`Mount`, `MountTable`) cover a
//   directory of a parent mount with another filesystem's root; the walk crosses down into them,
//   and `..` from a mount's root climbs to the covered directory first (`..` at the context root
//   stays there).
// - `PathResolver` walks paths (namei): absolute or relative to a start location, search (x)
//   permission on each directory, symlinks followed up to 40 per walk (ELOOP), the last
//   component followed or not (O_NOFOLLOW / AT_SYMLINK_NOFOLLOW), a trailing slash requiring a
//   directory (and following a final symlink), ENAMETOOLONG past NAME_MAX/PATH_MAX.
// - The `VFS` object owns the mount table and the device registry, and implements the
//   path-based system calls (open, mkdir, mknod, symlink, link, unlink, rmdir, rename, stat,
//   chmod, chown, truncate, utimens, access, readlink, statfs, chdir, getcwd, mount, umount). Each takes
//   the caller's `FSContext` (root, cwd, credentials, umask) and an optional start directory
//   (the *at() dirfd; nil means the cwd). The VFS does the permission checks (generic_permission,
//   may_create, may_delete with the sticky bit, setgid directories, chmod/chown rules); the
//   filesystem enforces structure atomically (EEXIST, ENOTEMPTY, rename loops, rename types).
// - Umask: the VFS applies it (`mode & ~context.umask`) when it creates a file, directory, node
//   (not symlinks, which are always 0777); the kernel passes the process umask in the context.
// - Time: there is no global clock in the core: a filesystem gets a `VFSClock` closure when it
//   is created and stamps atime/mtime/ctime with it as POSIX says.
// - `OpenFile` is the open file description (struct file): position (async mutex, shared by
//   dup/fork), access mode and status flags; close-on-exec lives in the descriptor table
//   (`FileDescriptorTable<OpenFile>`, Process/). O_PATH gives a location-only handle.
//   Special files plug in through `FileOperations` (class-bound):
//   opening a character or block device node looks its number up in the `DeviceRegistry`
//   (ENXIO if no driver registered it). `OpenFile.readDirectory` produces linux_dirent64.
// - Locking: spinlocks (`RawSpinLock`/`SpinLock`) for the short sections on an inode's fields;
//   async `Mutex` where an operation may sleep while holding it: a file description's position,
//   a tmpfs file's writers (i_rwsem), a tmpfs instance's namespace changes (s_vfs_rename_mutex,
//   also serializing creates and removals so rename's loop and emptiness checks are atomic).
// - tmpfs (`Tmpfs`): in-memory inodes, file data in sparse 4 KiB pages, byte accounting and an
//   optional size limit (short writes, then ENOSPC), hard links, directory nlink = 2 +
//   subdirectories, Linux's directory sizes (20 bytes an entry). Directories are sorted arrays,
//   not hash tables: Embedded Swift's Dictionary pulls in floating point and a random seed.
//   devfs (`Devfs`) is a tmpfs populated with the standard device nodes; null, zero, full,
//   random and urandom are `FileOperations` registered in the device registry.
// - Pipes (IPC/): `PipeBuffer` is the sans-IO state (64 KiB ring, PIPE_BUF atomicity, end counts);
//   `Pipe` is the FileOperations of both ends, sleeping on one Event. Anonymous pipes live on
//   pipefs (`PipeFileSystem`); a named FIFO's pipe comes from the namespace's `FifoTable` while it
//   is open (Linux's open rules in `Pipe.open`). poll/select use `FileOperations.poll` (readiness
//   now) and `pollQueue` (what to sleep on with `waitAny`); files without operations are always
//   ready. `Inode.jumpTarget` gives procfs magic links (/proc/<pid>/fd/N) and
//   `FSContext.processID` answers /proc/self; procfs itself lives in the kernel (kernel/fs/procfs).
// - Bind mounts, MS_MOVE, lazy unmounts and pivot_root: VFSMountTree.swift.
// - Not yet: RENAME_EXCHANGE, O_TMPFILE, sockets, file locks, xattrs/ACLs, atime policies (atime is always
//   updated, strictatime), clearing setuid/setgid on write, inode limits.

import _Concurrency

/// The filesystem namespace: mounts, devices, and the path-based operations (in extensions).
public final class VFS: Sendable {
    public let mounts = MountTable()
    public let devices = DeviceRegistry()
    /// The pipes of the namespace's open FIFOs.
    public let fifos = FifoTable()
    public let rootMount: Mount

    /// A namespace whose root is `fileSystem`.
    public init(root fileSystem: any FileSystem) {
        rootMount = Mount(fileSystem: fileSystem, parent: nil, mountpoint: nil)
        mounts.add(rootMount)
    }

    /// The namespace root.
    public var root: Location { Location(mount: rootMount, inode: rootMount.root) }

    /// A context at the root, with the given credentials and umask.
    public func context(credentials: Credentials = .root, umask: UInt32 = 0o022) -> FSContext {
        FSContext(root: root, credentials: credentials, umask: umask)
    }

    /// A path walker for `context`.
    public func resolver(_ context: FSContext) -> PathResolver {
        PathResolver(mounts: mounts, context: context)
    }

    /// Resolves `path` from `directory` (the cwd if nil).
    public func resolve(_ path: [UInt8], at directory: Location? = nil, followLast: Bool = true,
                        context: FSContext) async throws(Errno) -> Location {
        var r = resolver(context)
        return try await r.resolve(path, from: directory ?? context.cwd, followLast: followLast)
    }

    // MARK: mounting

    /// Mounts `fileSystem` on the directory `path` names (superuser only).
    @discardableResult
    public func mount(_ fileSystem: any FileSystem, on path: [UInt8], at directory: Location? = nil,
                      flags: MountFlags = [.relAtime], context: FSContext) async throws(Errno) -> Mount {
        guard context.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let target = try await resolve(path, at: directory, context: context)
        return try mount(fileSystem, on: target, flags: flags)
    }

    /// Mounts `fileSystem` on `target` (a directory).
    @discardableResult
    public func mount(_ fileSystem: any FileSystem, on target: Location, flags: MountFlags = [.relAtime]) throws(Errno) -> Mount {
        guard target.metadata.isDirectory else { throw .ENOTDIR }
        let mount = Mount(fileSystem: fileSystem, parent: target.mount, mountpoint: target.inode, flags: flags)
        mounts.add(mount)
        return mount
    }

    /// umount: `path` must name the root of a mount (EINVAL); EBUSY if something is mounted on it.
    public func unmount(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) {
        guard context.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let target = try await resolve(path, at: directory, context: context)
        guard target.isMountRoot else { throw .EINVAL }
        try mounts.remove(target.mount)
        fileSystemUnmounted(target.mount.fileSystem)
    }

    /// IN_UNMOUNT once the filesystem's last mount is gone (a bind mount's removal leaves it).
    func fileSystemUnmounted(_ fileSystem: any FileSystem) {
        if !mounts.all.contains(where: { $0.fileSystem === fileSystem }) { FsNotify.shared.unmounted(fileSystem) }
    }
}
