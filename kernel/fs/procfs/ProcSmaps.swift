import LichenCore

/// /proc/<pid>/smaps (each area's maps line and its memory, Linux's show_smap) and smaps_rollup (the
/// sums under one "[rollup]" line). Lichen has no dirty bits it reads back: pages of writable areas
/// count as dirty, others as clean. No huge pages, swap or lazy frees: those are 0. Locked: the
/// proportional share of the resident pages of locked areas (Linux's pss_locked).
enum ProcSmaps {
    /// The bytes [offset, offset + count) of smaps. Like maps, a read that continues where the last
    /// one stopped resumes at the area it stopped in (the memory's `smapsCursor`), so reading the
    /// file of N areas in pieces formats each block once, not every block before the window per read.
    static func read(_ p: Process, offset: Int, count: Int) -> [UInt8] {
        let memory = p.memory
        var (position, from) = memory.locked { () -> (Int, UserAddr) in
            if let cursor = memory.smapsCursor, cursor.position <= offset { return cursor }
            return (0, UserAddr(0))
        }
        var out: [UInt8] = [], block: [UInt8] = []
        out.reserveCapacity(min(count, 4096) + 1024)     // a block may run past the window's end
        var resume: (position: Int, address: UserAddr)? = nil
        var full = false
        while !full {
            let batch = memory.locked { memory.map.areas(endingAbove: from, limit: 16) }
            if batch.isEmpty { break }
            for area in batch {
                if position >= offset {
                    // The block starts inside the window: formatted in place, its overflow cut off.
                    let start = out.count
                    appendBlock(area, memory, to: &out)
                    let end = position + out.count - start
                    from = area.end
                    if end > offset + count {
                        out.removeLast(end - (offset + count))
                        resume = (position, area.start)
                        full = true
                        break
                    }
                    position = end
                    resume = (position, area.end)
                    if position == offset + count { full = true; break }
                    continue
                }
                block.removeAll(keepingCapacity: true)
                appendBlock(area, memory, to: &block)
                from = area.end
                if position + block.count <= offset { position += block.count; continue }
                resume = (position, area.start)
                guard appendWindowed(block, at: &position, to: &out, offset: offset, count: count) else { full = true; break }
                resume = (position, area.end)
            }
        }
        if let resume { memory.locked { memory.smapsCursor = resume } }
        return out
    }

    /// One area's block: its maps line, sizes and VmFlags.
    static func appendBlock(_ area: VirtualMemoryArea<SharedMemoryObject>, _ memory: ProcessMemory, to o: inout [UInt8]) {
        var c = Counts()
        c.add(usage(area, memory), dirty: area.protection.contains(.write), kind: kind(area), locked: area.locked)
        ProcMapsText.appendLine(area, to: &o)
        ProcMapsText.appendSize("Size", area.length, to: &o)
        ProcMapsText.appendSize("KernelPageSize", UInt64(pageSize), to: &o)
        ProcMapsText.appendSize("MMUPageSize", UInt64(pageSize), to: &o)
        c.lines(&o, rollup: false)
        o.append(contentsOf: flagsHeading)
        appendFlags(area, to: &o)
        o.append(ProcMapsText.newline)
    }

    static let flagsHeading = Array("THPeligible:    0\nVmFlags: ".utf8)

    static func usage(_ area: VirtualMemoryArea<SharedMemoryObject>, _ memory: ProcessMemory) -> AreaUsage {
        area.kind == .vvar ? AreaUsage() : memory.usage(area.start, area.end)   // vvar: outside RSS
    }

    /// smaps_rollup: every area's counts summed under one line.
    static func rollup(_ p: Process) -> [UInt8] {
        let memory = p.memory
        let areas = memory.areas
        var o: [UInt8] = []
        var total = Counts()
        for area in areas {
            total.add(usage(area, memory), dirty: area.protection.contains(.write), kind: kind(area), locked: area.locked)
        }
        let start = areas.first?.start.value ?? 0, end = areas.last?.end.value ?? 0
        o.add(padRight(Format.hex(start, width: 8, prefix: false) + "-" + Format.hex(end, width: 8, prefix: false)
                       + " ---p 00000000 00:00 0", 73) + "[rollup]\n")
        total.lines(&o, rollup: true)
        return o
    }

    enum Kind { case anonymous, file, shmem }

    static func kind(_ area: VirtualMemoryArea<SharedMemoryObject>) -> Kind {
        switch area.kind {
        case .code, .file, .vdso, .vvar: return .file
        default: return area.sharing == .shared ? .shmem : .anonymous
        }
    }

    /// Linux's struct mem_size_stats, in bytes.
    struct Counts {
        var resident: UInt64 = 0, pss: UInt64 = 0, pssDirty: UInt64 = 0
        var pssAnon: UInt64 = 0, pssFile: UInt64 = 0, pssShmem: UInt64 = 0
        var sharedClean: UInt64 = 0, sharedDirty: UInt64 = 0, privateClean: UInt64 = 0, privateDirty: UInt64 = 0
        var anonymous: UInt64 = 0, locked: UInt64 = 0

        mutating func add(_ u: AreaUsage, dirty: Bool, kind: Kind, locked isLocked: Bool) {
            resident += u.resident; pss += u.proportional
            if isLocked { locked += u.proportional }
            if dirty { pssDirty += u.proportional; sharedDirty += u.shared; privateDirty += u.private }
            else { sharedClean += u.shared; privateClean += u.private }
            switch kind {
            case .anonymous: pssAnon += u.proportional; anonymous += u.resident
            case .file: pssFile += u.proportional
            case .shmem: pssShmem += u.proportional
            }
        }

        /// The fields Lichen has none of (no lazy frees, huge pages or swap), formatted once.
        static let zeroLines: [UInt8] = {
            var o: [UInt8] = []
            for name: StaticString in ["LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
                                       "Private_Hugetlb", "Swap", "SwapPss"] { ProcMapsText.appendSize(name, 0, to: &o) }
            return o
        }()

        func lines(_ o: inout [UInt8], rollup: Bool) {
            ProcMapsText.appendSize("Rss", resident, to: &o); ProcMapsText.appendSize("Pss", pss, to: &o)
            ProcMapsText.appendSize("Pss_Dirty", pssDirty, to: &o)
            if rollup {
                ProcMapsText.appendSize("Pss_Anon", pssAnon, to: &o); ProcMapsText.appendSize("Pss_File", pssFile, to: &o)
                ProcMapsText.appendSize("Pss_Shmem", pssShmem, to: &o)
            }
            ProcMapsText.appendSize("Shared_Clean", sharedClean, to: &o); ProcMapsText.appendSize("Shared_Dirty", sharedDirty, to: &o)
            ProcMapsText.appendSize("Private_Clean", privateClean, to: &o); ProcMapsText.appendSize("Private_Dirty", privateDirty, to: &o)
            ProcMapsText.appendSize("Referenced", resident, to: &o); ProcMapsText.appendSize("Anonymous", anonymous, to: &o)
            o.append(contentsOf: Counts.zeroLines)
            ProcMapsText.appendSize("Locked", locked, to: &o)
        }
    }

    /// Linux's VmFlags mnemonics for what Lichen's areas have, each followed by a space as Linux
    /// prints them (written as bytes: building them as Strings cost more than the rest of the block).
    static func appendFlags(_ area: VirtualMemoryArea<SharedMemoryObject>, to o: inout [UInt8]) {
        let p = area.protection, may = area.maximumProtection
        func flag(_ on: Bool, _ a: Unicode.Scalar, _ b: Unicode.Scalar) {
            guard on else { return }
            o.append(UInt8(ascii: a)); o.append(UInt8(ascii: b)); o.append(ProcMapsText.space)
        }
        flag(p.contains(.read), "r", "d")
        flag(p.contains(.write), "w", "r")
        flag(p.contains(.execute), "e", "x")
        flag(area.sharing == .shared, "s", "h")
        flag(may.contains(.read), "m", "r")
        flag(may.contains(.write), "m", "w")
        flag(may.contains(.execute), "m", "e")
        flag(area.sharing == .shared && may.contains(.write), "m", "s")
        flag(area.growsDown || area.kind == .stack, "g", "d")
        flag(area.locked, "l", "o")
        flag(area.sharing == .private && p.contains(.write), "a", "c")
    }
}
