import LichenCore
import LichenAArch64
import AArch64Intrinsics

/// Translation tables reached by the kernel: tables inside the image (the bootstrap pool) through the
/// image mapping, every other table through the direct map.
struct KernelTableMemory: PageTableMemory {
    nonisolated(unsafe) static var poolUsed = 0
    /// The tables of a user address space come out of user space's share of memory (never the reserve).
    var forUser = false

    mutating func allocateTable() -> PhysAddr? {
        let table: PhysAddr
        if let frame = forUser ? PhysicalMemory.allocateForUser() : PhysicalMemory.allocate() {
            table = frame
        } else if PhysicalMemory.allocator == nil, KernelTableMemory.poolUsed < Int(BOOTSTRAP_TABLES) {
            let va = VirtAddr(address_of_lichen_bootstrap_tables()) + UInt64(KernelTableMemory.poolUsed * pageSize)
            KernelTableMemory.poolUsed += 1
            table = KernelLayout.imagePhysical(va)
        } else {
            return nil
        }
        tablePointer(table).initialize(repeating: 0, count: 512)
        return table
    }

    mutating func freeTable(_ table: PhysAddr) {
        if !isInImage(table) { PhysicalMemory.free(table) }
    }

    func readEntry(table: PhysAddr, index: Int) -> UInt64 { tablePointer(table)[index] }

    mutating func writeEntry(table: PhysAddr, index: Int, _ value: UInt64) {
        tablePointer(table)[index] = value
    }

    mutating func breakBeforeMake(virtualAddress: UInt64) { tlb_flush_all() }

    func firstValidEntry(table: PhysAddr, from index: Int) -> Int? {
        PageTableScan.firstValid(in: tablePointer(table), from: index)
    }

    private func isInImage(_ p: PhysAddr) -> Bool {
        p >= KernelLayout.imagePhysicalBase && p < KernelLayout.imagePhysicalBase + KernelLayout.imageSize
    }

    private func tablePointer(_ table: PhysAddr) -> UnsafeMutablePointer<UInt64> {
        let va = isInImage(table)
            ? VirtAddr(table.value - KernelLayout.imagePhysicalBase.value + KernelLayout.imageBase)
            : KernelLayout.directMap(table)
        return va.pointer.assumingMemoryBound(to: UInt64.self)
    }
}

/// The kernel half of every address space: direct map, image with W^X, stacks, MMIO.
enum KernelAddressSpace {
    nonisolated(unsafe) static var table: TranslationTable<KernelTableMemory>? = nil
    nonisolated(unsafe) private static var nextDeviceAddress = KernelLayout.mmioRegionBase

    /// Builds the final kernel tables (while the boot tables are still live).
    static func build(ram: [PhysRange]) throws(MappingError) {
        var t = try TranslationTable<KernelTableMemory>.create(memory: KernelTableMemory())
        for range in ram {
            let start = range.start.pageAlignedUp, end = range.end.pageAlignedDown
            guard end > start else { continue }
            try t.map(virtual: KernelLayout.directMap(start), physical: start, size: end - start,
                      attributes: .kernelData, allowBlocks: true)
        }
        try mapImage(&t, from: KernelLayout.textStart, to: KernelLayout.textEnd, .kernelCode)
        try mapImage(&t, from: KernelLayout.textEnd, to: KernelLayout.rodataEnd, .kernelReadOnly)
        try mapImage(&t, from: KernelLayout.rodataEnd, to: KernelLayout.imageEnd, .kernelData)
        try populateKernelHalf(&t)
        table = t
    }

    /// Gives every kernel region its level-1 table now, so the root's entries 256-511 never change
    /// afterwards and user address spaces can share them by copying (UserAddressSpace).
    private static func populateKernelHalf(_ t: inout TranslationTable<KernelTableMemory>) throws(MappingError) {
        for base in [KernelLayout.directMapBase, KernelLayout.stackRegionBase, KernelLayout.mmioRegionBase, KernelLayout.imageBase] {
            let index = TranslationGeometry.index(of: base, level: 0)
            guard !PageTableEntry(rawValue: t.memory.readEntry(table: t.root, index: index)).isValid else { continue }
            guard let l1 = t.memory.allocateTable() else { throw .outOfMemory }
            t.memory.writeEntry(table: t.root, index: index, PageTableEntry.table(l1).rawValue)
        }
    }

    private static func mapImage(_ t: inout TranslationTable<KernelTableMemory>, from start: VirtAddr, to end: VirtAddr,
                                 _ attributes: MemoryAttributes) throws(MappingError) {
        guard end > start else { return }
        try t.map(virtual: start, physical: KernelLayout.imagePhysical(start), size: end - start,
                  attributes: attributes, allowBlocks: false)
    }

    /// Switches TTBR0 to the new tables (the boot identity map goes away; the image is at the same
    /// address in both) and loads the unit-tested control registers, which enforce W^X in hardware
    /// (SCTLR_EL1.WXN).
    static func activate() {
        guard let table else { return }
        dsb_ishst()
        write_ttbr0(table.root.value)
        isb()
        tlb_flush_all()
        loadTranslationControls()
        if read_sctlr() != SystemControl.kernelValue {
            KernelLog.warning("SCTLR_EL1 is " + Format.hex(read_sctlr()) + ", expected " + Format.hex(SystemControl.kernelValue))
        }
        tlb_flush_all()
    }

    /// Replaces boot.S's bootstrap MAIR_EL1, TCR_EL1 and SCTLR_EL1 (enough for the boot tables) by the
    /// values the host tests check: MemoryTypeIndirection, TranslationControl, SystemControl (the latter
    /// adds WXN, which the boot tables, mapping the image writable, could not have). Every CPU runs this
    /// once its final tables are live (boot.S `secondary_high` on the others); the caller then
    /// invalidates the TLB, which may hold entries tagged with the old TCR.
    static func loadTranslationControls() {
        write_mair(mairEL1Value)
        write_tcr(TranslationControl.kernelValue(mmfr0: read_id_aa64mmfr0()))
        write_sctlr(SystemControl.kernelValue)
        isb()
    }

    /// Maps device registers (page-granular, Device-nGnRE) into the MMIO window.
    static func mapDevice(_ range: PhysRange) throws(MappingError) -> MMIORegion {
        let start = range.start.pageAlignedDown
        let size = (range.end.pageAlignedUp) - start
        let va = VirtAddr(nextDeviceAddress)
        try table!.map(virtual: va, physical: start, size: size, attributes: .kernelDevice, allowBlocks: false)
        nextDeviceAddress += size + UInt64(pageSize)        // a hole between windows catches overruns
        dsb_ishst()
        isb()
        return MMIORegion(base: va + range.start.pageOffset)
    }

    static func unmapKernelMemory(virtual: VirtAddr, size: UInt64) {
        try? table!.unmap(virtual: virtual, size: size)
        tlb_flush_all()
    }

    static func mapKernelMemory(virtual: VirtAddr, physical: PhysAddr, size: UInt64) throws(MappingError) {
        try table!.map(virtual: virtual, physical: physical, size: size, attributes: .kernelData, allowBlocks: false)
        dsb_ishst()
        isb()
    }
}

/// boot.S `secondary_high`: a secondary CPU, on its stack with the final tables, loads the control registers.
@_cdecl("lichen_load_translation_controls")
func lichenLoadTranslationControls() { KernelAddressSpace.loadTranslationControls() }

/// Kernel stacks: 16 KiB each, in 32 KiB slots whose lower half stays unmapped as a guard page area
/// (vectors.S relies on this layout to detect overflow).
enum KernelStacks {
    nonisolated(unsafe) private static var slotsUsed = 0

    /// A new stack; returns its top (initial SP).
    static func allocate() -> VirtAddr? {
        guard let frames = PhysicalMemory.allocate(order: 2) else { return nil }
        let slot = VirtAddr(KernelLayout.stackRegionBase + UInt64(slotsUsed) * KernelLayout.stackSlotSize)
        let bottom = slot + (KernelLayout.stackSlotSize - KernelLayout.stackSize)
        do { try KernelAddressSpace.mapKernelMemory(virtual: bottom, physical: frames, size: KernelLayout.stackSize) }
        catch { return nil }
        slotsUsed += 1
        return slot + KernelLayout.stackSlotSize
    }

    /// Whether `address` lies in a mapped (non-guard) part of some kernel stack.
    static func isMapped(_ address: UInt64) -> Bool {
        guard address >= KernelLayout.stackRegionBase else { return false }
        let offset = address - KernelLayout.stackRegionBase
        return offset / KernelLayout.stackSlotSize < UInt64(slotsUsed)
            && offset % KernelLayout.stackSlotSize >= KernelLayout.stackSlotSize - KernelLayout.stackSize
    }
}
