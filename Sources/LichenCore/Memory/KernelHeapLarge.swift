/// Page-run side of `KernelHeap`: requests too big or too aligned for a slab.
extension KernelHeap {
    mutating func allocateLarge(size: Int, alignment: Int) -> UnsafeMutableRawPointer? {
        let offset = max(HeapSizeClass.headerBytes, alignment)
        guard size <= (pageSize << Self.maxRunOrder) - offset else { return nil }
        let pages = (offset + size + pageSize - 1) >> pageShift
        var order = 0
        while 1 << order < pages { order += 1 }
        guard let run = source.allocatePages(order: order) else { return nil }
        precondition(UInt(bitPattern: run) & UInt(pageSize - 1) == 0, "KernelHeap: unaligned page")
        let header = run.bindMemory(to: LargeHeader.self, capacity: 1)
        header.initialize(to: LargeHeader(
            magic: HeapMagic.tag(HeapMagic.large, run), order: UInt8(order), userOffset: UInt16(offset)))
        stats.pagesHeld += 1 << order
        stats.largeAllocations += 1
        account(sizeClass: nil, header.pointee.usableSize, +1)
        return run + offset
    }

    mutating func freeLarge(_ header: UnsafeMutablePointer<LargeHeader>) {
        let run = UnsafeMutableRawPointer(header)
        let order = Int(header.pointee.order)
        account(sizeClass: nil, header.pointee.usableSize, -1)
        stats.pagesHeld -= 1 << order
        stats.largeAllocations -= 1
        header.pointee.magic = HeapMagic.tag(HeapMagic.freed, run)
        source.freePages(run, order: order)
    }
}
