import LichenCore

/// What the pages of one area amount to, in bytes, as /proc/<pid>/smaps reports them (Linux's
/// struct mem_size_stats): resident pages, their proportional share (Pss: a page mapped by n address
/// spaces counts 1/n), and how many are shared with another address space or private to this one.
struct AreaUsage {
    var resident: UInt64 = 0
    var proportional: UInt64 = 0
    var shared: UInt64 = 0
    var `private`: UInt64 { resident - shared }

    static func += (a: inout AreaUsage, b: AreaUsage) {
        a.resident += b.resident; a.proportional += b.proportional; a.shared += b.shared
    }
}

extension ProcessMemory {
    /// The usage of [start, end): one walk over the pages present in the page tables.
    func usage(_ start: UserAddr, _ end: UserAddr) -> AreaUsage {
        var u = AreaUsage()
        let page = UInt64(pageSize)
        locked {
            var cursor = start
            while cursor < end, let (address, frame) = space.firstMapping(from: cursor, through: end - 1) {
                cursor = address + page
                if ZeroPage.owns(frame) { continue }        // not in Rss, as Linux's vm_normal_page
                let sharers = UInt64(max(PhysicalMemory.userReferences(frame), 1))
                u.resident += page
                u.proportional += page / sharers
                if sharers > 1 { u.shared += page }
            }
        }
        return u
    }

    /// Whether `address`'s page is present, and its frame (/proc/<pid>/pagemap).
    func presentFrame(_ address: UserAddr) -> PhysAddr? {
        locked { frame(at: address) }
    }
}

extension ProcessMemory {
    /// What the OOM killer weighs: resident pages (each mapped page counts whole, as Linux's RSS
    /// counters do) and the last-level page tables holding them (one per 2 MiB span with a page).
    func footprint() -> (resident: Int, pageTables: Int) {
        var resident = 0, tables = 0
        var lastSpan = UInt64.max
        for area in areas where area.kind != .vvar && area.kind != .vdso {
            locked {
                var cursor = area.start
                while cursor < area.end, let (address, frame) = space.firstMapping(from: cursor, through: area.end - 1) {
                    if !ZeroPage.owns(frame) { resident += 1 }
                    if address.value >> 21 != lastSpan { lastSpan = address.value >> 21; tables += 1 }
                    cursor = address + UInt64(pageSize)
                }
            }
        }
        return (resident, tables)
    }
}
