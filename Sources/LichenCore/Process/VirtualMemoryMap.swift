// A process's virtual memory map: its VMAs and the Linux rules of mmap, munmap, mprotect, mremap,
// brk, stack growth and page-fault classification. Pure bookkeeping: it decides, the kernel then
// edits page tables and frames to match what it returns (the pieces an operation unmapped, the pages
// a mremap moved, how to fill a faulting page).
//
// The areas live in an AreaList (sorted, non-overlapping, in chunks of at most 32) with binary search
// for lookups: an edit moves at most a chunk's areas, and mmap's search for room skips every chunk
// whose largest inner gap is too small (its cached summary), so a process with thousands of mappings
// does not pay for each of them on every call (issue 13).
//
// Policies, kept simple and close to Linux:
// - mmap without MAP_FIXED honours a free, page-aligned hint, else takes the highest gap below
//   `mmapBase` (top-down), else the highest gap anywhere; never below `minimumAddress`
//   (vm.mmap_min_addr) and never in the guard gap below a stack.
// - The stack is one `growsDown` area (and so is each MAP_GROWSDOWN mapping). A fault below it grows
//   it down to the faulting page, as long as it stays within `stackLimit` (RLIMIT_STACK) of its top
//   and at least `stackGuardGap` (Linux's stack_guard_gap, 256 pages) above the area below. Other
//   mappings keep out of that gap too.
// - Adjacent areas with identical attributes merge (anonymous ones, and file ones that continue the
//   same object at the next offset), so mmap/brk growth does not fragment the map.

public struct VirtualMemoryMap<Backing: AnyObject> {
    public typealias Area = VirtualMemoryArea<Backing>

    /// The areas in increasing address order; they never overlap.
    public internal(set) var areas = AreaList<Area>()
    /// Top of the region where mmap places mappings (below the stack and its gap).
    public var mmapBase: UserAddr
    /// vm.mmap_min_addr: nothing is mapped below it (EPERM for MAP_FIXED there).
    public var minimumAddress: UserAddr
    /// TASK_SIZE: the end of user space.
    public var limit: UserAddr
    public var stackGuardGap: UInt64 = 256 * UInt64(pageSize)
    /// RLIMIT_STACK (bytes): how far the stack may grow below its top.
    public var stackLimit: UInt64 = 8 << 20
    /// vm.max_map_count: mmap fails with ENOMEM beyond this many areas.
    public var maximumAreaCount = 65530
    /// The initial program break (end of the data segment, set at exec); brk never goes below it.
    public private(set) var startBreak: UserAddr = UserAddr(0)
    /// The current program break (not page-aligned: the heap area ends at its page-aligned value).
    public private(set) var currentBreak: UserAddr = UserAddr(0)
    /// mlockall(MCL_FUTURE): new areas are locked (Linux's mm->def_flags), on fault with MCL_ONFAULT.
    public var lockFuture: MemoryLockMode? = nil

    public init(mmapBase: UserAddr, minimumAddress: UserAddr = UserAddr(0x8000),
                limit: UserAddr = UserAddr(UserAddr.limit)) {
        self.mmapBase = mmapBase
        self.minimumAddress = minimumAddress
        self.limit = limit
    }

    static var pageMask: UInt64 { UInt64(pageSize) - 1 }
    static func pageAlignUp(_ length: UInt64) -> UInt64? {
        let (v, o) = length.addingReportingOverflow(pageMask)
        return o ? nil : v & ~pageMask
    }

    /// [start, start + length) if it lies inside user space, else nil: the one check that a range a
    /// user passed neither wraps nor runs past the end (a plain `+` would trap or wrap).
    func userRange(_ start: UserAddr, length: UInt64) -> UserRange? {
        guard start.value <= limit.value, length <= limit.value - start.value else { return nil }
        return UserRange(start: start, end: start + length)
    }

    // MARK: Lookup

    /// Index of the first area whose end is above `a` (the one containing `a`, or the next one).
    func firstIndex(endingAbove a: UserAddr) -> Int {
        areas.position(firstWhere: { $0.end > a }).index
    }

    /// The area containing `a`.
    public func area(containing a: UserAddr) -> Area? {
        let i = firstIndex(endingAbove: a)
        return i < areas.count && areas[i].start <= a ? areas[i] : nil
    }

    /// Whether no area overlaps [start, end).
    public func isFree(_ start: UserAddr, _ end: UserAddr) -> Bool {
        let i = firstIndex(endingAbove: start)
        return i == areas.count || areas[i].start >= end
    }

    /// Up to `limit` areas from the first one ending above `a`, in order.
    public func areas(endingAbove a: UserAddr, limit: Int) -> [Area] {
        var result: [Area] = []
        var i = firstIndex(endingAbove: a)
        while i < areas.count && result.count < limit {
            result.append(areas[i])
            i += 1
        }
        return result
    }

    /// The areas that overlap `range`, in order (whole, not clipped).
    public func areas(overlapping range: UserRange) -> [Area] {
        var result: [Area] = []
        var i = firstIndex(endingAbove: range.start)
        while i < areas.count && areas[i].start < range.end {
            result.append(areas[i])
            i += 1
        }
        return result
    }

    /// Whether areas cover all of [start, end) without a hole (mlock, msync, mincore: ENOMEM if not).
    public func isFullyMapped(_ start: UserAddr, _ end: UserAddr) -> Bool {
        var cursor = start
        var i = firstIndex(endingAbove: start)
        while cursor < end {
            guard i < areas.count, areas[i].start <= cursor else { return false }
            cursor = areas[i].end
            i += 1
        }
        return true
    }

    /// How many of the `count` bytes from `start` an `access` may touch without a SIGSEGV: up to the
    /// first byte outside every area (a stack counts down to where it may grow) or in an area that
    /// forbids the access. read/write stop there with a short count, as Linux's do when their user
    /// copy faults (EFAULT only when nothing could be done).
    public func accessibleLength(from start: UserAddr, count: Int, access: MemoryAccess) -> Int {
        guard count > 0, start.value < limit.value else { return 0 }
        let end = start.value + min(UInt64(count), limit.value - start.value)
        var cursor = start.value
        // Walked chunk by chunk with the fields read in place (this runs on every read and write).
        var (i, c, o) = areas.position(firstWhere: { $0.end > start })
        while cursor < end && c < areas.chunks.count {
            if o == areas.chunks[c].count { c += 1; o = 0; continue }
            if areas.chunks[c][o].start.value > cursor {
                guard areas.chunks[c][o].growsDown, canGrowStack(index: i, to: UserAddr(cursor).pageAlignedDown) else { break }
            }
            let protection = areas.chunks[c][o].protection
            let allowed: Bool
            switch access {
            case .read: allowed = !protection.isEmpty
            case .write: allowed = protection.contains(.write)
            case .execute: allowed = protection.contains(.execute)
            }
            guard allowed else { break }
            cursor = areas.chunks[c][o].end.value
            i += 1
            o += 1
        }
        return Int(min(cursor, end) - start.value)
    }

    /// Where an area begins for placement purposes: a stack reserves its guard gap below it.
    func gapStart(_ a: Area) -> UserAddr {
        guard a.growsDown else { return a.start }
        return a.start.value >= stackGuardGap ? a.start - stackGuardGap : UserAddr(0)
    }

    /// Whether [start, end) is free, with the stack guard gaps counted as taken.
    func isFreeWithGaps(_ start: UserAddr, _ end: UserAddr) -> Bool {
        guard start >= minimumAddress, end <= limit, start < end else { return false }
        let i = firstIndex(endingAbove: start)
        return i == areas.count || gapStart(areas[i]) >= end
    }

    /// The highest free range of `length` bytes ending at or below `ceiling`. The max tree of chunk
    /// summaries (the largest gap below any area of a chunk) names the highest chunk that may hold
    /// one, in O(log chunks) steps; its gaps are then tried from the top. A candidate can still fail
    /// (the ceiling or mmap_min_addr cut its gap): the search goes on below it. Chunks above the
    /// ceiling are never candidates. The areas' bounds are read in place (copying an area retains
    /// its backing: that copy per area was most of the search's cost with full chunks).
    func topDownSearch(length: UInt64, ceiling: UserAddr) -> UserAddr? {
        let chunks = areas.chunks
        guard let lastChunk = chunks.last else {
            return gapFits(low: nil, high: nil, length: length, ceiling: ceiling)
        }
        let lastEnd = lastChunk[lastChunk.count - 1].end
        areas.probe()
        if let a = gapFits(low: lastEnd, high: nil, length: length, ceiling: ceiling) { return a }
        if lastEnd <= minimumAddress { return nil }
        // The chunk holding the first area ending above the ceiling: higher ones lie wholly above it.
        let top = firstIndex(endingAbove: ceiling)
        var end = top < areas.count ? areas.locate(top).chunk + 1 : chunks.count
        while let c = areas.lastChunk(before: end, summaryAtLeast: length, largestGapBelow) {
            var j = chunks[c].count - 1
            while j >= 0 {
                let low: UserAddr
                if j > 0 { low = chunks[c][j - 1].end }
                else if c > 0 { low = chunks[c - 1][chunks[c - 1].count - 1].end }
                else { break }
                areas.probe()
                if let a = gapFits(low: low, high: gapStart(chunks[c], j), length: length, ceiling: ceiling) { return a }
                if low <= minimumAddress { return nil }
                j -= 1
            }
            end = c
        }
        return gapFits(low: nil, high: gapStart(chunks[0], 0), length: length, ceiling: ceiling)
    }

    /// Where area `j` of `chunk` begins for placement purposes (`gapStart`), read in place.
    @inline(__always)
    private func gapStart(_ chunk: [Area], _ j: Int) -> UserAddr {
        let start = chunk[j].start
        guard chunk[j].growsDown else { return start }
        return start.value >= stackGuardGap ? start - stackGuardGap : UserAddr(0)
    }

    /// The top `length` bytes of the gap between the end `low` of the area below and the placement
    /// start `high` of the area above (nil: the ends of user space), within [minimumAddress,
    /// ceiling] and out of stack guard gaps, if they fit.
    private func gapFits(low below: UserAddr?, high above: UserAddr?, length: UInt64, ceiling: UserAddr) -> UserAddr? {
        let low = below.map { max($0, minimumAddress) } ?? minimumAddress
        var high = above ?? limit
        if high > ceiling { high = ceiling }
        return high > low && high - low >= length ? high - length : nil
    }

    /// A chunk's summary: the largest gap below any of its areas, the first one's reaching down to
    /// `previous` (the last area of the chunk before; none for the first chunk: the gap below the
    /// lowest area is tried on its own). Stack guard gaps count as taken.
    private func largestGapBelow(_ previous: Area?, _ chunk: [Area]) -> UInt64 {
        var best: UInt64 = 0
        var j = 0
        var low: UserAddr
        if let previous { low = previous.end } else if chunk.count > 1 { low = chunk[0].end; j = 1 } else { return 0 }
        while j < chunk.count {
            let high = gapStart(chunk, j)
            if high > low && high - low > best { best = high - low }
            low = chunk[j].end
            j += 1
        }
        return best
    }

    /// A free, page-aligned range of `length` bytes (get_unmapped_area): the hint if it is free, else
    /// top-down below mmapBase, else top-down anywhere. nil means ENOMEM.
    public func findFreeRange(length: UInt64, hint: UserAddr = UserAddr(0)) -> UserAddr? {
        guard length > 0, length <= limit.value else { return nil }
        let h = hint.pageAlignedDown
        if h.value != 0, h.value <= limit.value - length, isFreeWithGaps(h, h + length) { return h }
        if let a = topDownSearch(length: length, ceiling: mmapBase) { return a }
        return topDownSearch(length: length, ceiling: limit)
    }

    // MARK: Editing

    /// Removes whatever lies in [start, end), splitting areas that straddle the edges; returns the
    /// removed pieces in address order (the kernel unmaps their pages and drops their backings). One
    /// edit of the array however many areas go (a munmap over thousands of areas stays linear).
    mutating func removeRange(_ start: UserAddr, _ end: UserAddr) -> [Area] {
        guard start < end else { return [] }
        let first = firstIndex(endingAbove: start)
        var last = first
        while last < areas.count && areas[last].start < end { last += 1 }
        guard first < last else { return [] }
        let removed = areas[first..<last].map { $0.slice(from: start, to: end) }
        var kept: [Area] = []
        if areas[first].start < start { kept.append(areas[first].slice(from: areas[first].start, to: start)) }
        if areas[last - 1].end > end { kept.append(areas[last - 1].slice(from: end, to: areas[last - 1].end)) }
        areas.replaceSubrange(first..<last, with: kept)
        return removed
    }

    /// Inserts an area over a free range and merges it with compatible neighbours.
    mutating func insert(_ area: Area) {
        var area = area
        if let mode = lockFuture, !area.isSpecial { area.locked = true; area.lockOnFault = mode == .onFault }
        let i = firstIndex(endingAbove: area.start)
        areas.insert(area, at: i)
        merge(around: i)
    }

    /// Merges area `i` with its neighbours where compatible; returns the merged area's index.
    @discardableResult
    mutating func merge(around index: Int) -> Int {
        var i = index
        if i + 1 < areas.count && areas[i].canMerge(with: areas[i + 1]) {
            areas[i].end = areas[i + 1].end
            areas.remove(at: i + 1)
        }
        if i > 0 && areas[i - 1].canMerge(with: areas[i]) {
            areas[i - 1].end = areas[i].end
            areas.remove(at: i)
            i -= 1
        }
        return i
    }

    /// Splits the area containing `a` (if any) so that an area boundary falls at `a`.
    mutating func split(at a: UserAddr) {
        let i = firstIndex(endingAbove: a)
        guard i < areas.count, areas[i].start < a else { return }
        let whole = areas[i]
        areas.replaceSubrange(i...i, with: [whole.slice(from: whole.start, to: a), whole.slice(from: a, to: whole.end)])
    }

    /// Adds an area at exec time (code, data, stack), replacing anything there; no placement rules.
    public mutating func add(_ area: Area) {
        _ = removeRange(area.start, area.end)
        insert(area)
    }

    // MARK: mmap / munmap

    /// mmap: validates like Linux and adds the area (`growsDown`: MAP_GROWSDOWN, a fault below it
    /// grows it as the stack grows). Returns its address and the pieces MAP_FIXED
    /// replaced. Errors: EINVAL (zero length, unaligned fixed address or file offset), ENOMEM (no
    /// room, too long, past the end of user space, too many areas), EPERM (below mmap_min_addr),
    /// EEXIST (MAP_FIXED_NOREPLACE over a mapping), EOVERFLOW (offset + length wraps).
    public mutating func map(length: UInt64, placement: MemoryPlacement, protection: MemoryProtection,
                             maximumProtection: MemoryProtection = .all, sharing: MemorySharing = .private,
                             backing: Backing? = nil, fileOffset: UInt64 = 0,
                             kind: MemoryAreaKind = .mmap, growsDown: Bool = false) throws(Errno) -> (address: UserAddr, replaced: [Area]) {
        guard length > 0 else { throw .EINVAL }
        guard let len = VirtualMemoryMap.pageAlignUp(length), len <= limit.value else { throw .ENOMEM }
        if backing != nil {
            guard fileOffset & VirtualMemoryMap.pageMask == 0 else { throw .EINVAL }
            guard fileOffset <= UInt64.max - len else { throw .EOVERFLOW }
        }
        guard areas.count < maximumAreaCount else { throw .ENOMEM }
        let address: UserAddr
        var replaced: [Area] = []
        switch placement {
        case .fixed(let a), .fixedNoReplace(let a):
            guard a.isPageAligned else { throw .EINVAL }
            guard a.value <= limit.value - len else { throw .ENOMEM }
            guard a >= minimumAddress else { throw .EPERM }
            if case .fixedNoReplace = placement, !isFree(a, a + len) { throw .EEXIST }
            replaced = removeRange(a, a + len)
            address = a
        case .anywhere(let hint):
            guard let a = findFreeRange(length: len, hint: hint) else { throw .ENOMEM }
            address = a
        }
        insert(Area(start: address, end: address + len, protection: protection,
                    maximumProtection: maximumProtection, sharing: sharing, backing: backing,
                    fileOffset: backing == nil ? 0 : fileOffset, kind: kind, growsDown: growsDown))
        return (address, replaced)
    }

    /// munmap: removes [start, start+length) (rounded up to pages); unmapping nothing succeeds.
    /// EINVAL for an unaligned start, a zero length, or a range past the end of user space.
    public mutating func unmap(start: UserAddr, length: UInt64) throws(Errno) -> [Area] {
        guard start.isPageAligned, start.value <= limit.value, length <= limit.value - start.value else { throw .EINVAL }
        guard let len = VirtualMemoryMap.pageAlignUp(length), len > 0 else { throw .EINVAL }
        return removeRange(start, start + len)
    }

    // MARK: mprotect

    /// mprotect: sets the protection of [start, start+length), splitting areas at the edges and
    /// merging afterwards. Like Linux it works through the areas in order and stops at the first
    /// problem, keeping the changes made before it: ENOMEM at a hole (or if the range is not mapped
    /// at all), EACCES where the protection exceeds what the area may have. EINVAL for an unaligned
    /// start. Returns the ranges whose protection changed.
    @discardableResult
    public mutating func protect(start: UserAddr, length: UInt64, protection: MemoryProtection) throws(Errno) -> [UserRange] {
        let (changed, failure) = try protectReporting(start: start, length: length, protection: protection)
        if let failure { throw failure }
        return changed
    }

    /// `protect`, returning the ranges changed before a failure with the failure (the kernel must
    /// update their pages even then). Throws only for a problem found before any change.
    mutating func protectReporting(start: UserAddr, length: UInt64,
                          protection: MemoryProtection) throws(Errno) -> (changed: [UserRange], failure: Errno?) {
        guard start.isPageAligned else { throw .EINVAL }
        guard let len = VirtualMemoryMap.pageAlignUp(length) else { throw .ENOMEM }
        if len == 0 { return ([], nil) }
        let (endValue, overflow) = start.value.addingReportingOverflow(len)
        guard !overflow else { throw .ENOMEM }
        let end = UserAddr(endValue)
        var changed: [UserRange] = []
        var cursor = start
        var i = firstIndex(endingAbove: start)
        guard i < areas.count, areas[i].start <= start else { throw .ENOMEM }
        let firstTouched = i
        var failure: Errno? = nil
        while cursor < end {
            guard i < areas.count, areas[i].start <= cursor else { failure = .ENOMEM; break }
            guard areas[i].maximumProtection.isSuperset(of: protection) else { failure = .EACCES; break }
            if areas[i].start < cursor { split(at: cursor); i += 1 }
            if areas[i].end > end { split(at: end) }
            let pieceEnd = areas[i].end
            if areas[i].protection != protection {
                areas[i].protection = protection
                changed.append(UserRange(start: cursor, end: pieceEnd))
            }
            cursor = pieceEnd
            i += 1
        }
        merge(from: firstTouched - 1, through: i)       // the changed areas and their neighbours
        return (changed, failure)
    }

    /// Merges compatible neighbours among areas `lo` through `hi` (clamped to the array), in one pass
    /// and one edit of the array.
    mutating func merge(from lo: Int, through hi: Int) {
        let first = max(lo, 0), last = min(hi, areas.count - 1)
        guard first < last else { return }
        var kept = first
        for next in (first + 1)...last {
            if areas[kept].canMerge(with: areas[next]) {
                areas[kept].end = areas[next].end
            } else {
                kept += 1
                if kept != next { areas[kept] = areas[next] }     // an unchanged area is not written back
            }
        }
        if kept < last { areas.removeSubrange((kept + 1)...last) }
    }

    // MARK: brk

    /// Sets the initial break at exec (page-aligned up from the end of the data segment).
    public mutating func setInitialBreak(_ a: UserAddr) {
        startBreak = a
        currentBreak = a
    }

    /// brk(2): moves the break and grows or shrinks the heap area to match. Like Linux it never fails
    /// with an error: it returns the new break, or the unchanged one when the request is below the
    /// initial break, past user space, or would run into another mapping (keeping a page between).
    /// `released` are the heap pages a shrink gave back.
    public mutating func setBreak(_ requested: UserAddr) -> (current: UserAddr, released: [Area]) {
        guard requested >= startBreak, requested.value <= limit.value - UInt64(pageSize) else { return (currentBreak, []) }
        let oldEnd = currentBreak.pageAlignedUp
        let newEnd = requested.pageAlignedUp
        if newEnd == oldEnd {
            currentBreak = requested
            return (currentBreak, [])
        }
        if newEnd < oldEnd {
            let released = removeRange(newEnd, oldEnd)
            currentBreak = requested
            return (currentBreak, released)
        }
        // Growing: [oldEnd, newEnd + one page) must be free of areas and stack gaps.
        guard isFreeWithGaps(oldEnd, newEnd + UInt64(pageSize)) else { return (currentBreak, []) }
        let i = firstIndex(endingAbove: oldEnd - 1)
        if oldEnd > startBreak.pageAlignedDown, i < areas.count, areas[i].end == oldEnd, areas[i].kind == .heap {
            areas[i].end = newEnd
            merge(around: i)
        } else {
            insert(Area(start: oldEnd, end: newEnd, protection: [.read, .write], kind: .heap))
        }
        currentBreak = requested
        return (currentBreak, [])
    }

    // MARK: Page faults

    /// How to fill a page.
    public enum PageSource {
        /// Zero-filled anonymous memory.
        case zero
        /// The page of the backing object at this byte offset.
        case file(Backing, offset: UInt64)
    }

    public struct FaultMapping {
        /// The faulting page.
        public var page: UserAddr
        /// The area's protection: the most the page-table entry may allow.
        public var protection: MemoryProtection
        public var source: PageSource
        public var sharing: MemorySharing
        /// A write to a private mapping: the process must get its own copy of the page (copy the file
        /// page, or copy a page still shared with a fork parent/child), never write the original.
        public var copyOnWrite: Bool
        /// The fault grew the stack area down to this page.
        public var grewStack: Bool
        /// The area's kind (the vDSO's areas map shared frames, not new ones).
        public var kind: MemoryAreaKind
    }

    public enum FaultResolution {
        /// Map the page as described.
        case map(FaultMapping)
        /// Send this signal (SIGSEGV with SEGV_MAPERR or SEGV_ACCERR) with si_addr = the address.
        case signal(signo: Int32, code: Int32)
    }

    /// Classifies a user page fault at `address` for `access`, growing the stack first when the
    /// address is in the growth range below it. Read access is allowed by any of r/w/x (arm64 cannot
    /// map write-only or execute-only pages without read, and Linux accepts such reads); writes
    /// need write, instruction fetches need execute.
    public mutating func resolveFault(at address: UserAddr, access: MemoryAccess) -> FaultResolution {
        let segvMapErr = FaultResolution.signal(signo: 11, code: 1)
        guard address.value < limit.value else { return segvMapErr }
        var i = firstIndex(endingAbove: address)
        var grew = false
        if i == areas.count { return segvMapErr }
        if areas[i].start > address {
            guard areas[i].growsDown, canGrowStack(index: i, to: address.pageAlignedDown) else { return segvMapErr }
            areas[i].start = address.pageAlignedDown
            grew = true
            i = firstIndex(endingAbove: address)
        }
        let a = areas[i]
        let allowed: Bool
        switch access {
        case .read: allowed = !a.protection.isEmpty
        case .write: allowed = a.protection.contains(.write)
        case .execute: allowed = a.protection.contains(.execute)
        }
        guard allowed else { return .signal(signo: 11, code: 2) }
        let page = address.pageAlignedDown
        let source: PageSource
        if let backing = a.backing { source = .file(backing, offset: a.fileOffset(of: page)) } else { source = .zero }
        return .map(FaultMapping(page: page, protection: a.protection, source: source, sharing: a.sharing,
                                 copyOnWrite: access == .write && a.sharing == .private, grewStack: grew, kind: a.kind))
    }

    /// Whether the stack area `index` may grow down to `newStart`.
    func canGrowStack(index: Int, to newStart: UserAddr) -> Bool {
        let stack = areas[index]
        guard newStart >= minimumAddress, stack.end - newStart <= stackLimit else { return false }
        if index > 0 {
            let below = areas[index - 1]
            guard newStart >= below.end, newStart - below.end >= stackGuardGap else { return false }
        }
        return true
    }

    /// Total mapped bytes (VmSize): a running total, not a walk.
    public var totalSize: UInt64 { areas.totals.total }

    /// Linux's mmap_base for the top-down layout: below the stack top by the stack's limit (at least
    /// 128 MiB, at most 5/6 of user space) plus the guard gap, page-aligned (no randomization).
    public static func defaultMmapBase(stackTop: UserAddr, stackLimit: UInt64, guardGap: UInt64 = 256 * UInt64(pageSize)) -> UserAddr {
        let minGap: UInt64 = 128 << 20
        let maxGap = stackTop.value / 6 * 5
        let gap = min(max(stackLimit, minGap), maxGap) + guardGap
        return UserAddr(stackTop.value > gap ? stackTop.value - gap : 0).pageAlignedDown
    }

    /// Adds the initial stack at exec: [top - size, top), read-write, growing down.
    public mutating func addStack(top: UserAddr, size: UInt64) {
        let length = VirtualMemoryMap.pageAlignUp(size) ?? UInt64(pageSize)
        add(Area(start: top.pageAlignedDown - length, end: top.pageAlignedDown, protection: [.read, .write],
                 kind: .stack, growsDown: true))
    }

    /// fork: the child's map is a copy (areas share their backings; private pages become
    /// copy-on-write in both, which the kernel arranges in the page tables). Memory locks are not
    /// inherited (Linux's dup_mmap clears VM_LOCKED and VM_LOCKONFAULT; mlockall's MCL_FUTURE goes too).
    public func forked() -> VirtualMemoryMap {
        var child = self
        child.lockFuture = nil
        child.areas.ownCache()
        guard areas.totals.locked != 0 else { return child }
        for i in child.areas.indices where child.areas[i].locked {
            child.areas[i].locked = false
            child.areas[i].lockOnFault = false
        }
        return child
    }
}

/// Where mmap puts a mapping.
public enum MemoryPlacement: Sendable {
    /// No MAP_FIXED: the kernel chooses, trying the (page-aligned down) hint first.
    case anywhere(hint: UserAddr)
    /// MAP_FIXED: exactly there, replacing existing mappings.
    case fixed(UserAddr)
    /// MAP_FIXED_NOREPLACE: exactly there, EEXIST if anything is mapped there.
    case fixedNoReplace(UserAddr)
}

/// The access that faulted.
public enum MemoryAccess: Sendable {
    case read, write, execute
}

// The map is plain data: the kernel keeps it under the process's lock (a SpinLock or Mutex).
extension VirtualMemoryMap: Sendable where Backing: Sendable {}
extension VirtualMemoryMap.FaultMapping: Sendable where Backing: Sendable {}
extension VirtualMemoryMap.PageSource: Sendable where Backing: Sendable {}
extension VirtualMemoryMap.FaultResolution: Sendable where Backing: Sendable {}
