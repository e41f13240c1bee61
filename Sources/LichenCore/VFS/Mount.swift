import Synchronization

/// A filesystem mounted somewhere (Linux's struct mount/vfsmount). The namespace's root mount
/// has no parent.
public final class Mount: Sendable {
    public let fileSystem: any FileSystem
    public let root: any Inode
    /// The mount this one sits on, and the directory in it that it covers.
    public let parent: Mount?
    public let mountpoint: (any Inode)?
    /// Unique while it exists, never reused (/proc/<pid>/mountinfo's mount ID).
    public let id: Int

    /// Linux's root mount (its initial rootfs) is 1.
    private static let nextID = SpinLock(1)

    /// Its options (MS_REMOUNT changes them).
    private let options: SpinLock<MountFlags>

    init(fileSystem: any FileSystem, parent: Mount?, mountpoint: (any Inode)?, flags: MountFlags = [.relAtime]) {
        self.fileSystem = fileSystem
        root = fileSystem.root
        self.parent = parent
        self.mountpoint = mountpoint
        options = SpinLock(flags)
        id = Mount.nextID.withLock { n in defer { n += 1 }; return n }
    }

    /// The hidden mount of a filesystem the kernel uses without a place in the tree (mqueue's for
    /// mq_open, as Linux's kern_mount).
    public static func detached(_ fileSystem: any FileSystem) -> Mount {
        Mount(fileSystem: fileSystem, parent: nil, mountpoint: nil)
    }

    public var flags: MountFlags { options.withLock { $0 } }

    /// mount(MS_REMOUNT): new per-mount options. (Linux refuses to make a mount read-only while
    /// files on it are open for writing (EBUSY); Lichen does not count writers yet, so such files
    /// keep writing until closed.)
    public func setFlags(_ flags: MountFlags) { options.withLock { $0 = flags } }

    /// Changing anything reached through this mount: EROFS if it is read-only.
    public func checkWritable() throws(Errno) {
        if flags.contains(.readOnly) { throw .EROFS }
    }

    /// Where this mount is attached, in its parent (nil for the root mount).
    public var mountedOn: Location? {
        guard let parent, let mountpoint else { return nil }
        return Location(mount: parent, inode: mountpoint)
    }
}

/// A place in the tree: an inode as reached through a mount (Linux's struct path). The same
/// inode can be reached through several mounts (bind mounts later), and `..` of a mount's root
/// leaves the mount, so both halves matter.
public struct Location: Sendable {
    public let mount: Mount
    public let inode: any Inode

    public init(mount: Mount, inode: any Inode) {
        self.mount = mount
        self.inode = inode
    }

    public static func == (a: Location, b: Location) -> Bool {
        a.mount === b.mount && a.inode === b.inode
    }

    /// Whether this is the root of its mount.
    public var isMountRoot: Bool { inode === mount.root }

    public var metadata: InodeMetadata { inode.metadata }

    public var status: FileStatus { FileStatus(inode.metadata, device: mount.fileSystem.device, blockSize: mount.fileSystem.preferredBlockSize) }
}

/// Every mount of the namespace. Few entries, so a list under a spinlock.
public final class MountTable: @unchecked Sendable {
    private let lock = RawSpinLock()
    private var mounts: [Mount] = []  // guarded by lock, in mount order
    /// One bit per mountpoint inode (hashed by its address): a walk step onto an inode whose bit is
    /// clear (nearly every step) knows without the lock or the scan that nothing is mounted there.
    /// Rebuilt under the lock; read without it (a walk racing a mount sees it before or after it).
    private let mountpointBits = Atomic<UInt64>(0)

    private static func bit(_ inode: any Inode) -> UInt64 {
        let address = UInt(bitPattern: ObjectIdentifier(inode as AnyObject))
        return 1 << UInt64((address >> 4 ^ address >> 10) & 63)
    }

    /// With the lock held, after `mounts` changed.
    private func rebuildMountpointBits() {
        var bits: UInt64 = 0
        for m in mounts { if let inode = m.mountpoint { bits |= MountTable.bit(inode) } }
        mountpointBits.store(bits, ordering: .releasing)
    }

    /// fs.protected_* (LinkProtection.swift): what every path walk in this namespace obeys.
    public var linkProtection: LinkProtection {
        get { lock.withLock { protection } }
        set { lock.withLock { protection = newValue } }
    }
    private var protection = LinkProtection()  // guarded by lock

    init() {}

    func add(_ mount: Mount) {
        lock.withLock {
            mounts.append(mount)
            rebuildMountpointBits()
        }
    }

    /// The topmost mount on `location`, if it is a mountpoint.
    public func mounted(on location: Location) -> Mount? {
        if mountpointBits.load(ordering: .acquiring) & MountTable.bit(location.inode) == 0 { return nil }
        return lock.withLock {
            for m in mounts.reversed() where m.parent === location.mount && m.mountpoint === location.inode {
                return m
            }
            return nil
        }
    }

    /// Follows mounts down: the root of whatever is mounted on `location` (repeatedly).
    public func crossDown(_ location: Location) -> Location {
        var location = location
        while let m = mounted(on: location) {
            location = Location(mount: m, inode: m.root)
        }
        return location
    }

    /// Whether any mount sits on `inode` as seen through `mount`.
    public func isMountpoint(_ location: Location) -> Bool {
        mounted(on: location) != nil
    }

    /// Removes `mount`: EINVAL if it is not mounted or is the root, EBUSY if others sit on it.
    func remove(_ mount: Mount) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard mount.parent != nil, let index = mounts.firstIndex(where: { $0 === mount }) else { throw .EINVAL }
            if mounts.contains(where: { $0.parent === mount }) { throw .EBUSY }
            mounts.remove(at: index)
            rebuildMountpointBits()
        }
    }

    /// Every mount, parents before children (for /proc/mounts).
    public var all: [Mount] { lock.withLock { mounts } }
}
