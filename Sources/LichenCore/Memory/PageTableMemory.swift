// Where page tables live, for any PageTableFormat. The kernel implements this over its direct map and
// frame allocator; tests implement it over ordinary host memory. Tables are 4 KiB, 4 KiB aligned.

public protocol PageTableMemory {
    /// A zeroed 4 KiB table, or nil when memory is exhausted.
    mutating func allocateTable() -> PhysAddr?
    mutating func freeTable(_ table: PhysAddr)
    func readEntry(table: PhysAddr, index: Int) -> UInt64
    mutating func writeEntry(table: PhysAddr, index: Int, _ value: UInt64)
    /// Called when a live block descriptor has just been replaced by an invalid entry and before
    /// the replacement (a table of smaller mappings, or a new memory type) is written: AArch64's
    /// break-before-make rule requires the old entry to be gone from every TLB first (a TLB
    /// invalidation here). Defaults to nothing.
    mutating func breakBeforeMake(virtualAddress: UInt64)
    /// The index of the first valid entry of `table` at `index` or after, nil if there is none: tearing
    /// down a tree, most entries of its upper tables are empty. Defaults to `readEntry` one by one; a
    /// memory that can see the table as an array uses `PageTableScan.firstValid`.
    func firstValidEntry(table: PhysAddr, from index: Int) -> Int?
}

extension PageTableMemory {
    public mutating func breakBeforeMake(virtualAddress: UInt64) {}

    public func firstValidEntry(table: PhysAddr, from index: Int) -> Int? {
        var i = index
        while i < 512 {
            if readEntry(table: table, index: i) & pageTableValidBit != 0 { return i }
            i += 1
        }
        return nil
    }
}

public enum PageTableScan {
    /// The first valid entry of the 512 at `entries`, at `index` or after: eight entries per test (their
    /// valid bits or-ed together), about two instructions per empty entry.
    @inline(__always)
    public static func firstValid(in entries: UnsafePointer<UInt64>, from index: Int) -> Int? {
        var i = index
        while i & 7 != 0 && i < 512 {
            if entries[i] & pageTableValidBit != 0 { return i }
            i += 1
        }
        while i < 512 {
            let p = entries + i
            if (p[0] | p[1] | p[2] | p[3] | p[4] | p[5] | p[6] | p[7]) & pageTableValidBit != 0 {
                for j in 0..<8 where p[j] & pageTableValidBit != 0 { return i + j }
            }
            i += 8
        }
        return nil
    }
}

/// Tables allocated up front for one operation, so that running out of memory is discovered
/// before anything is written. Unused tables are chained through their entry 0 (bit 0 marks a
/// link) and go back to memory on `release`.
struct TableReserve {
    private var head: PhysAddr?

    init() {}

    /// Allocates `count` tables, or none (throwing) if memory runs out.
    mutating func fill<M: PageTableMemory>(_ count: Int, from memory: inout M) throws(MappingError) {
        for _ in 0..<count {
            guard let table = memory.allocateTable() else {
                release(to: &memory)
                throw .outOfMemory
            }
            memory.writeEntry(table: table, index: 0, head.map { $0.value | 1 } ?? 0)
            head = table
        }
    }

    /// A zeroed table. The caller reserved enough; running dry is a bug.
    mutating func take<M: PageTableMemory>(from memory: inout M) -> PhysAddr {
        guard let table = head else { fatalError("translation table reserve exhausted") }
        let link = memory.readEntry(table: table, index: 0)
        head = link & 1 != 0 ? PhysAddr(link & ~1) : nil
        memory.writeEntry(table: table, index: 0, 0)
        return table
    }

    mutating func release<M: PageTableMemory>(to memory: inout M) {
        while head != nil { memory.freeTable(take(from: &memory)) }
    }
}
