import LichenCore

/// MAP_POPULATE and MAP_LOCKED (Linux's mm_populate): every page of a new mapping is faulted in
/// before mmap returns, so the memory is taken now (MemFree drops). When memory runs out the OOM
/// killer runs and the population goes on; it stops early, as Linux's does, when the caller itself
/// is being killed or the mapping went away (mmap still returns the address: population is best effort).
enum MemoryPopulation {
    static func populate(_ process: Process, _ memory: ProcessMemory, from start: UserAddr, length: UInt64, write: Bool) async {
        let end = start + UInt64(MemoryCommit.pages(length) * pageSize)
        var page = start
        while page < end {
            let outcome = memory.handleFault(at: page, write: write, instruction: false)
            if outcome.resolved {
                page = page + UInt64(pageSize)
                continue
            }
            guard outcome.code == ProcessMemory.outOfMemoryCode else { return }   // unmapped meanwhile, or PROT_NONE
            if process.fatalSignalPending { return }
            if !(await OutOfMemory.reclaim(for: process)) && !memory.handleFault(at: page, write: write, instruction: false).resolved { return }
        }
    }
}
