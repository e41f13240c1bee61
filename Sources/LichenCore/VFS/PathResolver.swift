import _Concurrency

/// The calling task's view of the tree and identity: root (chroot) and working directory, the
/// credentials, and the umask (fs_struct + cred). The kernel keeps one per process.
public struct FSContext: Sendable {
    public var root: Location
    public var cwd: Location
    public var credentials: Credentials
    /// Applied by the VFS to the mode of everything created (mode & ~umask).
    public var umask: UInt32
    /// The process walking (0 if none): what procfs's /proc/self names.
    public var processID: Int32 = 0

    public init(root: Location, cwd: Location? = nil, credentials: Credentials = .root, umask: UInt32 = 0o022) {
        self.root = root
        self.cwd = cwd ?? root
        self.credentials = credentials
        self.umask = umask
    }
}

/// One path walk (namei): resolves components from a start directory, crossing mounts, handling
/// "." and "..", following symbolic links (at most 40 per walk: ELOOP), and checking search
/// permission on every directory it passes through.
public struct PathResolver {
    public let mounts: MountTable
    public let context: FSContext
    /// Symbolic links followed so far in this walk.
    public private(set) var linksFollowed = 0
    /// openat2's RESOLVE_* restrictions on this walk (PathResolverRestrictions); none elsewhere.
    public var restrictions: ResolveFlags = []

    public init(mounts: MountTable, context: FSContext) {
        self.mounts = mounts
        self.context = context
    }

    /// Resolves `path` relative to `start` (absolute paths to the context root). The last
    /// component is followed if it is a symbolic link and `followLast` (or the path ends in '/').
    public mutating func resolve(_ path: [UInt8], from start: Location, followLast: Bool = true) async throws(Errno) -> Location {
        try await walk(try PathName(path), from: start, followLast: followLast)
    }

    /// Resolves all but the last component: the directory where a name is created or removed.
    /// The last component is not looked up (nor its permission checked).
    public mutating func resolveParent(_ path: [UInt8], from start: Location) async throws(Errno) -> (parent: Location, last: LastComponent, trailingSlash: Bool) {
        try await resolveParent(try PathName(path), from: start)
    }

    public mutating func resolveParent(_ path: PathName, from start: Location) async throws(Errno) -> (parent: Location, last: LastComponent, trailingSlash: Bool) {
        if !restrictions.isEmpty { try checkAbsolute(path) }
        var current = path.isAbsolute ? context.root : start
        guard let lastName = path.components.last else {
            return (current, .root, false)
        }
        for name in path.components.dropLast() {
            current = try await step(current, name, follow: true)
        }
        guard current.metadata.isDirectory else { throw .ENOTDIR }
        let last: LastComponent
        if lastName == dotName {
            last = .dot
        } else if lastName == dotDotName {
            last = .dotDot
        } else {
            last = .name(lastName)
        }
        return (current, last, path.trailingSlash)
    }

    /// The directory holding the file `path` names, once symbolic links in its last component are
    /// followed, and the file's name there: how /proc/<pid>/exe finds a program run through a link
    /// (`./sh` -> `/bin/busybox`). Nil for paths that end in `.`, `..` or a /proc jump link.
    public mutating func containingDirectory(_ path: [UInt8], from start: Location) async throws(Errno) -> (directory: Location, name: [UInt8])? {
        var (parent, last, _) = try await resolveParent(path, from: start)
        while case .name(let name) = last {
            let entry = try await step(parent, name, follow: false)
            guard entry.metadata.isSymbolicLink else { return (parent, name) }
            if try await entry.inode.jumpTarget(in: context) != nil { return nil }
            (parent, last, _) = try await resolveParent(try await readTarget(entry), from: parent)
        }
        return nil
    }

    /// Follows the symbolic link `link`, found in directory `directory`, to what it names.
    public mutating func follow(_ link: Location, in directory: Location) async throws(Errno) -> Location {
        try checkMayFollow(link, in: directory)
        let jump = try await link.inode.jumpTarget(in: context)
        if !restrictions.isEmpty { try checkFollow(link, jump: jump) }
        if let jump {
            linksFollowed += 1
            if linksFollowed > PathLimits.maxSymlinks { throw .ELOOP }
            return jump
        }
        let target = try await readTarget(link)
        return try await walk(target, from: directory, followLast: true)
    }

    /// fs.protected_symlinks: EACCES for a link planted in a sticky world-writable directory.
    public func checkMayFollow(_ link: Location, in directory: Location) throws(Errno) {
        if !context.credentials.mayFollowLink(link.metadata, in: directory.metadata, mounts.linkProtection) { throw .EACCES }
    }

    /// Counts one more link followed (ELOOP past 40) and parses its target.
    public mutating func readTarget(_ link: Location) async throws(Errno) -> PathName {
        if restrictions.contains(.noSymlinks) { throw .ELOOP }
        linksFollowed += 1
        if linksFollowed > PathLimits.maxSymlinks { throw .ELOOP }
        await link.accessed()
        return try PathName(try await link.inode.readlink(in: context))
    }

    mutating func walk(_ path: PathName, from start: Location, followLast: Bool) async throws(Errno) -> Location {
        if !restrictions.isEmpty { try checkAbsolute(path) }
        var current = path.isAbsolute ? context.root : start
        if !path.isAbsolute && !current.metadata.isDirectory { throw .ENOTDIR }
        let count = path.components.count
        for (i, name) in path.components.enumerated() {
            let last = i == count - 1
            current = try await step(current, name, follow: !last || followLast || path.trailingSlash)
        }
        if path.trailingSlash && !current.metadata.isDirectory { throw .ENOTDIR }
        return current
    }

    /// One component: `name` in directory `directory`.
    mutating func step(_ directory: Location, _ name: [UInt8], follow: Bool) async throws(Errno) -> Location {
        let metadata = directory.metadata
        guard metadata.isDirectory else { throw .ENOTDIR }
        try context.credentials.check(.execute, metadata)
        if name == dotName { return directory }
        if name == dotDotName { return restrictions.isEmpty ? try await parent(of: directory) : try await restrictedParent(of: directory) }
        let child = mounts.crossDown(Location(mount: directory.mount, inode: try await directory.inode.lookup(name)))
        if !restrictions.isEmpty { try checkCrossing(from: directory, to: child) }
        if follow && child.metadata.isSymbolicLink {
            return try await self.follow(child, in: directory)
        }
        return child
    }

    /// "..": stays at the context root; from a mount's root, first climbs to where it is mounted.
    public func parent(of location: Location) async throws(Errno) -> Location {
        var location = location
        while true {
            if location == context.root { return location }
            guard location.isMountRoot, let up = location.mount.mountedOn else { break }
            location = up
        }
        return mounts.crossDown(Location(mount: location.mount, inode: try await location.inode.lookup(dotDotName)))
    }
}
