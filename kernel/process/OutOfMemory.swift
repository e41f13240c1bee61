import LichenCore
import _Concurrency

/// The OOM killer (Linux's out_of_memory): when memory for user space cannot be found, the process
/// with the largest footprint (OutOfMemoryPolicy) gets SIGKILL, and whoever needed the memory yields
/// and retries until the victim's memory has come back. One victim at a time: while it dies
/// nobody else is chosen. There is no reclaim to try first: Lichen has no page cache or swap yet
/// (tmpfs pages are not reclaimable on Linux either).
enum OutOfMemory {
    private struct Victim {
        var pid: Int32
        /// The victim's memory, by identity only (no reference: it must be freed); nil while one
        /// CPU is still choosing the victim (the others wait for it instead of choosing a second one).
        var memory: ObjectIdentifier?
        var killedAt: UInt64
    }
    /// The victim being waited for, or being chosen.
    private static let victim = SpinLock<Victim?>(nil)
    /// How long a victim may take to give its memory back before another may be chosen (Linux's
    /// oom_reaper tears a stuck victim's memory down itself; Lichen gives up waiting for it).
    private static let patience: UInt64 = 2_000_000_000

    /// A user allocation failed (a page fault, copy-on-write, MAP_POPULATE): kills a victim unless
    /// one is dying already. Returns true when the caller should yield and retry (the victim's
    /// memory comes back when it has run to its end; a retry before that comes back here and finds
    /// it still dying), false when memory was not short after all (the caller retries once, then
    /// treats the failure as the fault it is). If the caller was itself chosen, its SIGKILL ends it
    /// at its next kernel exit.
    /// Synchronous, and the wait is a yield and a retry rather than a sleep on an event: the fault
    /// path runs when kernel memory is low too, and a sleep's frames and timer would need some.
    static func shouldRetry(_ faulting: Process) -> Bool {
        // A process being killed gives its memory back by dying (Linux's task_will_free_mem(current)).
        if faulting.fatalSignalPending { return true }
        // Memory may have come back since the allocation failed (Linux retries at the high watermark first).
        if PhysicalMemory.hasRoomForUser(frames: 64) { return false }
        if DiskPageCaches.reclaim(pages: 256) > 0 { return true }      // clean, unmapped file pages first
        killVictim(invokedBy: faulting)
        return true
    }

    /// The async form, for syscalls that populate memory (MAP_POPULATE).
    static func reclaim(for faulting: Process) async -> Bool {
        guard shouldRetry(faulting) else { return false }
        await Task.yield()
        return true
    }

    /// Chooses and kills a victim, unless one is still dying. False when nobody could be killed.
    /// (Paths that cannot sleep call this and fail their allocation.)
    @discardableResult
    static func killVictim(invokedBy faulting: Process) -> Bool {
        // Claims the choice: two CPUs failing at once must not both choose (and kill and log) a victim.
        let claimed = victim.withLock { v -> Bool in
            if let current = v, MonotonicClock.now &- current.killedAt >= patience { v = nil }   // gave up on it
            if v != nil { return false }      // still dying (its memory not torn down yet), or being chosen
            v = Victim(pid: 0, memory: nil, killedAt: MonotonicClock.now)
            return true
        }
        if !claimed { return true }
        let totalPages = PhysicalMemory.stats?.totalFrames ?? 0
        var candidates: [OOMCandidate] = []
        var processes: [Process] = []
        for p in Processes.all() {
            // exiting: its memory is on its way back already (Linux's task_will_free_mem).
            let usage = p.exiting ? (resident: 0, pageTables: 0) : p.memory.footprint()
            candidates.append(OOMCandidate(pid: p.pid, residentPages: usage.resident, pageTablePages: usage.pageTables,
                                           adjustment: p.oomScoreAdjustment.withLock { $0.value },
                                           unkillable: p.pid == 1))
            processes.append(p)
        }
        let choice = OutOfMemoryPolicy.choose(candidates, totalPages: totalPages)
        if case .victim = choice {} else { victim.withLock { $0 = nil } }   // nobody chosen: release the claim
        switch choice {
        case .waitForDying:
            return true
        case .none:
            KernelLog.noticeRateLimited("Out of memory and no killable processes (pid "
                                        + Format.decimal(UInt64(faulting.pid)) + " waits)")
            return false
        case .victim(let pid):
            guard let chosen = processes.first(where: { $0.pid == pid }) else { victim.withLock { $0 = nil }; return false }
            let memory = chosen.memory
            victim.withLock { $0 = Victim(pid: pid, memory: ObjectIdentifier(memory), killedAt: MonotonicClock.now) }
            report(invokedBy: faulting, victim: chosen, memory: memory)
            ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGKILL.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: chosen)
            return true
        }
    }

    /// A process's memory was torn down (ProcessMemory's deinit): if it was the victim's, the next
    /// victim may be chosen.
    static func memoryReleased(_ memory: ObjectIdentifier) {
        victim.withLock { v in if v?.memory == memory { v = nil } }
    }

    /// Linux's two lines: who invoked the killer, and whom it killed with what.
    private static func report(invokedBy faulting: Process, victim p: Process, memory: ProcessMemory) {
        let totals = ProcessMemoryTotals(p)
        let adjustment = p.oomScoreAdjustment.withLock { $0.value }
        let pageTables = memory.footprint().pageTables
        func kB(_ bytes: UInt64) -> String { Format.decimal(bytes / 1024) + "kB" }
        KernelLog.warning(String(decoding: faulting.name, as: UTF8.self) + " invoked oom-killer: order=0, oom_score_adj="
                          + signedDecimal(faulting.oomScoreAdjustment.withLock { $0.value }))
        KernelLog.error("Out of memory: Killed process " + Format.decimal(UInt64(p.pid)) + " ("
                        + String(decoding: p.name, as: UTF8.self) + ") total-vm:" + kB(totals.size)
                        + ", anon-rss:" + kB(totals.residentAnonymous) + ", file-rss:" + kB(totals.residentFile)
                        + ", shmem-rss:" + kB(totals.residentShared) + ", UID:" + Format.decimal(UInt64(p.credentials.uid))
                        + " pgtables:" + kB(UInt64(pageTables * pageSize)) + " oom_score_adj:" + signedDecimal(adjustment))
    }

    private static func signedDecimal(_ v: Int32) -> String {
        v < 0 ? "-" + Format.decimal(UInt64(-Int64(v))) : Format.decimal(UInt64(v))
    }

    /// /proc/PID/oom_score.
    static func score(of p: Process) -> Int {
        let usage = p.memory.footprint()
        let candidate = OOMCandidate(pid: p.pid, residentPages: usage.resident, pageTablePages: usage.pageTables,
                                     adjustment: p.oomScoreAdjustment.withLock { $0.value }, unkillable: p.pid == 1)
        return OutOfMemoryPolicy.score(candidate, totalPages: PhysicalMemory.stats?.totalFrames ?? 0)
    }
}
