import LichenCore

/// RLIMIT_AS and RLIMIT_DATA (Linux's may_expand_vm and brk's check_data_rlimit): a mapping, brk or
/// mremap growth that would take the address space or the data mappings (private writable, not
/// stack) past the soft limit fails with ENOMEM. The totals are the map's running sums (issue 13:
/// no walk over the areas per call).
/// (Linux does not count the part of a MAP_FIXED mapping that replaces pages already mapped; Lichen
/// counts all of it, so near the limit it refuses a little earlier.)
enum MemoryLimits {
    static func isData(_ area: VirtualMemoryArea<SharedMemoryObject>) -> Bool { area.isData }

    /// ENOMEM if `bytes` more (`data`: of data mappings) would pass RLIMIT_AS or RLIMIT_DATA.
    /// `areas` is read only when a limit is set (memory lock held by the caller).
    static func check(_ process: Process, adding bytes: UInt64, data: Bool,
                      areas: @autoclosure () -> AreaList<VirtualMemoryArea<SharedMemoryObject>>) throws(Errno) {
        let (addressSpace, dataLimit) = process.limits.withLock { ($0[LinuxResource.RLIMIT_AS].rlim_cur, $0[LinuxResource.RLIMIT_DATA].rlim_cur) }
        let infinity = LinuxRlimit.RLIM_INFINITY
        guard addressSpace != infinity || (data && dataLimit != infinity) else { return }
        let totals = areas().totals
        if addressSpace != infinity {
            let total = totals.total
            if bytes > addressSpace || total > addressSpace - bytes { throw .ENOMEM }
        }
        if data && dataLimit != infinity {
            let total = totals.data
            if bytes > dataLimit || total > dataLimit - bytes { throw .ENOMEM }
        }
    }
}
