import LichenCore

/// The System V IPC namespace (Linux's ipc_namespace; one, the initial): the limits, the three id
/// tables and the totals their limits count, under one lock. Sleepers wait on each object's
/// `waiters` queue and look at the objects under this lock again when woken. The lock is
/// never held while taking a process's memory lock (a segment's last unmap takes it from there).
struct SysVIPCState {
    var limits = SysVIPCLimits()
    var semaphores = IPCIdTable<SemaphoreSet>()
    var queues = IPCIdTable<SysVMessageQueue>()
    var segments = IPCIdTable<SysVSharedMemorySegment>()
    /// Semaphores in all sets (SEMMNS counts them), pages in all segments (SHMALL).
    var semaphoreCount = 0
    var segmentPages: UInt64 = 0
    /// Messages and their bytes in all queues (MSG_INFO).
    var messageCount = 0
    var messageBytes = 0
    /// The semaphore sets where a process (by tgid) holds SEM_UNDO adjustments (Linux's per-process
    /// undo list): its exit visits those, not every set.
    var undoSets = HashedBuckets<UInt, SemaphoreSet>()
    /// Each segment by its pages object: the last detach and shmdt find the segment from a mapping.
    var segmentsByPages = HashedBuckets<UInt, SysVSharedMemorySegment>()
    /// Pages of SHM_LOCKed segments per real user id (Linux's UCOUNT_RLIMIT_MEMLOCK).
    var lockedPagesByUser = HashedBuckets<UInt, Int>()
}

// MARK: SHM_LOCK accounting, lookups by pages and undo lists

extension SysVIPCState {
    static func pagesKey(_ pages: any FilePageCache) -> UInt { UInt(bitPattern: ObjectIdentifier(pages as AnyObject).hashValue) }

    /// The segment whose pages these are (a mapping's file), if it still exists.
    func segment(of pages: any FilePageCache) -> SysVSharedMemorySegment? {
        segmentsByPages.first(SysVIPCState.pagesKey(pages)).flatMap { $0.pages === pages ? $0 : nil }
    }

    /// A semop with SEM_UNDO succeeded: `set` holds adjustments of `tgid` from now on.
    mutating func noteUndo(_ tgid: Int32, in set: SemaphoreSet) {
        let key = IPCNamespace.undoKey(tgid)
        if !undoSets.contains(key, where: { $0 === set }) { undoSets.append(key, set) }
    }

    /// user_shm_lock: `pages` more for `user`, ENOMEM past `limit` (RLIMIT_MEMLOCK in bytes) unless
    /// `privileged` (CAP_IPC_LOCK).
    mutating func chargeLocked(_ pages: Int, user: UInt32, limit: UInt64, privileged: Bool) throws(Errno) {
        let key = UInt(user)
        let current = lockedPagesByUser.first(key) ?? 0
        let limitPages = limit == LinuxRlimit.RLIM_INFINITY ? Int.max : Int(limit / UInt64(pageSize))
        guard privileged || current + pages <= limitPages else { throw .ENOMEM }
        if current != 0 { lockedPagesByUser.remove(key) }
        lockedPagesByUser.append(key, current + pages)
    }

    /// SHM_UNLOCK or the segment's end: its pages go back to the user that locked it.
    mutating func unlock(_ segment: SysVSharedMemorySegment) {
        segment.permissions.mode &= ~SysVSharedMemorySegment.SHM_LOCKED
        guard let user = segment.lockedBy else { return }
        segment.lockedBy = nil
        let key = UInt(user)
        let left = (lockedPagesByUser.remove(key) ?? 0) - Int(segment.pageCount)
        if left > 0 { lockedPagesByUser.append(key, left) }
    }
}

enum IPCNamespace {
    static let state = SpinLock(SysVIPCState())

    static func locked<R, E: Error>(_ body: (inout SysVIPCState) throws(E) -> R) throws(E) -> R {
        try state.withLock { (s: inout SysVIPCState) throws(E) -> R in try body(&s) }
    }

    /// Seconds of CLOCK_REALTIME: the time fields of the *_ds structures.
    static var now: Int64 { Int64(RealtimeClock.now / 1_000_000_000) }

    /// The end of a process (Linux's exit_sem): its SEM_UNDO adjustments are applied.
    static func processExited(_ process: Process) {
        let tgid = process.pid
        let changed = locked { s in
            s.undoSets.removeAll(undoKey(tgid)) { _ in true }.filter { $0.undo(tgid: tgid) }
        }
        for set in changed { set.waiters.wakeAll() }
    }

    static func undoKey(_ tgid: Int32) -> UInt { UInt(UInt32(bitPattern: tgid)) }
}
