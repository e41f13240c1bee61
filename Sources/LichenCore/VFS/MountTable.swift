import Synchronization

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
            for m in mounts.reversed() where m.isMounted(on: location) {
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
        mount.attach(to: nil)
    }

    /// Whether `mount` is attached in this namespace (check_mnt: not lazily unmounted, not a
    /// kernel-internal one).
    public func contains(_ mount: Mount) -> Bool {
        lock.withLock { mounts.contains { $0 === mount } }
    }

    /// The mounts attached directly on `mount`.
    public func children(of mount: Mount) -> [Mount] {
        lock.withLock { mounts.filter { $0.parent === mount } }
    }

    /// umount2(MNT_DETACH), Linux's umount_tree: `mount` and every mount under it leave the
    /// namespace at once; `mount` is disconnected (`..` from its root stays there), those below keep
    /// their places in the detached tree. (Not tracked: a process still inside the detached tree
    /// no longer crosses into the mounts below it.) EINVAL for the root or a mount not attached.
    func detach(_ mount: Mount) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard mount.parent != nil, mounts.contains(where: { $0 === mount }) else { throw .EINVAL }
            var gone: [Mount] = [mount]
            var i = 0
            while i < gone.count {
                let m = gone[i]
                gone += mounts.filter { $0.parent === m }
                i += 1
            }
            mounts.removeAll { m in gone.contains { $0 === m } }
            rebuildMountpointBits()
        }
        mount.attach(to: nil)
    }

    /// MS_MOVE: `mount` now sits on `place` (it keeps its place in the list, as Linux's
    /// attach_mnt). EINVAL for a mount not attached or the root; ELOOP for a place under it.
    func move(_ mount: Mount, to place: Location, directory: (any Inode)? = nil) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard mount.parent != nil, mounts.contains(where: { $0 === mount }),
                  mounts.contains(where: { $0 === place.mount }) else { throw .EINVAL }
            var p: Mount? = place.mount
            while let m = p {
                if m === mount { throw .ELOOP }
                p = m.parent
            }
            mount.attach(to: place, directory: directory)
            rebuildMountpointBits()
        }
    }

    /// pivot_root's exchange, under one lock: `newRoot` takes the place of `oldRoot`, which goes
    /// onto `putOld`.
    func pivot(newRoot: Mount, oldRoot: Mount, putOld: Location) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            guard let rootPlace = oldRoot.mountedOn else { throw .EINVAL }
            let rootDirectory = oldRoot.mountpointDirectory
            oldRoot.attach(to: putOld)
            newRoot.attach(to: rootPlace, directory: rootDirectory)
            rebuildMountpointBits()
        }
    }

    /// Every mount, parents before children (for /proc/mounts).
    public var all: [Mount] { lock.withLock { mounts } }
}
