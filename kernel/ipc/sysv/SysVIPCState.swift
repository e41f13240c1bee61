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
        let changed = locked { s in s.semaphores.all.compactMap { $0.object.undo(tgid: tgid) ? $0.object : nil } }
        for set in changed { set.waiters.wakeAll() }
    }
}
