// mlock, munlock, mlockall and munlockall on a VirtualMemoryMap (Linux's mm/mlock.c): which areas
// are locked (VM_LOCKED, VM_LOCKONFAULT), how many bytes that is (VmLck, mm->locked_vm), and whether
// RLIMIT_MEMLOCK allows more. The kernel populates what became locked (not on-fault locks); Lichen
// has no swap, so a populated page stays in memory by itself.

/// How an area is locked: populated now (mlock, MCL_CURRENT, MAP_LOCKED) or as it is touched
/// (MLOCK_ONFAULT, MCL_ONFAULT).
public enum MemoryLockMode: Sendable {
    case populate
    case onFault
}

extension VirtualMemoryMap {
    /// Bytes in locked areas (VmLck): a running total, not a walk.
    public var lockedBytes: UInt64 { areas.totals.locked }

    /// Bytes of [start, end) already locked (Linux's count_mm_mlocked_page_nr).
    public func lockedBytes(from start: UserAddr, to end: UserAddr) -> UInt64 {
        var n: UInt64 = 0
        for a in areas(overlapping: UserRange(start: start, end: end)) where a.locked {
            n += min(a.end, end) - max(a.start, start)
        }
        return n
    }

    /// Whether locking `bytes` more stays within `limit` (RLIMIT_MEMLOCK in bytes), counting what is
    /// locked already but not twice what [start, end) holds locked (do_mlock's arithmetic, in pages).
    public func lockFits(_ bytes: UInt64, limit: UInt64, within range: UserRange? = nil) -> Bool {
        let pageCount = { (b: UInt64) -> UInt64 in b / UInt64(pageSize) }
        var wanted = pageCount(bytes) + pageCount(lockedBytes)
        let limitPages = pageCount(limit)
        if wanted > limitPages, let range { wanted -= pageCount(lockedBytes(from: range.start, to: range.end)) }
        return wanted <= limitPages
    }

    /// mlock/mlock2 (`mode`) or munlock (nil) of the page-aligned [start, end): sets the areas' lock
    /// flags, splitting at the edges and merging afterwards; the vDSO's areas are left alone (Linux
    /// skips VM_SPECIAL). Like Linux it goes through the areas in order and stops with ENOMEM at a
    /// hole, keeping what it changed before it. Returns the ranges that became locked to populate.
    public mutating func setLock(start: UserAddr, end: UserAddr, mode: MemoryLockMode?) -> (populate: [UserRange], failure: Errno?) {
        guard start < end else { return ([], nil) }
        var i = firstIndex(endingAbove: start)
        guard i < areas.count, areas[i].start <= start else { return ([], .ENOMEM) }
        let firstTouched = i
        var cursor = start
        var populate: [UserRange] = []
        var failure: Errno? = nil
        while cursor < end {
            guard i < areas.count, areas[i].start <= cursor else { failure = .ENOMEM; break }
            if !areas[i].isSpecial {
                if areas[i].start < cursor { split(at: cursor); i += 1 }
                if areas[i].end > end { split(at: end) }
                let wasPopulated = areas[i].locked && !areas[i].lockOnFault
                areas[i].locked = mode != nil
                areas[i].lockOnFault = mode == .onFault
                if mode == .populate && !wasPopulated { populate.append(areas[i].range) }
            }
            cursor = areas[i].end
            i += 1
        }
        merge(from: firstTouched - 1, through: i)
        return (populate, failure)
    }

    /// mlockall (`current`: MCL_CURRENT locks every area now; `future`: MCL_FUTURE locks the areas
    /// made from now on) or munlockall (both nil). Returns the ranges to populate.
    public mutating func setLockAll(current: MemoryLockMode?, future: MemoryLockMode?, unlock: Bool) -> [UserRange] {
        lockFuture = future
        guard current != nil || unlock else { return [] }
        var populate: [UserRange] = []
        var i = 0
        while i < areas.count {
            if !areas[i].isSpecial {
                let wasPopulated = areas[i].locked && !areas[i].lockOnFault
                areas[i].locked = current != nil
                areas[i].lockOnFault = current == .onFault
                if current == .populate && !wasPopulated { populate.append(areas[i].range) }
            }
            i += 1
        }
        merge(from: 0, through: areas.count - 1)
        return populate
    }
}
