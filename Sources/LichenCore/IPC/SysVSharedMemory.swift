// A System V shared memory segment (Linux's shmid_kernel): its pages are an unlinked tmpfs file's
// (the shmem file Linux gives it), mapped by shmat as MAP_SHARED mappings of that file. The segment
// counts the mapping objects of its pages, so that a segment marked for destruction (IPC_RMID while
// attached: SHM_DEST) leaves the id table when the last attach goes, wherever that happens (shmdt,
// munmap, exit, exec).

public final class SysVSharedMemorySegment: IPCObject {
    public static let SHM_RDONLY: UInt32 = 0o10000, SHM_RND: UInt32 = 0o20000, SHM_REMAP: UInt32 = 0o40000
    public static let SHM_EXEC: UInt32 = 0o100000
    public static let SHM_HUGETLB: UInt32 = 0o4000, SHM_NORESERVE: UInt32 = 0o10000
    public static let SHM_LOCK: Int32 = 11, SHM_UNLOCK: Int32 = 12, SHM_STAT: Int32 = 13, SHM_INFO: Int32 = 14
    public static let SHM_STAT_ANY: Int32 = 15
    /// Mode bits: marked for destruction, locked in memory.
    public static let SHM_DEST: UInt32 = 0o1000, SHM_LOCKED: UInt32 = 0o2000

    public var permissions: IPCPermissions
    public let size: UInt64
    public let creator: Int32
    public var lastPid: Int32 = 0
    public var atime: Int64 = 0, dtime: Int64 = 0, ctime: Int64
    /// Pages charged to the overcommit accounting (none with SHM_NORESERVE).
    public var chargedPages = 0
    /// SHM_LOCK: the real user whose RLIMIT_MEMLOCK the segment's pages are charged to (Linux's
    /// mlock_ucounts), nil while unlocked.
    public var lockedBy: UInt32? = nil
    /// The segment's pages (a tmpfs file's page cache, wrapped to count its mappings).
    public let pages: SysVShmPages

    public init(permissions: IPCPermissions, size: UInt64, creator: Int32, now: Int64, pages: SysVShmPages) {
        self.permissions = permissions
        self.size = size
        self.creator = creator
        ctime = now
        self.pages = pages
    }

    public var pageCount: UInt64 { (size + 4095) / 4096 }
    public var markedForDestruction: Bool { permissions.mode & Self.SHM_DEST != 0 }

    public func stat(attaches: UInt64) -> LinuxShmid64DS {
        var s = LinuxShmid64DS()
        s.shm_perm = permissions.linux
        s.shm_segsz = size
        s.shm_atime = atime
        s.shm_dtime = dtime
        s.shm_ctime = ctime
        s.shm_cpid = creator
        s.shm_lpid = lastPid
        s.shm_nattch = attaches
        return s
    }
}

/// A segment's page cache as its mappings see it: the file's pages, and a count of the mapping
/// objects (each shmat makes one; fork and splits share it) whose last end calls `lastUnmapped`.
public final class SysVShmPages: FilePageCache, @unchecked Sendable {
    public let file: any FilePageCache
    private let mappings = SpinLock(0)
    /// Runs when the count falls to zero (outside this object's lock).
    public var lastUnmapped: (SysVShmPages) -> Void = { _ in }

    public init(file: any FilePageCache) { self.file = file }

    public var mappingCount: Int { mappings.withLock { $0 } }

    public func mapPage(at index: Int64) -> FilePageLookup { file.mapPage(at: index) }

    public func mappingAdded(sharedWritable: Bool, writing: Bool) throws(Errno) -> Bool {
        let mayWrite = try file.mappingAdded(sharedWritable: sharedWritable, writing: writing)
        mappings.withLock { $0 += 1 }
        return mayWrite
    }

    public func mappingRemoved(sharedWritable: Bool) {
        file.mappingRemoved(sharedWritable: sharedWritable)
        let last = mappings.withLock { (count: inout Int) -> Bool in
            count -= 1
            return count == 0
        }
        if last { lastUnmapped(self) }
    }

    public var seals: FileSeals? { nil }
    public func addSeals(_ seals: UInt64, writable: Bool) throws(Errno) { throw .EINVAL }
}
