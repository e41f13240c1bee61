/// The kernel heap: what Swift's allocations (malloc/posix_memalign/free) land on in the kernel.
///
/// Small requests come from one-page slabs of fixed size classes (`HeapSizeClass`), larger or
/// more aligned ones from whole page runs. Every heap page starts with a header, so `free`
/// finds it by aligning the pointer down. Being the allocator, it never allocates Swift heap
/// memory itself. Not thread-safe; the kernel wraps it in a lock.
public struct KernelHeap<Source: HeapPageSource> {
    /// Largest page run (2^10 pages = 4 MiB, the frame allocator's largest block).
    public static var maxRunOrder: Int { FrameAllocator.maxOrder }

    public internal(set) var source: Source
    public internal(set) var stats = KernelHeapStats()
    /// Per class: slabs with at least one free object, doubly linked.
    var partial = InlineArray<14, UnsafeMutablePointer<SlabHeader>?>(repeating: nil)
    /// Per class: how many slabs in `partial` are empty (0 or 1: the spare).
    var emptySlabs = InlineArray<14, Int>(repeating: 0)

    public init(source: Source) { self.source = source }

    /// `size` bytes aligned to `alignment` (a power of two up to 4096; at least 16 is given),
    /// or nil when memory is exhausted or the request is invalid. Size 0 gets a unique pointer.
    public mutating func allocate(size: Int, alignment: Int = HeapSizeClass.minAlignment) -> UnsafeMutableRawPointer? {
        guard size >= 0, alignment > 0, alignment & (alignment - 1) == 0, alignment <= pageSize else { return nil }
        let align = max(alignment, HeapSizeClass.minAlignment)
        if let c = HeapSizeClass.index(size: max(size, 1), alignment: align) {
            return allocateObject(sizeClass: c)
        }
        return allocateLarge(size: size, alignment: align)
    }

    /// Frees a pointer returned by `allocate`. Slab objects are checked exactly (a bitmap);
    /// page runs are caught while their header page has not been reused.
    public mutating func free(_ p: UnsafeMutableRawPointer) throws(MemoryError) {
        switch try locate(p) {
        case .object(let slab, let index): freeObject(slab, index: index)
        case .large(let header): freeLarge(header)
        }
    }

    /// Bytes usable at `p` (at least what was asked for).
    public func usableSize(of p: UnsafeMutableRawPointer) throws(MemoryError) -> Int {
        switch try locate(p) {
        case .object(let slab, _): Int(slab.pointee.objectSize)
        case .large(let header): header.pointee.usableSize
        }
    }

    /// Like realloc: keeps `p` when it already fits, else moves the contents. Returns nil (and
    /// leaves `p` allocated) when memory is exhausted.
    public mutating func reallocate(_ p: UnsafeMutableRawPointer, size: Int,
                                    alignment: Int = HeapSizeClass.minAlignment) throws(MemoryError) -> UnsafeMutableRawPointer? {
        let old = try usableSize(of: p)
        if size >= 0, size <= old, alignment > 0, alignment & (alignment - 1) == 0,
           UInt(bitPattern: p) & UInt(alignment - 1) == 0 { return p }
        guard let new = allocate(size: size, alignment: alignment) else { return nil }
        new.copyMemory(from: p, byteCount: min(old, size))
        try free(p)
        return new
    }

    /// Gives every class's spare empty slab back to the source.
    public mutating func releaseSpareSlabs() {
        for c in 0..<HeapSizeClass.count where emptySlabs[c] > 0 {
            var s = partial[c]
            while let slab = s, slab.pointee.inUse != 0 { s = slab.pointee.next }
            if let slab = s { unlink(slab, sizeClass: c); releaseSlab(slab, sizeClass: c) }
            emptySlabs[c] = 0
        }
    }

    /// Finds the header of the block `p` was allocated as, validating it.
    func locate(_ p: UnsafeMutableRawPointer) throws(MemoryError) -> HeapBlock {
        let addr = UInt(bitPattern: p)
        let offset = Int(addr & UInt(pageSize - 1))
        // A page-aligned pointer is a 4096-aligned run whose header is one page below.
        let headerOffset = offset == 0 ? pageSize : offset
        guard addr & UInt(HeapSizeClass.minAlignment - 1) == 0, addr > UInt(headerOffset),
              let page = UnsafeMutableRawPointer(bitPattern: addr - UInt(headerOffset))
        else { throw .invalidAddress }
        let magic = page.load(as: UInt32.self)
        if magic == HeapMagic.tag(HeapMagic.large, page) {
            let header = page.assumingMemoryBound(to: LargeHeader.self)
            guard Int(header.pointee.userOffset) == headerOffset else { throw .invalidAddress }
            return .large(header)
        }
        if offset != 0, magic == HeapMagic.tag(HeapMagic.slab, page) {
            let slab = page.assumingMemoryBound(to: SlabHeader.self)
            guard let index = objectIndex(offset: offset, in: slab) else { throw .invalidAddress }
            guard slab.isAllocated(index) else { throw .doubleFree }
            return .object(slab, index: index)
        }
        if magic == HeapMagic.tag(HeapMagic.freed, page) { throw .doubleFree }
        throw .invalidAddress
    }
}
