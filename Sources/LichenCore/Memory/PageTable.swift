// One page-table tree (one root's worth: AArch64's TTBR0/TTBR1), generic over the descriptor format:
// map, unmap, protect, translate, destroy. The walks, the bulk operations (PageTableBulk.swift) and
// their host tests serve every architecture; a format only says how entries are encoded. Either
// canonical half works (both index the same VA bits); user-address entry points check the lower half.
//
// Operations either complete or throw with the tables unchanged (the bulk page operations for exec, fork
// and teardown, PageTableBulk.swift, stop part-way instead). They do not touch the TLB
// except through `breakBeforeMake`: after unmap/protect the caller invalidates the range.
// Unmapping never frees intermediate tables (a walk cache may still hold them); `destroy`
// frees the whole tree once the address space is dead and its TLB entries are gone.

public struct PageTable<Entry: PageTableFormat, Memory: PageTableMemory> {
    typealias Geometry = PageTableGeometry<Entry>

    /// The level 0 table: what the MMU's root register takes (AArch64: TTBR0_EL1 with the ASID).
    public let root: PhysAddr
    public var memory: Memory

    /// Adopts an existing tree rooted at `root`.
    public init(root: PhysAddr, memory: Memory) {
        self.root = root
        self.memory = memory
    }

    /// A tree with an empty root table.
    public static func create(memory: Memory) throws(MappingError) -> Self {
        var memory = memory
        guard let root = memory.allocateTable() else { throw .outOfMemory }
        return Self(root: root, memory: memory)
    }

    /// A successful walk.
    public struct Translation: Hashable, Sendable {
        public var physical: PhysAddr
        public var attributes: MemoryAttributes
        /// Level of the leaf (AArch64: 1 for a 1 GiB block, 2 for 2 MiB, 3 for a 4 KiB page).
        public var level: Int
        public var entry: Entry
        public var mappingSize: UInt64 { Geometry.entrySize(level: level) }
    }

    /// Maps [virtual, virtual+size) to [physical, physical+size). With `allowBlocks`, uses
    /// blocks (AArch64: 1 GiB and 2 MiB) wherever both addresses are aligned and the range covers the block.
    public mutating func map(virtual: VirtAddr, physical: PhysAddr, size: UInt64,
                             attributes: MemoryAttributes, allowBlocks: Bool) throws(MappingError) {
        try map(virtual.value, physical: physical, size: size, attributes: attributes, allowBlocks: allowBlocks)
    }

    public mutating func map(virtual: UserAddr, physical: PhysAddr, size: UInt64,
                             attributes: MemoryAttributes, allowBlocks: Bool) throws(MappingError) {
        try Self.checkUser(virtual)
        try map(virtual.value, physical: physical, size: size, attributes: attributes, allowBlocks: allowBlocks)
    }

    /// Removes every mapping in [virtual, virtual+size); unmapped holes are fine. Blocks only
    /// partly inside the range are split (which can need tables, hence `.outOfMemory`).
    public mutating func unmap(virtual: VirtAddr, size: UInt64) throws(MappingError) {
        try apply(.unmap, virtual.value, size: size)
    }

    public mutating func unmap(virtual: UserAddr, size: UInt64) throws(MappingError) {
        try Self.checkUser(virtual)
        try apply(.unmap, virtual.value, size: size)
    }

    /// Replaces the attributes of every mapping in [virtual, virtual+size), splitting blocks at
    /// the edges. Every page must be mapped (`.notMapped` otherwise).
    public mutating func protect(virtual: VirtAddr, size: UInt64, attributes: MemoryAttributes) throws(MappingError) {
        try attributes.validate()
        try apply(.protect(attributes), virtual.value, size: size)
    }

    public mutating func protect(virtual: UserAddr, size: UInt64, attributes: MemoryAttributes) throws(MappingError) {
        try Self.checkUser(virtual)
        try attributes.validate()
        try apply(.protect(attributes), virtual.value, size: size)
    }

    /// Walks the tree like the hardware does.
    public func translate(_ va: VirtAddr) -> Translation? { lookup(va.value) }

    public func translate(_ va: UserAddr) -> Translation? {
        Geometry.isLowerHalf(va.value) ? lookup(va.value) : nil
    }

    /// The lowest mapped address in [first, last] (first rounded down to a page) and its translation,
    /// skipping absent tables whole: tearing down a huge, sparsely touched area costs what is mapped.
    public func firstMapping(from first: UserAddr, through last: UserAddr) -> (address: UserAddr, translation: Translation)? {
        guard first <= last, Geometry.isLowerHalf(last.value) else { return nil }
        guard let va = firstMapped(root, level: 0, from: first.value & ~(Geometry.pageSize - 1),
                                   through: last.value) else { return nil }
        return lookup(va).map { (UserAddr(va), $0) }
    }

    /// Frees every table of the tree, the root included, and hands back the memory.
    public consuming func destroy() -> Memory {
        freeTree(root, level: 0)
        return memory
    }

    // MARK: - Internals

    private static func checkUser(_ va: UserAddr) throws(MappingError) {
        guard va.value < Geometry.userLimit else { throw .invalidAddress }
    }

    private mutating func map(_ va: UInt64, physical: PhysAddr, size: UInt64,
                              attributes: MemoryAttributes, allowBlocks: Bool) throws(MappingError) {
        try attributes.validate()
        guard physical.isPageAligned else { throw .misaligned }
        let (end, overflow) = physical.value.addingReportingOverflow(size)
        guard !overflow, end <= Geometry.physicalAddressLimit else { throw .invalidAddress }
        let operation = RangeOperation.map(physicalOffset: physical.value &- va, attributes: attributes,
                                           allowBlocks: allowBlocks)
        try apply(operation, va, size: size)
    }

    /// Checks the range, counts and reserves the tables the operation needs, then commits.
    private mutating func apply(_ operation: RangeOperation, _ va: UInt64, size: UInt64) throws(MappingError) {
        guard size > 0, va & (Geometry.pageSize - 1) == 0,
              size & (Geometry.pageSize - 1) == 0 else { throw .misaligned }
        guard Geometry.isCanonicalRange(va, size: size) else { throw .invalidAddress }
        let last = va + (size - 1)
        var reserve = TableReserve()
        let needed = try walk(.real(root), level: 0, first: va, last: last, operation, commit: false, &reserve)
        try reserve.fill(needed, from: &memory)
        do {
            _ = try walk(.real(root), level: 0, first: va, last: last, operation, commit: true, &reserve)
        } catch {
            fatalError("translation table changed between check and commit")
        }
        reserve.release(to: &memory)
    }

    private func lookup(_ va: UInt64) -> Translation? {
        guard Geometry.isCanonical(va) else { return nil }
        var table = root
        for level in 0..<Geometry.levels {
            let entry = Entry(rawValue: memory.readEntry(table: table, index: Geometry.index(of: va, level: level)))
            switch entry.kind(level: level) {
            case .invalid:
                return nil
            case .table:
                table = entry.outputAddress
            case .block, .page:
                let offset = va & (Geometry.entrySize(level: level) - 1)
                return Translation(physical: entry.outputAddress + offset, attributes: entry.attributes,
                                   level: level, entry: entry)
            }
        }
        return nil
    }

    private func firstMapped(_ table: PhysAddr, level: Int, from first: UInt64, through last: UInt64) -> UInt64? {
        let size = Geometry.entrySize(level: level)
        var va = first
        while va <= last {
            let entryStart = va & ~(size - 1)
            let entry = Entry(rawValue: memory.readEntry(table: table, index: Geometry.index(of: va, level: level)))
            switch entry.kind(level: level) {
            case .invalid: break
            case .table:
                if let found = firstMapped(entry.outputAddress, level: level + 1, from: va, through: min(last, entryStart + (size - 1))) {
                    return found
                }
            case .block, .page: return va
            }
            let (next, overflow) = entryStart.addingReportingOverflow(size)
            // The last entry of this table ends the search here (the caller moves to its next entry).
            if overflow || Geometry.index(of: next, level: level) == 0 { return nil }
            va = next
        }
        return nil
    }

    private mutating func freeTree(_ table: PhysAddr, level: Int) {
        if level < Geometry.lastLevel {
            var index = 0
            while let found = memory.firstValidEntry(table: table, from: index) {
                let entry = Entry(rawValue: memory.readEntry(table: table, index: found))
                if entry.kind(level: level) == .table { freeTree(entry.outputAddress, level: level + 1) }
                index = found + 1
            }
        }
        memory.freeTable(table)
    }
}
