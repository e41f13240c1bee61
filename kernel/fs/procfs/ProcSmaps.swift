import LichenCore

/// /proc/<pid>/smaps (each area's maps line and its memory, Linux's show_smap) and smaps_rollup (the
/// sums under one "[rollup]" line). Lichen has no dirty bits it reads back: pages of writable areas
/// count as dirty, others as clean. No huge pages, swap, locked pages or lazy frees: those are 0.
enum ProcSmaps {
    static func text(_ p: Process, rollup: Bool) -> [UInt8] {
        let memory = p.memory
        let areas = memory.areas
        var o: [UInt8] = []
        var total = Counts()
        for area in areas {
            var c = Counts()
            let u = area.kind == .vvar ? AreaUsage() : memory.usage(area.start, area.end)   // vvar: outside RSS
            c.add(u, dirty: area.protection.contains(.write), kind: kind(area))
            if rollup { total.add(c); continue }
            o += ProcPid.mapsLine(area)
            line(&o, "Size", area.length); line(&o, "KernelPageSize", UInt64(pageSize)); line(&o, "MMUPageSize", UInt64(pageSize))
            c.lines(&o, rollup: false)
            o.add("THPeligible:    0\nVmFlags: " + flags(area) + "\n")
        }
        guard rollup else { return o }
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
        var anonymous: UInt64 = 0

        mutating func add(_ u: AreaUsage, dirty: Bool, kind: Kind) {
            resident += u.resident; pss += u.proportional
            if dirty { pssDirty += u.proportional; sharedDirty += u.shared; privateDirty += u.private }
            else { sharedClean += u.shared; privateClean += u.private }
            switch kind {
            case .anonymous: pssAnon += u.proportional; anonymous += u.resident
            case .file: pssFile += u.proportional
            case .shmem: pssShmem += u.proportional
            }
        }

        mutating func add(_ c: Counts) {
            resident += c.resident; pss += c.pss; pssDirty += c.pssDirty
            pssAnon += c.pssAnon; pssFile += c.pssFile; pssShmem += c.pssShmem
            sharedClean += c.sharedClean; sharedDirty += c.sharedDirty
            privateClean += c.privateClean; privateDirty += c.privateDirty; anonymous += c.anonymous
        }

        func lines(_ o: inout [UInt8], rollup: Bool) {
            line(&o, "Rss", resident); line(&o, "Pss", pss); line(&o, "Pss_Dirty", pssDirty)
            if rollup { line(&o, "Pss_Anon", pssAnon); line(&o, "Pss_File", pssFile); line(&o, "Pss_Shmem", pssShmem) }
            line(&o, "Shared_Clean", sharedClean); line(&o, "Shared_Dirty", sharedDirty)
            line(&o, "Private_Clean", privateClean); line(&o, "Private_Dirty", privateDirty)
            line(&o, "Referenced", resident); line(&o, "Anonymous", anonymous)
            for name in ["LazyFree", "AnonHugePages", "ShmemPmdMapped", "FilePmdMapped", "Shared_Hugetlb",
                         "Private_Hugetlb", "Swap", "SwapPss", "Locked"] { line(&o, name, 0) }
        }
    }

    /// "Name:" padded to 16 columns, the size in kB right-aligned in 8 (Linux's SEQ_PUT_DEC).
    static func line(_ o: inout [UInt8], _ name: String, _ bytes: UInt64) {
        o.add(padRight(name + ":", 16) + padLeft(dec(bytes / 1024), 8) + " kB\n")
    }

    /// Linux's VmFlags mnemonics for what Lichen's areas have.
    static func flags(_ area: VirtualMemoryArea<SharedMemoryObject>) -> String {
        let p = area.protection, may = area.maximumProtection
        var f: [String] = []
        if p.contains(.read) { f.append("rd") }
        if p.contains(.write) { f.append("wr") }
        if p.contains(.execute) { f.append("ex") }
        if area.sharing == .shared { f.append("sh") }
        if may.contains(.read) { f.append("mr") }
        if may.contains(.write) { f.append("mw") }
        if may.contains(.execute) { f.append("me") }
        if area.sharing == .shared && may.contains(.write) { f.append("ms") }
        if area.growsDown || area.kind == .stack { f.append("gd") }
        if area.sharing == .private && p.contains(.write) { f.append("ac") }
        return f.map { $0 + " " }.joined()          // each followed by a space, as Linux prints them
    }
}
