/// The path walk of the instant syscalls (stat, open of an existing file): the common walk, down
/// through directories whose filesystem answers `Inode.lookupNow` (tmpfs, devfs), done in place on
/// the path's bytes without allocating or sleeping. It gives the same location `PathResolver`
/// would, or nil whenever anything needs more: "..", a symbolic link to follow, a lookup the
/// filesystem cannot answer now, and every failure (the full walk then reports the error in
/// Linux's order). PathResolver stays the one definition of the rules; this is its fast subset.
public enum InstantPathWalk {
    /// The location and a snapshot of its metadata (each inode's is read once: a directory's
    /// snapshot serves its search check, a file's the caller's stat).
    public static func resolve(_ path: UnsafeRawBufferPointer, from start: Location, context: FSContext,
                               mounts: MountTable, followLast: Bool) -> (location: Location, metadata: InodeMetadata)? {
        let isAbsolute = path.count > 0 && path[0] == slash
        return resolve(path, from: isAbsolute ? context.root : start, credentials: context.credentials, mounts: mounts,
                       followLast: followLast)
    }

    /// `resolve` from `start`, which is the caller's root when `path` is absolute: the syscalls
    /// pass only the directory and the credentials the walk reads, not a copy of the whole
    /// `FSContext` (its two locations and the credentials: a retain and a release each).
    public static func resolve(_ path: UnsafeRawBufferPointer, from start: Location, credentials: Credentials,
                               mounts: MountTable, followLast: Bool) -> (location: Location, metadata: InodeMetadata)? {
        let count = path.count
        guard count > 0, count < PathLimits.pathMax else { return nil }
        let isAbsolute = path[0] == slash
        var current = start
        // Directories on the way need only their permissions; the last inode's whole metadata is
        // read once, for the caller (nil until then: a path of "/" or ending in "." reads it at the end).
        var permissions = current.inode.permissions
        var metadata: InodeMetadata? = nil
        if !isAbsolute && !permissions.isDirectory { return nil }
        let trailingSlash = path[count - 1] == slash
        var i = 0
        while true {
            while i < count && path[i] == slash { i += 1 }          // empty components
            if i == count { break }
            let begin = i
            while i < count && path[i] != slash { i += 1 }
            guard i - begin <= PathLimits.nameMax else { return nil }
            var next = i
            while next < count && path[next] == slash { next += 1 }
            let last = next == count
            let name = UnsafeRawBufferPointer(rebasing: path[begin..<i])
            // One component, as PathResolver.step.
            guard permissions.isDirectory, credentials.permits(.execute, permissions) else { return nil }
            if name.count <= 2 && name[0] == dot && (name.count == 1 || name[1] == dot) {
                if name.count == 2 { return nil }                   // "..": the full walk (mounts, the root)
                continue                                            // ".": stays
            }
            guard let child = current.inode.lookupNow(name) else { return nil }
            current = mounts.crossDown(Location(mount: current.mount, inode: child))
            if last {
                let m = current.metadata
                metadata = m
                permissions = InodePermissions(m)
            } else {
                permissions = current.inode.permissions
            }
            if (!last || followLast || trailingSlash) && permissions.isSymbolicLink { return nil }
        }
        if trailingSlash && !permissions.isDirectory { return nil }
        return (current, metadata ?? current.metadata)
    }

    private static let dot = UInt8(ascii: ".")
}
