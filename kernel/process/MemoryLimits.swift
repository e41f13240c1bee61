import LichenCore

/// RLIMIT_AS and RLIMIT_DATA (Linux's may_expand_vm and brk's check_data_rlimit): a mapping, brk or
/// mremap growth that would take the address space or the data mappings (private writable, not
/// stack) past the soft limit fails with ENOMEM. The totals are summed over the areas only when a
/// limit is set (both are unlimited by default), so the unlimited case costs nothing.
/// (Linux does not count the part of a MAP_FIXED mapping that replaces pages already mapped; Lichen
/// counts all of it, so near the limit it refuses a little earlier.)
enum MemoryLimits {
    static func isData(_ area: VirtualMemoryArea<SharedMemoryObject>) -> Bool {
        area.sharing == .private && area.protection.contains(.write) && area.kind != .stack && !area.growsDown && !area.isSpecial
    }

    /// ENOMEM if `bytes` more (`data`: of data mappings) would pass RLIMIT_AS or RLIMIT_DATA.
    /// `areas` is read only when a limit is set (memory lock held by the caller).
    static func check(_ process: Process, adding bytes: UInt64, data: Bool,
                      areas: @autoclosure () -> AreaList<VirtualMemoryArea<SharedMemoryObject>>) throws(Errno) {
        let (addressSpace, dataLimit) = process.limits.withLock { ($0[LinuxResource.RLIMIT_AS].rlim_cur, $0[LinuxResource.RLIMIT_DATA].rlim_cur) }
        let infinity = LinuxRlimit.RLIM_INFINITY
        guard addressSpace != infinity || (data && dataLimit != infinity) else { return }
        let all = areas()
        if addressSpace != infinity {
            let total = all.reduce(UInt64(0)) { $0 + $1.length }
            if bytes > addressSpace || total > addressSpace - bytes { throw .ENOMEM }
        }
        if data && dataLimit != infinity {
            let total = all.reduce(UInt64(0)) { isData($1) ? $0 + $1.length : $0 }
            if bytes > dataLimit || total > dataLimit - bytes { throw .ENOMEM }
        }
    }
}
