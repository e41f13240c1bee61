import _Concurrency

// The working directory: chdir and getcwd.
extension VFS {
    /// chdir: the directory `path` names, which the caller may search; store it as the cwd.
    public func chdir(_ path: [UInt8], at directory: Location? = nil, context: FSContext) async throws(Errno) -> Location {
        let location = try await resolve(path, at: directory, context: context)
        try checkWorkingDirectory(location, context: context)
        return location
    }

    /// fchdir's checks: a directory (ENOTDIR) the caller may search (EACCES).
    public func checkWorkingDirectory(_ location: Location, context: FSContext) throws(Errno) {
        let metadata = location.metadata
        guard metadata.isDirectory else { throw .ENOTDIR }
        try context.credentials.check(.execute, metadata)
    }

    /// getcwd: the path from the context root to `location` (the cwd if nil), found by climbing
    /// ".." and looking for each directory's name in its parent. ENOENT if it was removed.
    public func path(of location: Location? = nil, context: FSContext) async throws(Errno) -> [UInt8] {
        var current = location ?? context.cwd
        if current.metadata.nlink == 0 { throw .ENOENT }
        var components: [[UInt8]] = []
        while !(current == context.root) {
            if current.isMountRoot {
                let mount = current.mount
                guard let up = mount.mountedOn else { break }  // outside the context root
                current = up
                if !up.metadata.isDirectory, let directory = mount.mountpointDirectory {
                    components.append(try await name(of: up.inode, in: directory))      // a file bind mount
                    current = Location(mount: up.mount, inode: directory)
                }
                continue
            }
            let parent = Location(mount: current.mount, inode: try await current.inode.lookup(dotDotName))
            components.append(try await name(of: current.inode, in: parent.inode))
            current = parent
        }
        return PathName.join(components.reversed())
    }

    /// The name of `child` in `directory` (by inode number).
    public func name(of child: any Inode, in directory: any Inode) async throws(Errno) -> [UInt8] {
        let ino = child.metadata.ino
        var found: [UInt8]?
        try await directory.readdir(from: 0) { entry in
            if entry.ino == ino && entry.name != dotName && entry.name != dotDotName {
                found = entry.name
                return false
            }
            return true
        }
        guard let found else { throw .ENOENT }
        return found
    }

    /// Where `mount` is attached, as a path from the context root (for /proc/mounts).
    public func path(of mount: Mount, context: FSContext) async throws(Errno) -> [UInt8] {
        try await path(of: Location(mount: mount, inode: mount.root), context: context)
    }
}
