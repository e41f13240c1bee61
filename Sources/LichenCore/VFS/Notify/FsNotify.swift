import Synchronization

/// The filesystem notification hook (Linux's fsnotify, for inotify): which inodes are watched, by
/// which instance under which watch descriptor, and the events the VFS reports through it. Every
/// hook starts with one relaxed load of the number of watches: nothing else runs (no lock, no
/// allocation) while nobody watches anything, so the syscall paths pay one branch.
public final class FsNotify: @unchecked Sendable {
    public static let shared = FsNotify()

    struct Mark { let group: InotifyInstance; let wd: Int32; var mask: UInt32 }
    struct Watched { let inode: any Inode; let fileSystem: any FileSystem; var marks: [Mark] }
    struct Usage { let uid: UInt32; var instances: Int; var watches: Int }
    /// A watch descriptor of one instance.
    struct WatchKey: BucketKey {
        let group: UInt, wd: Int32
        var bucketHash: UInt64 { UInt64(group) &* 0x100_0000_01b3 ^ UInt64(UInt32(bitPattern: wd)) }
    }
    /// The watched inodes, found by identity (`byInode`: the inode's position in `watched`, which
    /// removal fills with the last entry) and by watch descriptor (`byWatch`: the inode), so an
    /// event, inotify_add_watch and inotify_rm_watch look at a few entries however many inodes are
    /// watched (each walked every watched inode before; issue 13). An instance's close and fdinfo
    /// still walk them all.
    struct Table {
        var watched: [Watched] = []
        var byInode = HashedBuckets<UInt, Int>()
        var byWatch = HashedBuckets<WatchKey, UInt>()
        var usage: [Usage] = []

        func index(of inode: any Inode) -> Int? { byInode.first(FsNotify.identity(inode)) }
    }

    static func identity(_ object: AnyObject) -> UInt { UInt(bitPattern: ObjectIdentifier(object)) }

    /// Entries the lookups have looked at (tests check it does not follow the number of watches).
    var lookupSteps: Int { table.withLock { $0.byInode.probes + $0.byWatch.probes } }

    private let table = SpinLock(Table())
    private let watchCount = Atomic<Int>(0)
    private let cookies = Atomic<UInt32>(0)
    /// /proc/sys/fs/inotify: max_queued_events, max_user_instances, max_user_watches (Linux's defaults).
    public let maxQueuedEvents = Atomic<Int>(16384)
    public let maxUserInstances = Atomic<Int>(128)
    public let maxUserWatches = Atomic<Int>(8192)

    public init() {}

    /// Whether any watch exists: the hooks' fast path.
    @inline(__always) public var isActive: Bool { watchCount.load(ordering: .relaxed) != 0 }

    /// A rename's cookie, pairing IN_MOVED_FROM with IN_MOVED_TO.
    public func nextCookie() -> UInt32 { cookies.wrappingAdd(1, ordering: .relaxed).newValue }

    // MARK: instances and watches

    /// inotify_init1's instance, charged to `uid`: EMFILE past max_user_instances.
    public func newInstance(uid: UInt32) throws(Errno) -> InotifyInstance {
        let limit = maxUserInstances.load(ordering: .relaxed)
        try table.withLock { (t: inout Table) throws(Errno) in
            let u = Self.usage(&t, uid)
            guard t.usage[u].instances < limit else { throw .EMFILE }
            t.usage[u].instances += 1
        }
        return InotifyInstance(owner: uid, queueLimit: maxQueuedEvents.load(ordering: .relaxed))
    }

    /// inotify_add_watch once the path is resolved: the existing watch of `group` on `inode` gets
    /// the new mask (or'ed with IN_MASK_ADD, EEXIST with IN_MASK_CREATE) and keeps its descriptor;
    /// otherwise a new watch (ENOSPC past max_user_watches).
    public func addWatch(_ group: InotifyInstance, on inode: any Inode, fileSystem: any FileSystem, mask: UInt32) throws(Errno) -> Int32 {
        let limit = maxUserWatches.load(ordering: .relaxed)
        return try table.withLock { (t: inout Table) throws(Errno) -> Int32 in
            let i = t.index(of: inode)
            if let i, let j = t.watched[i].marks.firstIndex(where: { $0.group === group }) {
                if mask & InotifyMask.IN_MASK_CREATE != 0 { throw .EEXIST }
                var new = mask & InotifyMask.kept
                if mask & InotifyMask.IN_MASK_ADD != 0 { new |= t.watched[i].marks[j].mask }
                t.watched[i].marks[j].mask = new
                return t.watched[i].marks[j].wd
            }
            let u = Self.usage(&t, group.owner)
            guard t.usage[u].watches < limit else { throw .ENOSPC }
            t.usage[u].watches += 1
            group.lastWd = group.lastWd == Int32.max ? 1 : group.lastWd + 1
            let mark = Mark(group: group, wd: group.lastWd, mask: mask & InotifyMask.kept)
            if let i { t.watched[i].marks.append(mark) } else {
                t.byInode.append(Self.identity(inode), t.watched.count)
                t.watched.append(Watched(inode: inode, fileSystem: fileSystem, marks: [mark]))
            }
            t.byWatch.append(WatchKey(group: Self.identity(group), wd: mark.wd), Self.identity(inode))
            watchCount.wrappingAdd(1, ordering: .relaxed)
            return mark.wd
        }
    }

    /// inotify_rm_watch: EINVAL for a descriptor `group` does not have; queues IN_IGNORED.
    public func removeWatch(_ group: InotifyInstance, wd: Int32) throws(Errno) {
        try table.withLock { (t: inout Table) throws(Errno) in
            guard let inode = t.byWatch.first(WatchKey(group: Self.identity(group), wd: wd)),
                  let i = t.byInode.first(inode),
                  let j = t.watched[i].marks.firstIndex(where: { $0.group === group && $0.wd == wd }) else { throw .EINVAL }
            removeMark(&t, i, j)
        }
        group.enqueue(InotifyEvent(wd: wd, mask: InotifyMask.IN_IGNORED))
    }

    /// The instance's last close: its watches go, silently.
    func close(_ group: InotifyInstance) {
        table.withLock { (t: inout Table) in
            var i = t.watched.count - 1
            while i >= 0 {
                if let j = t.watched[i].marks.firstIndex(where: { $0.group === group }) { removeMark(&t, i, j) }
                i -= 1
            }
            let u = Self.usage(&t, group.owner)
            t.usage[u].instances -= 1
        }
    }

    /// The watch descriptors and masks of `group` (fdinfo, tests).
    public func watches(of group: InotifyInstance) -> [(wd: Int32, ino: UInt64, mask: UInt32, device: DeviceNumber)] {
        table.withLock { t in
            var list: [(wd: Int32, ino: UInt64, mask: UInt32, device: DeviceNumber)] = []
            for w in t.watched { for m in w.marks where m.group === group { list.append((m.wd, w.inode.metadata.ino, m.mask, w.fileSystem.device)) } }
            return list
        }
    }

    // MARK: the VFS's hooks

    /// An event on a file itself (open, close, read, write, attribute change): to its own watches,
    /// and first to its directory's watches with its name when `parent` is known.
    public func fileEvent(_ inode: any Inode, _ mask: UInt32, parent: (directory: any Inode, name: [UInt8])? = nil) {
        guard isActive, anyWatched(inode, parent?.directory) else { return }
        let metadata = inode.metadata
        let m = metadata.isDirectory ? mask | InotifyMask.IN_ISDIR : mask
        if let parent { deliver(parent.directory, m, name: parent.name, childUnlinked: metadata.nlink == 0) }
        deliver(inode, m)
    }

    /// Whether `inode` or `directory` is watched: while watches exist elsewhere, an event on an
    /// unwatched file costs one lookup section, with no read of its metadata.
    private func anyWatched(_ inode: any Inode, _ directory: (any Inode)?) -> Bool {
        let file = Self.identity(inode), parent = directory.map { Self.identity($0) }
        return table.withLock { t in
            t.byInode.first(file) != nil || parent.map { t.byInode.first($0) != nil } == true
        }
    }

    /// A name created, removed or moved in `directory` (IN_CREATE, IN_DELETE, IN_MOVED_FROM/TO).
    public func nameEvent(_ directory: any Inode, _ mask: UInt32, name: [UInt8], isDirectory: Bool, cookie: UInt32 = 0) {
        guard isActive else { return }
        deliver(directory, isDirectory ? mask | InotifyMask.IN_ISDIR : mask, name: name, cookie: cookie)
    }

    /// The inode lost its last name (or moved, with IN_MOVE_SELF): IN_DELETE_SELF then every
    /// watch on it ends with IN_IGNORED.
    public func selfEvent(_ inode: any Inode, _ mask: UInt32) {
        guard isActive else { return }
        deliver(inode, mask)
        if mask == InotifyMask.IN_DELETE_SELF { dropAll(of: inode) }
    }

    /// The filesystem was unmounted: IN_UNMOUNT and IN_IGNORED on every watch of its inodes.
    public func unmounted(_ fileSystem: any FileSystem) {
        guard isActive else { return }
        dropAll(with: InotifyMask.IN_UNMOUNT) { $0.fileSystem === fileSystem }
    }

    // MARK: delivery

    private func deliver(_ inode: any Inode, _ mask: UInt32, name: [UInt8] = [], cookie: UInt32 = 0, childUnlinked: Bool = false) {
        var out: [(InotifyInstance, InotifyEvent)] = []
        table.withLock { (t: inout Table) in
            guard let i = t.index(of: inode) else { return }
            var j = 0
            while j < t.watched[i].marks.count {
                let mark = t.watched[i].marks[j]
                j += 1
                guard mask & mark.mask & InotifyMask.IN_ALL_EVENTS != 0 else { continue }
                if childUnlinked && mark.mask & InotifyMask.IN_EXCL_UNLINK != 0 { continue }
                // inotify never reported IN_ISDIR with the *_SELF events.
                let reported = mask & (InotifyMask.IN_DELETE_SELF | InotifyMask.IN_MOVE_SELF) != 0 ? mask & ~InotifyMask.IN_ISDIR : mask
                out.append((mark.group, InotifyEvent(wd: mark.wd, mask: reported, cookie: cookie, name: name)))
                if mark.mask & InotifyMask.IN_ONESHOT != 0 {
                    out.append((mark.group, InotifyEvent(wd: mark.wd, mask: InotifyMask.IN_IGNORED)))
                    let empty = t.watched[i].marks.count == 1
                    removeMark(&t, i, j - 1)
                    if empty { break }
                    j -= 1
                }
            }
        }
        for (group, event) in out { group.enqueue(event) }
    }

    /// Ends every watch on the inodes `matches` picks: `first` (IN_UNMOUNT) then IN_IGNORED.
    private func dropAll(with first: UInt32 = 0, _ matches: (Watched) -> Bool) {
        var out: [(InotifyInstance, InotifyEvent)] = []
        table.withLock { (t: inout Table) in
            var i = t.watched.count - 1
            while i >= 0 {
                if matches(t.watched[i]) { dropMarks(&t, i, first: first, into: &out) }
                i -= 1
            }
        }
        for (group, event) in out { group.enqueue(event) }
    }

    /// Ends every watch on `inode` with IN_IGNORED (found by its identity, not by a walk).
    private func dropAll(of inode: any Inode) {
        var out: [(InotifyInstance, InotifyEvent)] = []
        table.withLock { (t: inout Table) in
            if let i = t.index(of: inode) { dropMarks(&t, i, first: 0, into: &out) }
        }
        for (group, event) in out { group.enqueue(event) }
    }

    /// Removes every mark of entry `i` (and so the entry), collecting `first` and IN_IGNORED for each.
    private func dropMarks(_ t: inout Table, _ i: Int, first: UInt32, into out: inout [(InotifyInstance, InotifyEvent)]) {
        while let mark = t.watched[i].marks.last {
            if first != 0 { out.append((mark.group, InotifyEvent(wd: mark.wd, mask: first))) }
            out.append((mark.group, InotifyEvent(wd: mark.wd, mask: InotifyMask.IN_IGNORED)))
            let last = t.watched[i].marks.count == 1
            removeMark(&t, i, t.watched[i].marks.count - 1)
            if last { break }
        }
    }

    /// Removes mark `j` of entry `i` (and the entry once it has no marks: the last entry takes its
    /// place, so callers walking the entries go from the end down), uncharging its owner.
    private func removeMark(_ t: inout Table, _ i: Int, _ j: Int) {
        let mark = t.watched[i].marks[j]
        let owner = mark.group.owner
        let inode = Self.identity(t.watched[i].inode)
        t.byWatch.remove(WatchKey(group: Self.identity(mark.group), wd: mark.wd)) { $0 == inode }
        t.watched[i].marks.remove(at: j)
        if t.watched[i].marks.isEmpty {
            t.byInode.remove(inode)
            let last = t.watched.count - 1
            if i != last {
                t.watched.swapAt(i, last)
                t.byInode.remove(Self.identity(t.watched[i].inode))
                t.byInode.append(Self.identity(t.watched[i].inode), i)
            }
            t.watched.removeLast()
        }
        let u = Self.usage(&t, owner)
        t.usage[u].watches -= 1
        watchCount.wrappingSubtract(1, ordering: .relaxed)
    }

    private static func usage(_ t: inout Table, _ uid: UInt32) -> Int {
        if let u = t.usage.firstIndex(where: { $0.uid == uid }) { return u }
        t.usage.append(Usage(uid: uid, instances: 0, watches: 0))
        return t.usage.count - 1
    }
}

/// The directory a file was reached through and its name there: where its events also go.
public typealias NotifyParent = (directory: any Inode, name: [UInt8])
