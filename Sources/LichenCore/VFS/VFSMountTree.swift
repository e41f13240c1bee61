import _Concurrency

// Rearranging mounts: bind mounts, MS_MOVE, lazy unmounts and pivot_root (fs/namespace.c's
// do_loopback, do_move_mount, umount_tree and pivot_root). The caller has checked CAP_SYS_ADMIN
// and resolved the paths (targets crossed down to their topmost mount, as lock_mount does).
extension VFS {
    /// mount(MS_BIND): the file or directory `source` also appears at `target` (a file on a file, a
    /// directory on a directory: ENOTDIR otherwise), with its mount's options; `recursive` (MS_REC)
    /// copies the mounts under it too. `sourceDirectory` is the directory holding a non-directory
    /// source (for mountinfo's root field), `targetDirectory` the one holding a non-directory
    /// target (to name it). EINVAL for a source not in the namespace. Returns the new mounts with
    /// the ones they copy, the top one first.
    @discardableResult
    public func bind(_ source: Location, sourceDirectory: Location? = nil, on target: Location,
                     targetDirectory: Location? = nil, recursive: Bool) async throws(Errno) -> [(original: Mount, copy: Mount)] {
        guard mounts.contains(source.mount), mounts.contains(target.mount) else { throw .EINVAL }
        if source.metadata.isDirectory != target.metadata.isDirectory { throw .ENOTDIR }
        let rootPath = await pathInFileSystem(source, directory: sourceDirectory)
        let top = Mount(fileSystem: source.mount.fileSystem, root: source.inode, rootPath: rootPath,
                        parent: target.mount, mountpoint: target.inode, flags: source.mount.flags)
        // copy_tree: the mounts below the source (those inside the bound subtree), parents first.
        var copies: [(original: Mount, copy: Mount)] = [(source.mount, top)]
        var i = 0
        while recursive && i < copies.count {
            let (original, copy) = copies[i]
            i += 1
            for child in mounts.children(of: original) {
                guard let point = child.mountpoint else { continue }
                if original === source.mount {
                    guard (try? await isAncestor(source.inode, of: Location(mount: original, inode: point))) == true else { continue }
                }
                copies.append((child, Mount(fileSystem: child.fileSystem, root: child.root, rootPath: child.rootPath,
                                            parent: copy, mountpoint: point, flags: child.flags)))
            }
        }
        if !target.metadata.isDirectory { top.attach(to: target, directory: targetDirectory?.inode) }
        for (_, copy) in copies { mounts.add(copy) }
        return copies
    }

    /// mount(MS_MOVE): the mount whose root is `source` now sits on `target`. EINVAL if `source` is
    /// not a mount's root, is the namespace root or was unmounted, or if one is a directory and the
    /// other not; ELOOP for a target below the source.
    public func move(_ source: Location, to target: Location, targetDirectory: Location? = nil) throws(Errno) {
        guard source.isMountRoot, mounts.contains(target.mount) else { throw .EINVAL }
        if source.metadata.isDirectory != target.metadata.isDirectory { throw .EINVAL }
        try mounts.move(source.mount, to: target, directory: targetDirectory?.inode)
    }

    /// umount2(MNT_DETACH) of the mount whose root is `target`: it and everything under it leave
    /// the namespace; whoever is inside keeps using them. EINVAL if `target` is not a mount root.
    public func detach(_ target: Location) throws(Errno) {
        guard target.isMountRoot else { throw .EINVAL }
        try mounts.detach(target.mount)
        fileSystemUnmounted(target.mount.fileSystem)
    }

    /// pivot_root(new_root, put_old) for a caller whose root is `root`: the mount of `newRoot` takes
    /// the root mount's place and the root mount goes onto `putOld`. Linux's checks in its order:
    /// EBUSY when either is on the root's own mount; EINVAL when the root or `newRoot` is not a
    /// mount root, not attached, or `putOld` is not under `newRoot`, or `newRoot` not under the
    /// root. Returns the new root (the caller moves every process rooted or working at `root`).
    public func pivotRoot(_ newRoot: Location, putOld: Location, root: Location) async throws(Errno) -> Location {
        guard mounts.contains(root.mount), mounts.contains(newRoot.mount) else { throw .EINVAL }
        if newRoot.metadata.nlink == 0 { throw .ENOENT }
        if newRoot.mount === root.mount || putOld.mount === root.mount { throw .EBUSY }
        guard root.isMountRoot, root.mount.parent != nil else { throw .EINVAL }
        guard newRoot.isMountRoot, newRoot.mount.parent != nil else { throw .EINVAL }
        guard await isReachable(putOld, from: newRoot), await isReachable(newRoot, from: root) else { throw .EINVAL }
        try mounts.pivot(newRoot: newRoot.mount, oldRoot: root.mount, putOld: putOld)
        return newRoot
    }

    /// is_path_reachable: whether `location` is `root` or below it, climbing through mounts.
    public func isReachable(_ location: Location, from root: Location) async -> Bool {
        var current = location
        while current.mount !== root.mount {
            guard let up = current.mount.mountedOn else { return false }
            if !up.metadata.isDirectory, let directory = current.mount.mountpointDirectory {
                current = Location(mount: up.mount, inode: directory)           // a file bind mount
            } else {
                current = up
            }
        }
        return (try? await isAncestor(root.inode, of: current)) == true
    }

    /// `location`'s path from `context.root`, or nil if it is not below it (mountinfo skips such
    /// mounts, as Linux's seq_path_root).
    public func reachablePath(of location: Location, context: FSContext) async -> [UInt8]? {
        guard await isReachable(location, from: context.root) else { return nil }
        return try? await path(of: location, context: context)
    }

    /// The path of `location` inside its filesystem, mounts ignored: "/" for the filesystem's root.
    /// A non-directory is named in `directory`.
    func pathInFileSystem(_ location: Location, directory: Location?) async -> [UInt8] {
        var components: [[UInt8]] = []
        var current = location.inode
        if !location.metadata.isDirectory {
            guard let directory, let name = try? await name(of: current, in: directory.inode) else { return [0x2f] }
            components.append(name)
            current = directory.inode
        }
        while current !== location.mount.fileSystem.root {
            guard let up = try? await current.lookup(dotDotName), up !== current,
                  let name = try? await name(of: current, in: up) else { break }
            components.append(name)
            current = up
        }
        return PathName.join(components.reversed())
    }
}
