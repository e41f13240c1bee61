import LichenCore
import Synchronization

/// Committed_AS (Linux's vm_committed_as): the pages private writable mappings, brk and loaded
/// programs promise, charged when made and given back at munmap, a brk shrink and exit (each
/// memory remembers what it was charged: `ProcessMemory.committedPages`), and the overcommit
/// policy (/proc/sys/vm/overcommit_*) that refuses a promise that does not fit.
/// Not charged (Linux charges them): shared anonymous memory, a stack's growth beyond its first
/// 128 KiB, a private mapping made writable by mprotect.
enum MemoryCommit {
    private static let policyLock = SpinLock<OvercommitPolicy?>(nil)
    private static let committed = Atomic<Int>(0)

    /// The policy, made from the free memory at first use (Linux sets its reserves at boot).
    static var policy: OvercommitPolicy {
        policyLock.withLock { p in
            if p == nil { p = OvercommitPolicy(freePages: PhysicalMemory.stats?.freeFrames ?? 0, pageSize: pageSize) }
            return p!
        }
    }

    static func setPolicy(_ tunable: OvercommitPolicy.Tunable, _ text: [UInt8]) throws(Errno) {
        var p = policy
        try p.set(tunable, text)
        let changed = p
        policyLock.withLock { $0 = changed }
    }

    static var committedPages: Int { max(0, committed.load(ordering: .relaxed)) }
    static var totalPages: Int { PhysicalMemory.stats?.totalFrames ?? 0 }
    static var limitPages: Int { policy.commitLimit(totalPages: totalPages, pageSize: pageSize) }

    /// Whole pages in `bytes`, rounded up (no overflow for any length user space passes).
    static func pages(_ bytes: UInt64) -> Int { Int(bytes / UInt64(pageSize)) + (bytes % UInt64(pageSize) != 0 ? 1 : 0) }

    /// Whether an area's pages are promised (Linux's accountable_mapping: private and writable).
    static func isAccountable(_ area: VirtualMemoryArea<SharedMemoryObject>) -> Bool {
        area.sharing == .private && area.protection.contains(.write) && !area.isSpecial
    }

    /// MAP_NORESERVE is ignored under strict overcommit, as on Linux.
    static var honoursNoReserve: Bool { policy.mode != OvercommitPolicy.never }

    /// Charges `bytes` to `memory` (mmap, brk, mremap growth) if the policy allows; ENOMEM if not.
    /// `admin`: the caller has CAP_SYS_ADMIN (the admin reserve is theirs); `areas`: the memory's
    /// areas (read only under strict overcommit: its size counts against the user reserve).
    static func charge(_ bytes: UInt64, to memory: ProcessMemory, admin: Bool,
                       areas: @autoclosure () -> AreaList<VirtualMemoryArea<SharedMemoryObject>>) throws(Errno) {
        let n = pages(bytes)
        let p = policy
        let processPages = p.mode == OvercommitPolicy.never ? pages(areas().totals.total) : 0
        guard p.allows(n, committed: committedPages, totalPages: totalPages, pageSize: pageSize,
                       processPages: processPages, admin: admin) else { throw .ENOMEM }
        memory.committedPages.add(n, ordering: .relaxed)
        committed.add(n, ordering: .relaxed)
    }

    /// A System V shared memory segment's pages (shmget without SHM_NORESERVE, Linux's
    /// shmem_acct_size): charged to no process, given back when the segment is destroyed.
    static func chargeShared(_ n: Int, admin: Bool) throws(Errno) {
        guard policy.allows(n, committed: committedPages, totalPages: totalPages, pageSize: pageSize,
                            processPages: 0, admin: admin) else { throw .ENOMEM }
        committed.add(n, ordering: .relaxed)
    }

    static func unchargeShared(_ n: Int) { committed.subtract(n, ordering: .relaxed) }

    /// A loaded program's writable segments and first stack pages: charged without asking (exec
    /// has committed to the new image by then).
    static func chargeLoaded(_ memory: ProcessMemory) {
        let n = memory.areas.reduce(0) { isAccountable($1) ? $0 + pages($1.length) : $0 }
        memory.committedPages.add(n, ordering: .relaxed)
        committed.add(n, ordering: .relaxed)
    }

    /// fork: the child promises what the parent did (Linux's dup_mmap charges each area): ENOMEM
    /// under strict overcommit when that does not fit.
    static func inherit(from parent: ProcessMemory, into child: ProcessMemory) -> Bool {
        let n = parent.committedPages.load(ordering: .relaxed)
        let p = policy
        if p.mode == OvercommitPolicy.never,
           !p.allows(n, committed: committedPages, totalPages: totalPages, pageSize: pageSize, processPages: n, admin: false) { return false }
        child.committedPages.add(n, ordering: .relaxed)
        committed.add(n, ordering: .relaxed)
        return true
    }

    /// Areas that went away (munmap, a brk shrink, MAP_FIXED's replaced pieces): their accountable
    /// pages come back, never more than the memory was charged.
    static func release(_ areas: [VirtualMemoryArea<SharedMemoryObject>], from memory: ProcessMemory) {
        let n = areas.reduce(0) { isAccountable($1) ? $0 + pages($1.length) : $0 }
        if n > 0 { uncharge(n, from: memory) }
    }

    static func uncharge(_ n: Int, from memory: ProcessMemory) {
        var current = memory.committedPages.load(ordering: .relaxed)
        while true {
            let taken = min(current, n)
            let (exchanged, original) = memory.committedPages.compareExchange(expected: current, desired: current - taken, ordering: .relaxed)
            if exchanged { committed.subtract(taken, ordering: .relaxed); return }
            current = original
        }
    }

    /// A memory was torn down: all it was charged comes back.
    static func released(_ memory: ProcessMemory) {
        committed.subtract(memory.committedPages.exchange(0, ordering: .relaxed), ordering: .relaxed)
    }
}
