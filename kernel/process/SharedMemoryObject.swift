import LichenCore

/// The memory behind a MAP_SHARED|MAP_ANONYMOUS mapping (Linux's shmem object from
/// shmem_zero_setup): its pages by offset, each allocated zeroed when a process mapping it first
/// touches it. The object exists from mmap on, for the whole mapping, and every area that maps it
/// (after fork, in a grandchild, after mprotect or mremap splits, an mremap alias) refers to it, so
/// all of them fault in the same frames whoever touches a page first. Its size is fixed at mmap:
/// there are no pages beyond it (a fault there is SIGBUS, as on Linux after an mremap that grew it).
final class SharedMemoryObject {
    let size: UInt64
    /// One user reference of each frame belongs to the object; each page-table entry holds another.
    /// Processes (each under its own memory lock) fault in the same object on several CPUs.
    private let pages = UnfairSpinLock(SparsePages<PhysAddr>())

    init(size: UInt64) { self.size = size }

    deinit {
        for frame in pages.withLock({ $0.allValues }) { PhysicalMemory.releaseUserPage(frame) }
    }

    /// MADV_REMOVE: the pages in [start, end) (byte offsets) go; they read as zeros again. The mappings
    /// must drop their entries for them too.
    func removePages(_ start: UInt64, _ end: UInt64) {
        let removed = pages.withLock { pages in pages.remove(start / UInt64(pageSize)..<(end + UInt64(pageSize) - 1) / UInt64(pageSize)) }
        for frame in removed { PhysicalMemory.releaseUserPage(frame) }
    }

    /// The frame of the page at `offset` (page-aligned, below `size`), allocated zeroed on first use,
    /// with a user reference taken for the caller's page-table entry. nil when memory ran out.
    func frame(at offset: UInt64) -> PhysAddr? {
        pages.withLock { (pages: inout SparsePages<PhysAddr>) -> PhysAddr? in
            let index = offset / UInt64(pageSize)
            if let frame = pages[index] {
                PhysicalMemory.shareUserPage(frame)
                return frame
            }
            guard let frame = PhysicalMemory.allocateForUser() else { return nil }
            KernelLayout.directMap(frame).pointer.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
            PhysicalMemory.setUserReferences(frame, 2)          // the object's and the caller's
            pages.set(frame, at: index)
            return frame
        }
    }
}
