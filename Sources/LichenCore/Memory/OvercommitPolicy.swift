// Linux's overcommit accounting (mm/util.c's __vm_enough_memory): private writable mappings, brk and
// stacks charge their size to Committed_AS when made; mode 0 refuses only a single request larger
// than RAM + swap, mode 1 never refuses, mode 2 refuses once Committed_AS would pass CommitLimit
// (swap + RAM * overcommit_ratio / 100, or overcommit_kbytes), less the admin and user reserves.

public struct OvercommitPolicy: Equatable, Sendable {
    public static let heuristic = 0, always = 1, never = 2

    public var mode = OvercommitPolicy.heuristic
    public var ratio = 50
    public var kbytes = 0
    /// vm.admin_reserve_kbytes and vm.user_reserve_kbytes, set at boot from free memory.
    public var adminReserveKbytes = 8192
    public var userReserveKbytes = 131_072

    public init() {}

    /// Linux's init_admin_reserve/init_user_reserve: 3% of free memory, capped at 8 MiB and 128 MiB.
    public init(freePages: Int, pageSize: Int) {
        let freeKbytes = freePages * (pageSize / 1024)
        adminReserveKbytes = min(freeKbytes / 32, 1 << 13)
        userReserveKbytes = min(freeKbytes / 32, 1 << 17)
    }

    /// vm_commit_limit, in pages.
    public func commitLimit(totalPages: Int, swapPages: Int = 0, pageSize: Int) -> Int {
        if kbytes != 0 { return kbytes / (pageSize / 1024) + swapPages }
        return totalPages * ratio / 100 + swapPages
    }

    /// Whether `pages` more may be committed on top of `committed` (which excludes them).
    /// `processPages`: the requester's total_vm, for the user reserve; `admin`: CAP_SYS_ADMIN.
    public func allows(_ pages: Int, committed: Int, totalPages: Int, swapPages: Int = 0, pageSize: Int,
                       processPages: Int, admin: Bool) -> Bool {
        switch mode {
        case OvercommitPolicy.always: return true
        case OvercommitPolicy.heuristic: return pages <= totalPages + swapPages
        default:
            var allowed = commitLimit(totalPages: totalPages, swapPages: swapPages, pageSize: pageSize)
            let kbytesPerPage = pageSize / 1024
            if !admin { allowed -= adminReserveKbytes / kbytesPerPage }
            allowed -= min(processPages / 32, userReserveKbytes / kbytesPerPage)
            return committed + pages <= allowed
        }
    }

    /// Writes of the sysctls, as Linux's proc_dointvec_minmax (mode 0..2, ratio any int, kbytes unsigned).
    /// Setting overcommit_kbytes clears the ratio's effect and the other way round, as Linux's
    /// handlers do (kbytes 0 means "use the ratio").
    public mutating func set(_ name: Tunable, _ text: [UInt8]) throws(Errno) {
        guard let v = OOMScoreAdjustment.parseLong(text) else { throw .EINVAL }
        switch name {
        case .mode: guard v >= 0, v <= 2 else { throw .EINVAL }; mode = Int(v)
        case .ratio: guard v >= Int64(Int32.min), v <= Int64(Int32.max) else { throw .EINVAL }; ratio = Int(v); kbytes = 0
        case .kbytes: guard v >= 0 else { throw .EINVAL }; kbytes = Int(v); if v != 0 { ratio = 0 }
        case .adminReserve: guard v >= 0 else { throw .EINVAL }; adminReserveKbytes = Int(v)
        case .userReserve: guard v >= 0 else { throw .EINVAL }; userReserveKbytes = Int(v)
        }
    }

    public enum Tunable: Sendable { case mode, ratio, kbytes, adminReserve, userReserve }
}
