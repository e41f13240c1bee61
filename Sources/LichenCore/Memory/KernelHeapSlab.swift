/// Slab side of `KernelHeap`: one-page slabs per size class.
extension KernelHeap {
    mutating func allocateObject(sizeClass c: Int) -> UnsafeMutableRawPointer? {
        if partial[c] == nil, !addSlab(sizeClass: c) { return nil }
        guard let slab = partial[c] else { return nil }
        let page = UnsafeMutableRawPointer(slab)
        let offset = Int(slab.pointee.freeHead)
        let size = Int(slab.pointee.objectSize)
        let index = (offset - Int(slab.pointee.firstOffset)) / size
        if slab.pointee.inUse == 0 { emptySlabs[c] -= 1 }
        slab.pointee.inUse += 1
        slab.setAllocated(index, true)
        // The link lives in freed memory, which a use-after-free may have overwritten: check
        // it against the bitmap and rebuild the list from the bitmap if it is wrong.
        let next = page.load(fromByteOffset: offset, as: UInt16.self)
        if isValidLink(next, in: slab) { slab.pointee.freeHead = next } else { rebuildFreeList(slab) }
        if slab.pointee.inUse == slab.pointee.capacity { unlink(slab, sizeClass: c) }
        account(sizeClass: c, size, +1)
        return page + offset
    }

    mutating func freeObject(_ slab: UnsafeMutablePointer<SlabHeader>, index: Int) {
        let c = Int(slab.pointee.sizeClass)
        let size = Int(slab.pointee.objectSize)
        let offset = Int(slab.pointee.firstOffset) + index * size
        slab.setAllocated(index, false)
        UnsafeMutableRawPointer(slab).storeBytes(of: slab.pointee.freeHead, toByteOffset: offset, as: UInt16.self)
        slab.pointee.freeHead = UInt16(offset)
        if slab.pointee.inUse == slab.pointee.capacity { push(slab, sizeClass: c) }
        slab.pointee.inUse -= 1
        account(sizeClass: c, size, -1)
        guard slab.pointee.inUse == 0 else { return }
        // Keep one empty slab per class to avoid page ping-pong; give back the others.
        if emptySlabs[c] > 0 {
            unlink(slab, sizeClass: c)
            releaseSlab(slab, sizeClass: c)
        } else {
            emptySlabs[c] = 1
        }
    }

    /// Index of the object starting at page offset `offset`, if one does.
    func objectIndex(offset: Int, in slab: UnsafeMutablePointer<SlabHeader>) -> Int? {
        let rel = offset - Int(slab.pointee.firstOffset)
        let size = Int(slab.pointee.objectSize)
        guard rel >= 0, size > 0 else { return nil }
        let (index, remainder) = rel.quotientAndRemainder(dividingBy: size)
        guard remainder == 0, index < Int(slab.pointee.capacity) else { return nil }
        return index
    }

    /// Whether `link` can follow in the free list: a free object, or the end exactly when no
    /// free object remains.
    func isValidLink(_ link: UInt16, in slab: UnsafeMutablePointer<SlabHeader>) -> Bool {
        if link == 0 { return slab.pointee.inUse == slab.pointee.capacity }
        guard let index = objectIndex(offset: Int(link), in: slab) else { return false }
        return !slab.isAllocated(index)
    }

    /// Threads the free list through every object the bitmap marks free, lowest first.
    func rebuildFreeList(_ slab: UnsafeMutablePointer<SlabHeader>) {
        let page = UnsafeMutableRawPointer(slab)
        let first = Int(slab.pointee.firstOffset), size = Int(slab.pointee.objectSize)
        var head: UInt16 = 0
        for i in stride(from: Int(slab.pointee.capacity) - 1, through: 0, by: -1) where !slab.isAllocated(i) {
            let offset = first + i * size
            page.storeBytes(of: head, toByteOffset: offset, as: UInt16.self)
            head = UInt16(offset)
        }
        slab.pointee.freeHead = head
    }

    mutating func addSlab(sizeClass c: Int) -> Bool {
        guard let page = source.allocatePages(order: 0) else { return false }
        precondition(UInt(bitPattern: page) & UInt(pageSize - 1) == 0, "KernelHeap: unaligned page")
        let slab = page.bindMemory(to: SlabHeader.self, capacity: 1)
        slab.initialize(to: SlabHeader(
            magic: HeapMagic.tag(HeapMagic.slab, page), sizeClass: UInt8(c), inUse: 0,
            capacity: UInt16(HeapSizeClass.capacity(c)), freeHead: 0,
            objectSize: UInt16(HeapSizeClass.size(c)), firstOffset: UInt16(HeapSizeClass.firstOffset(c)), next: nil, prev: nil,
            bitmap: InlineArray(repeating: 0)))
        rebuildFreeList(slab)
        push(slab, sizeClass: c)
        emptySlabs[c] += 1
        stats.pagesHeld += 1
        stats.classSlabs[c] += 1
        return true
    }

    mutating func releaseSlab(_ slab: UnsafeMutablePointer<SlabHeader>, sizeClass c: Int) {
        let page = UnsafeMutableRawPointer(slab)
        slab.pointee.magic = HeapMagic.tag(HeapMagic.freed, page)
        stats.pagesHeld -= 1
        stats.classSlabs[c] -= 1
        source.freePages(page, order: 0)
    }

    mutating func push(_ slab: UnsafeMutablePointer<SlabHeader>, sizeClass c: Int) {
        slab.pointee.prev = nil
        slab.pointee.next = partial[c]
        partial[c]?.pointee.prev = slab
        partial[c] = slab
    }

    mutating func unlink(_ slab: UnsafeMutablePointer<SlabHeader>, sizeClass c: Int) {
        if let prev = slab.pointee.prev { prev.pointee.next = slab.pointee.next } else { partial[c] = slab.pointee.next }
        slab.pointee.next?.pointee.prev = slab.pointee.prev
        slab.pointee.next = nil
        slab.pointee.prev = nil
    }

    mutating func account(sizeClass c: Int?, _ bytes: Int, _ delta: Int) {
        stats.liveAllocations += delta
        stats.bytesInUse += delta * bytes
        if let c { stats.classLive[c] += delta }
    }
}
