import LichenCore

/// What a VMA with a backing maps: either anonymous shared memory (Linux's shmem object from
/// shmem_zero_setup: its pages by offset, each allocated zeroed when a process mapping it first
/// touches it), or a file's pages through its page cache (FilePageCache: tmpfs today). The object
/// exists from mmap on, and every area that maps it (after fork, in a grandchild, after mprotect or
/// mremap splits, an mremap alias) refers to it, so all of them fault in the same frames whoever
/// touches a page first. An anonymous object's size is fixed at mmap: there are no pages beyond it
/// (a fault there is SIGBUS, as on Linux after an mremap that grew it); a file's end is the file's.
final class SharedMemoryObject {
    let size: UInt64
    /// One user reference of each frame belongs to the object; each page-table entry holds another.
    /// Processes (each under its own memory lock) fault in the same object on several CPUs.
    private let pages = UnfairSpinLock(SparsePages<PhysAddr>())
    /// The mapped file's pages, nil for anonymous memory.
    let file: (any FilePageCache)?
    /// MAP_SHARED of a file opened for writing (the count F_SEAL_WRITE looks at).
    let sharedWritable: Bool
    /// /proc/<pid>/maps: "major:minor inode path" of the mapped file.
    let mapsName: [UInt8]
    /// The file mmap mapped (Linux's vm_file), for msync(MS_SYNC)'s filesystem sync; nil for
    /// anonymous memory, programs and SysV segments.
    let location: Location?

    init(size: UInt64) {
        self.size = size
        file = nil
        sharedWritable = false
        mapsName = []
        location = nil
    }

    /// A mapping of `file` (its cache already agreed: `FilePageCache.mappingAdded`).
    init(file: any FilePageCache, sharedWritable: Bool, mapsName: [UInt8], location: Location? = nil) {
        size = 0
        self.file = file
        self.sharedWritable = sharedWritable
        self.mapsName = mapsName
        self.location = location
    }

    deinit {
        if let file { file.mappingRemoved(sharedWritable: sharedWritable) }
        for frame in pages.withLock({ $0.allValues }) { PhysicalMemory.releaseUserPage(frame) }
    }

    /// MADV_REMOVE: the pages in [start, end) (byte offsets) go; they read as zeros again. The mappings
    /// must drop their entries for them too.
    func removePages(_ start: UInt64, _ end: UInt64) {
        let removed = pages.withLock { pages in pages.remove(start / UInt64(pageSize)..<(end + UInt64(pageSize) - 1) / UInt64(pageSize)) }
        for frame in removed { PhysicalMemory.releaseUserPage(frame) }
    }

    enum Page {
        case frame(PhysAddr)
        /// Past the object's end (SIGBUS BUS_ADRERR), or the filesystem is full (SIGBUS too).
        case beyondEnd
        case outOfMemory
        /// A disk file's page not in memory: read it in (`ProcessMemory.readIn`) and fault again.
        case readIn(any FilePageCache, Int64)
    }

    /// A file's page at `offset` only if its cache holds it (fault-around), its reference taken:
    /// never a hole allocated, never a read. Nil otherwise, and for anonymous memory.
    func cachedPage(at offset: UInt64) -> PhysAddr? {
        guard let file, offset <= UInt64(Int64.max),
              case .page(let pointer) = file.mapCachedPage(at: Int64(offset / UInt64(pageSize))) else { return nil }
        return PhysAddr(UInt64(UInt(bitPattern: pointer)) - KernelLayout.directMapBase)
    }

    /// The frame of the page at `offset` (page-aligned), with a user reference taken for the caller's
    /// page-table entry: a file's page from its cache, an anonymous page allocated zeroed on first use.
    func page(at offset: UInt64) -> Page {
        if let file {
            guard offset <= UInt64(Int64.max) else { return .beyondEnd }
            switch file.mapPage(at: Int64(offset / UInt64(pageSize))) {
            case .page(let pointer): return .frame(PhysAddr(UInt64(UInt(bitPattern: pointer)) - KernelLayout.directMapBase))
            case .beyondEnd, .noSpace: return .beyondEnd
            case .outOfMemory: return .outOfMemory
            case .notCached: return .readIn(file, Int64(offset / UInt64(pageSize)))
            }
        }
        guard offset < size else { return .beyondEnd }
        return pages.withLock { (pages: inout SparsePages<PhysAddr>) -> Page in
            let index = offset / UInt64(pageSize)
            if let frame = pages[index] {
                PhysicalMemory.shareUserPage(frame)
                return .frame(frame)
            }
            guard let frame = PhysicalMemory.allocateForUser() else { return .outOfMemory }
            KernelLayout.directMap(frame).pointer.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
            PhysicalMemory.setUserReferences(frame, 2)          // the object's and the caller's
            pages.set(frame, at: index)
            return .frame(frame)
        }
    }
}
