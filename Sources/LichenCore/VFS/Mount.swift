import Synchronization

/// A filesystem mounted somewhere (Linux's struct mount/vfsmount). The namespace's root mount
/// has no parent.
public final class Mount: Sendable {
    public let fileSystem: any FileSystem
    /// The directory (or file) of the filesystem this mount shows at its mountpoint: the
    /// filesystem's root, or any inode in it for a bind mount.
    public let root: any Inode
    /// Where `root` is in its filesystem ("/", or the bound directory's path: mountinfo's 4th field).
    public let rootPath: [UInt8]
    /// Unique while it exists, never reused (/proc/<pid>/mountinfo's mount ID).
    public let id: Int

    /// Linux's root mount (its initial rootfs) is 1.
    private static let nextID = SpinLock(1)

    /// Its options (MS_REMOUNT changes them).
    private let options: SpinLock<MountFlags>

    /// Where it is attached: MS_MOVE and pivot_root move it, a lazy unmount detaches it.
    private let attachment: SpinLock<Attachment>
    private struct Attachment {
        var parent: Mount?
        var mountpoint: (any Inode)?
        /// The directory holding a mountpoint that is not one (a file bind mount): how its path is named.
        var directory: (any Inode)? = nil
    }

    init(fileSystem: any FileSystem, root: (any Inode)? = nil, rootPath: [UInt8] = [0x2f], parent: Mount?,
         mountpoint: (any Inode)?, flags: MountFlags = [.relAtime]) {
        self.fileSystem = fileSystem
        self.root = root ?? fileSystem.root
        self.rootPath = rootPath
        attachment = SpinLock(Attachment(parent: parent, mountpoint: mountpoint))
        options = SpinLock(flags)
        id = Mount.nextID.withLock { n in defer { n += 1 }; return n }
    }

    /// The hidden mount of a filesystem the kernel uses without a place in the tree (mqueue's for
    /// mq_open, as Linux's kern_mount).
    public static func detached(_ fileSystem: any FileSystem) -> Mount {
        Mount(fileSystem: fileSystem, parent: nil, mountpoint: nil)
    }

    /// The mount this one sits on, and the inode in it that it covers.
    public var parent: Mount? { attachment.withLock { $0.parent } }
    public var mountpoint: (any Inode)? { attachment.withLock { $0.mountpoint } }

    /// Whether it sits on `location` (one lock, for the mount table's scans).
    func isMounted(on location: Location) -> Bool {
        attachment.withLock { $0.parent === location.mount && $0.mountpoint === location.inode }
    }

    /// The directory holding a non-directory mountpoint (nil otherwise).
    public var mountpointDirectory: (any Inode)? { attachment.withLock { $0.directory } }

    /// Re-attaches it (MountTable only, under its lock; `directory` for a non-directory place).
    func attach(to place: Location?, directory: (any Inode)? = nil) {
        let old = attachment.withLock { a -> Attachment in
            let o = a
            a = Attachment(parent: place?.mount, mountpoint: place?.inode, directory: directory)
            return o
        }
        _ = old                                  // released after the lock
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

    /// Where this mount is attached, in its parent (nil for the root mount and detached ones).
    public var mountedOn: Location? {
        attachment.withLock { a in
            guard let parent = a.parent, let mountpoint = a.mountpoint else { return nil }
            return Location(mount: parent, inode: mountpoint)
        }
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

