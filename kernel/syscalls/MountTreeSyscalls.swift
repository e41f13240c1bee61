import LichenCore
import _Concurrency

/// The mount(2) requests that rearrange existing mounts (MS_BIND, the propagation types, MS_MOVE),
/// umount2's MNT_DETACH, and pivot_root: the kernel half of LichenCore's VFSMountTree.
enum MountTreeSyscalls {
    static let MS_REC: UInt64 = 0x4000, MS_SILENT: UInt64 = 0x8000
    static let MS_UNBINDABLE: UInt64 = 1 << 17, MS_PRIVATE: UInt64 = 1 << 18, MS_SLAVE: UInt64 = 1 << 19, MS_SHARED: UInt64 = 1 << 20
    static let propagationTypes = MS_UNBINDABLE | MS_PRIVATE | MS_SLAVE | MS_SHARED
    private static let refused = ReportOnce(count: 2)

    /// Linux's path_mount order once the target is known: MS_BIND, then a propagation change, then
    /// MS_MOVE. Nil when the request is none of these (a new mount).
    static func mount(source sourceAddress: UserAddr, target: [UInt8], flags: UInt64,
                      _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        guard flags & (MountSyscalls.MS_BIND | MountSyscalls.MS_MOVE | propagationTypes) != 0 else { return nil }
        let vfs = try FileSyscalls.vfs()
        let place = try await vfs.resolve(target, context: a.fs)
        // A file mountpoint is named through its directory (mountinfo).
        var resolver = vfs.resolver(a.fs)
        let placeDirectory = place.metadata.isDirectory ? nil : try await resolver.containingDirectory(target, from: a.fs.cwd)?.directory
        if flags & MountSyscalls.MS_BIND != 0 {
            let (source, directory) = try await sourceLocation(sourceAddress, a)
            let copies = try await vfs.bind(source, sourceDirectory: directory, on: place, targetDirectory: placeDirectory,
                                            recursive: flags & MS_REC != 0)
            for (original, copy) in copies { MountSyscalls.remember(copy, source: MountSyscalls.sourceName(of: original)) }
        } else if flags & propagationTypes != 0 {
            try changePropagation(place, flags: flags)
        } else {
            let (source, _) = try await sourceLocation(sourceAddress, a)
            try vfs.move(source, to: place, targetDirectory: placeDirectory)
        }
        return 0
    }

    /// do_change_type: exactly one propagation type (MS_REC aside). Every Lichen mount is private,
    /// so MS_PRIVATE, and MS_SLAVE (a private mount made a slave of nothing stays private), change
    /// nothing; shared and unbindable mounts do not exist (EINVAL, logged once).
    private static func changePropagation(_ place: Location, flags: UInt64) throws(Errno) {
        guard place.isMountRoot else { throw .EINVAL }
        let kept = flags & ~(MS_REC | MS_SILENT | MountFlags.perMount.rawValue)
        guard kept.nonzeroBitCount == 1 else { throw .EINVAL }
        if kept == MS_PRIVATE || kept == MS_SLAVE { return }
        if refused.first(0) { KernelLog.warning("mount: shared and unbindable mounts are not supported: EINVAL") }
        throw .EINVAL
    }

    /// The source of a bind or move (followed, crossed down): EINVAL for none or an empty one; for
    /// a non-directory also the directory holding it.
    private static func sourceLocation(_ address: UserAddr, _ a: SyscallArguments) async throws(Errno) -> (Location, Location?) {
        guard address.value != 0 else { throw .EINVAL }
        let path = try a.user.string(at: address)
        guard !path.isEmpty else { throw .EINVAL }
        let vfs = try FileSyscalls.vfs()
        let location = try await vfs.resolve(path, context: a.fs)
        if location.metadata.isDirectory { return (location, nil) }
        var resolver = vfs.resolver(a.fs)
        return (location, try await resolver.containingDirectory(path, from: a.fs.cwd)?.directory)
    }

    /// umount2(MNT_DETACH): the mount and those under it leave the namespace now, busy or not.
    static func detach(_ target: Location) throws(Errno) {
        try FileSyscalls.vfs().detach(target)
        MountSyscalls.forgetUnmounted()
    }

    /// pivot_root(new_root, put_old): both directories (ENOTDIR), resolved before the checks of
    /// VFS.pivotRoot; then every process rooted or working at the old root moves to the new one
    /// (chroot_fs_refs).
    static func pivot_root(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        guard a.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let vfs = try FileSyscalls.vfs()
        let newRoot = try await vfs.resolve(try a.userPath(0), context: a.fs)
        guard newRoot.metadata.isDirectory else { throw .ENOTDIR }
        let putOld = try await vfs.resolve(try a.userPath(1), context: a.fs)
        guard putOld.metadata.isDirectory else { throw .ENOTDIR }
        let oldRoot = a.fs.root
        let root = try await vfs.pivotRoot(newRoot, putOld: putOld, root: oldRoot)
        for p in Processes.all() {
            var fs = p.fs
            let moveRoot = fs.root == oldRoot, moveCwd = fs.cwd == oldRoot
            guard moveRoot || moveCwd else { continue }
            if moveRoot { fs.root = root }
            if moveCwd { fs.cwd = root }
            p.fs = fs
        }
        return 0
    }
}
