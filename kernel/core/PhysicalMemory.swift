import LichenCore
import LichenAsyncRuntime
import Synchronization

/// The kernel's physical frame allocator (a buddy allocator from LichenCore), set up once the memory
/// map is known. Callable with IRQs on or off, from any CPU (the threads of one process fault and
/// unmap on several CPUs at once): every use is under `allocatorLock`.
enum PhysicalMemory {
    nonisolated(unsafe) static var allocator: FrameAllocator? = nil
    /// A C spinlock, not a SpinLock object: the heap takes frames from here under its own lock, so
    /// this lock must not allocate when first used.
    nonisolated(unsafe) private static var allocatorLock = LichenSpinLock()

    private static func locked<T>(_ body: () -> T) -> T {
        let daif = lichen_spin_lock_irqsave(&allocatorLock)
        defer { lichen_spin_unlock_irqrestore(&allocatorLock, daif) }
        return body()
    }

    static func allocate(order: Int = 0) -> PhysAddr? {
        locked {
            guard allocator != nil else { return nil }
            do throws(MemoryError) { return try allocator!.allocate(order: order) } catch { return nil }
        }
    }

    /// Frames only the kernel's own allocations (heap, its page tables) may take: user pages, user
    /// page tables, tmpfs data and user-sized buffers stop short of them, so a program that eats all
    /// memory gets ENOMEM (or its fault fails) while the kernel keeps working. 1/64 of RAM, at least 2 MiB.
    nonisolated(unsafe) private static var reserve = 0

    /// Threads created (fork, clone) that have not run yet. Each takes kernel memory when it first runs
    /// (its task's first frame slab, its first steps), which fork and clone did not allocate: until then
    /// user space is kept off their share as off the reserve. Otherwise a fork bomb creates thousands of
    /// children faster than they run, user memory fills up meanwhile, and the children's first steps
    /// find no frame left for the kernel (Linux allocates a child's kernel stack in fork itself).
    static let startingThreads = Atomic<Int>(0)
    static let framesPerStartingThread = 4

    /// The frames user space must leave free: the reserve and the starting threads' share.
    private static var userReserve: Int {
        reserve + max(startingThreads.load(ordering: .relaxed), 0) * framesPerStartingThread
    }

    /// A frame (or a block of 2^order) for something user space caused; nil when that would leave less
    /// than the reserve (and the starting threads' share).
    static func allocateForUser(order: Int = 0) -> PhysAddr? {
        let keep = userReserve
        return locked { allocator?.allocate(keeping: keep, order: order) ?? nil }
    }

    /// The frames kept for the kernel's own allocations (MemAvailable leaves them out).
    static var reservedFrames: Int { reserve }

    /// Whether user space may start something that needs `frames` more of the kernel's own memory
    /// (fork: the heap objects of a process) without eating into the reserve.
    static func hasRoomForUser(frames: Int) -> Bool {
        (stats?.freeFrames ?? 0) > userReserve + frames
    }

    /// Whether a kernel allocation of `bytes` in one run (a heap run: its header, rounded up to a
    /// power-of-two block) would find a free block, without eating into the reserve. Swift's
    /// allocations trap when the heap fails, so user-sized ones ask first.
    static func hasRoomForUser(contiguousBytes bytes: Int) -> Bool {
        let pages = (bytes + pageSize) / pageSize          // a page more for the run's header
        var order = 0
        while 1 << order < pages { order += 1 }
        guard order <= FrameAllocator.maxOrder, let s = stats, s.freeFrames > userReserve + (1 << order) else { return false }
        return (order...FrameAllocator.maxOrder).contains { s.freeBlocks(order: $0) > 0 }
    }

    static func free(_ frame: PhysAddr, order: Int = 0) {
        // A frame user space still maps must not be freed (read without the lock: a sanity check).
        if order == 0, referenceTable.isSet, referenceTable[frame] != 0 {
            Panic.halt("frame allocator: free of a frame user space still maps: " + Format.hex(frame.value), framePointer: currentFramePointer())
        }
        let failed: Bool = locked {
            do throws(MemoryError) { try allocator?.free(frame, order: order); return false } catch { return true }
        }
        if failed { Panic.halt("frame allocator: bad free of " + Format.hex(frame.value), framePointer: currentFramePointer()) }
    }

    static var stats: FrameAllocatorStats? { locked { allocator?.stats } }

    /// All RAM the allocator manages, in bytes.
    static var totalBytes: UInt64 { UInt64(stats?.totalFrames ?? 0) * UInt64(pageSize) }

    // MARK: user page sharing (copy-on-write after fork)

    /// Where the counts are, fixed at boot (before the heap exists, so before the lock below can be
    /// made); `free` reads it without the lock for a sanity check.
    nonisolated(unsafe) private static var referenceTable = UserFrameReferences()
    /// How many address spaces map each frame of the span, for frames given to user space: the
    /// counts change only through this lock (made on first use, after boot).
    private static let referenceCounts = SpinLock(referenceTable)

    /// A frame newly mapped into one user address space.
    static func setUserReferences(_ frame: PhysAddr, _ count: UInt16) {
        referenceCounts.withLock { $0[frame] = count }
    }

    /// Another address space maps `frame` now (fork). The vDSO's frames are not counted: every
    /// process maps them and they are never freed (Vdso).
    static func shareUserPage(_ frame: PhysAddr) {
        if Vdso.owns(frame) || ZeroPage.owns(frame) { return }
        referenceCounts.withLock { $0[frame] += 1 }
    }

    /// The vDSO's frames and the zero page count as shared by many: a write to one copies it first.
    static func userReferences(_ frame: PhysAddr) -> Int {
        if Vdso.owns(frame) || ZeroPage.owns(frame) { return Int(UInt16.max) }
        return referenceCounts.withLock { Int($0[frame]) }
    }

    /// One address space stopped mapping `frame`; the last one frees it (never a vDSO frame nor the zero page).
    static func releaseUserPage(_ frame: PhysAddr) {
        if Vdso.owns(frame) || ZeroPage.owns(frame) { return }
        let (last, underflow): (Bool, Bool) = referenceCounts.withLock { counts in
            guard counts[frame] > 0 else { return (false, true) }
            counts[frame] -= 1
            return (counts[frame] == 0, false)
        }
        if underflow { Panic.halt("user frame released more often than mapped: " + Format.hex(frame.value), framePointer: currentFramePointer()) }
        if last { free(frame) }
    }

    /// Builds the allocator over `usable` RAM; its metadata (like Linux's struct page array) is carved
    /// out of that RAM first and reached through the direct map.
    static func initialize(usable: MemoryMap, span: PhysRange) -> Bool {
        var free = usable
        let count = FrameAllocator.metadataCount(for: span)
        let bytes = UInt64(count * MemoryLayout<FrameInfo>.stride)
        guard let metadataRange = free.take(size: (bytes + UInt64(pageSize) - 1) & ~UInt64(pageSize - 1)) else { return false }
        let metadata = KernelLayout.directMap(metadataRange.start).pointer.bindMemory(to: FrameInfo.self, capacity: count)
        let referenceBytes = UInt64(count * 2 + pageSize - 1) & ~UInt64(pageSize - 1)
        guard let referenceRange = free.take(size: referenceBytes) else { return false }
        let counts = KernelLayout.directMap(referenceRange.start).pointer.bindMemory(to: UInt16.self, capacity: count)
        counts.initialize(repeating: 0, count: count)
        referenceTable = UserFrameReferences(counts: counts,
                                             spanBase: span.start.alignedDown(to: UInt64(pageSize) << FrameAllocator.maxOrder).frame)
        var frames = FrameAllocator(span: span, metadata: UnsafeMutableBufferPointer(start: metadata, count: count))
        for range in free.ranges { frames.addFreeRange(range) }
        reserve = max(512, frames.stats.totalFrames / 64)
        allocator = frames
        return true
    }
}
