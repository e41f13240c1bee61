import LichenCore

/// MAP_POPULATE and MAP_LOCKED (Linux's mm_populate): every page of a new mapping is faulted in
/// before mmap returns, so the memory is taken now (MemFree drops). When memory runs out the OOM
/// killer runs and the population goes on; it stops early, as Linux's does, when the caller itself
/// is being killed or the mapping went away (mmap still returns the address: population is best effort).
/// Gigabytes take long: it shares the CPU once per time slice and stops for SIGKILL, as
/// __get_user_pages' cond_resched and fatal_signal_pending checks.
enum MemoryPopulation {
    static func populate(_ process: Process, _ memory: ProcessMemory, from start: UserAddr, length: UInt64, write: Bool) async {
        let end = start + UInt64(MemoryCommit.pages(length) * pageSize)
        var page = start
        var share = CPUShare()
        var sinceCheck = 0
        while page < end {
            sinceCheck += 1
            if sinceCheck == 64 {
                sinceCheck = 0
                await share.yieldIfDue()
                if process.fatalSignalPending { return }
            }
            let outcome = await memory.handleFaultReadingIn(at: page, write: write, instruction: false)
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
