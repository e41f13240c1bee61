import LichenAArch64
import LichenCore

/// Translation tables in host memory, at made-up physical addresses that are never reused,
/// so a stale table reference shows up as an access to an unknown table.
struct TestTableMemory: PageTableMemory {
    var tables: [UInt64: [UInt64]] = [:]
    var next: UInt64 = 0x8000_0000
    /// At most this many tables live at once; nil = unlimited.
    var limit: Int?
    var allocated = 0
    var freed = 0
    var badAccesses = 0
    var breakBeforeMakeAddresses: [UInt64] = []
    /// Entries read so far (a class: `readEntry` is not mutating); shared by copies of this memory.
    let reads = Counter()

    final class Counter { var value = 0 }

    init(limit: Int? = nil) { self.limit = limit }

    var live: Int { allocated - freed }

    mutating func allocateTable() -> PhysAddr? {
        if let limit, live >= limit { return nil }
        let table = next
        next += 0x1000
        tables[table] = Array(repeating: 0, count: 512)
        allocated += 1
        return PhysAddr(table)
    }

    mutating func freeTable(_ table: PhysAddr) {
        if tables.removeValue(forKey: table.value) == nil { badAccesses += 1 }
        freed += 1
    }

    func readEntry(table: PhysAddr, index: Int) -> UInt64 {
        reads.value += 1
        guard let entries = tables[table.value], (0..<512).contains(index) else { return 0xdead }
        return entries[index]
    }

    mutating func writeEntry(table: PhysAddr, index: Int, _ value: UInt64) {
        guard tables[table.value] != nil, (0..<512).contains(index) else { badAccesses += 1; return }
        tables[table.value]![index] = value
    }

    /// The kernel's fast scan, over the table's array (counted as one read per entry it passes).
    func firstValidEntry(table: PhysAddr, from index: Int) -> Int? {
        guard let entries = tables[table.value] else { return nil }
        let found = entries.withUnsafeBufferPointer { PageTableScan.firstValid(in: $0.baseAddress!, from: index) }
        reads.value += (found ?? 512) - index
        return found
    }

    mutating func breakBeforeMake(virtualAddress: UInt64) {
        breakBeforeMakeAddresses.append(virtualAddress)
    }

    /// Number of valid entries across all tables.
    var validEntries: Int { tables.values.reduce(0) { $0 + $1.filter { $0 & 1 != 0 }.count } }
}

typealias TestTable = TranslationTable<TestTableMemory>

func makeTable(limit: Int? = nil) throws -> TestTable {
    try TestTable.create(memory: TestTableMemory(limit: limit))
}

let KiB: UInt64 = 1 << 10
let MiB: UInt64 = 1 << 20
let GiB: UInt64 = 1 << 30
