import LichenCore

/// A process's memory totals in /proc/<pid>/status's Vm*/Rss* lines and stat's vsize/rss (Linux's
/// task_mem), from its areas and the pages present in its page tables. Lichen has no page cache:
/// pages of program code, file mappings and the vDSO count as file pages (RssFile), shared anonymous
/// memory as RssShmem, the rest (data, heap, stack, anonymous mappings) as RssAnon.
struct ProcessMemoryTotals {
    var size: UInt64 = 0
    var data: UInt64 = 0
    var stack: UInt64 = 0
    /// Executable, not writable, not stack (Linux's exec_vm): program text plus libraries.
    var executable: UInt64 = 0
    var text: UInt64 = 0
    /// In mlocked areas (VmLck).
    var locked: UInt64 = 0
    var residentAnonymous: UInt64 = 0
    var residentFile: UInt64 = 0
    var residentShared: UInt64 = 0
    var resident: UInt64 { residentAnonymous + residentFile + residentShared }

    init(_ p: Process) {
        let memory = p.memory
        let areas = memory.areas
        for area in areas {
            size += area.length
            if area.locked { locked += area.length }
            let isStack = area.kind == .stack || area.growsDown
            let prot = area.protection
            if isStack { stack += area.length }
            else if prot.contains(.write) && area.sharing == .private { data += area.length }
            if prot.contains(.execute) && !prot.contains(.write) && !isStack { executable += area.length }
            guard area.kind != .vvar else { continue }     // Linux's vvar is a PFN mapping, outside RSS
            let resident = memory.usage(area.start, area.end).resident
            switch area.kind {
            case .code, .file, .vdso: residentFile += resident
            default: if area.sharing == .shared { residentShared += resident } else { residentAnonymous += resident }
            }
        }
        // The program's own text (Linux: end_code - start_code): its first code area.
        text = min(areas.first { $0.kind == .code }?.length ?? 0, executable)
    }

    /// The status lines from VmPeak to THP_enabled. Peaks are not tracked: they show the current
    /// values. VmLck: the mlocked areas; VmPin: Lichen does not pin pages; VmPTE: page-table memory is not
    /// counted per process (0); no swap, no huge pages.
    var statusLines: [UInt8] {
        var o: [UInt8] = []
        func line(_ name: String, _ bytes: UInt64) { o.add(name + ":\t" + padLeft(dec(bytes / 1024), 8) + " kB\n") }
        line("VmPeak", size); line("VmSize", size); line("VmLck", locked); line("VmPin", 0)
        line("VmHWM", resident); line("VmRSS", resident)
        line("RssAnon", residentAnonymous); line("RssFile", residentFile); line("RssShmem", residentShared)
        line("VmData", data); line("VmStk", stack); line("VmExe", text); line("VmLib", executable - text)
        line("VmPTE", 0); line("VmSwap", 0); line("HugetlbPages", 0)
        o.add("CoreDumping:\t0\nTHP_enabled:\t0\n")
        return o
    }
}
