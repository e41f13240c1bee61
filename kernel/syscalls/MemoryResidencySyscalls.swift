import LichenCore

/// Calls about where memory lives rather than what is mapped: mlock and friends, mincore, msync,
/// membarrier. Lichen has no swap and no file write-back (files live in memory), so locking and
/// syncing have nothing to do; the calls check their arguments as Linux does.
enum MemoryResidencySyscalls {
    static let MCL_CURRENT: UInt64 = 1, MCL_FUTURE: UInt64 = 2, MCL_ONFAULT: UInt64 = 4
    static let MS_ASYNC: UInt64 = 1, MS_INVALIDATE: UInt64 = 2, MS_SYNC: UInt64 = 4

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 228, 229:                                          // mlock, munlock
            try checkMapped(a, start: a[0], length: a[1], aligned: false)
            return 0
        case 284:                                               // mlock2
            guard a[2] & ~1 == 0 else { throw .EINVAL }         // MLOCK_ONFAULT
            try checkMapped(a, start: a[0], length: a[1], aligned: false)
            return 0
        case 230:                                               // mlockall
            let flags = a[0]
            guard flags != 0, flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0, flags != MCL_ONFAULT else { throw .EINVAL }
            return 0
        case 231: return 0                                      // munlockall
        case 227:                                               // msync
            let flags = a[2]
            guard flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) == 0, flags & (MS_ASYNC | MS_SYNC) != MS_ASYNC | MS_SYNC else { throw .EINVAL }
            try checkMapped(a, start: a[0], length: a[1], aligned: true)
            return 0
        case 232: return try mincore(a)
        case 283:                                               // membarrier: no command is offered
            guard a[1] == 0 else { throw .EINVAL }
            if a[0] == 0 { return 0 }                           // MEMBARRIER_CMD_QUERY: the empty set
            throw .EINVAL
        default: return nil
        }
    }

    /// EINVAL for a start that must be page-aligned and is not, or a range that wraps; ENOMEM if
    /// any page of it is unmapped.
    static func checkMapped(_ a: SyscallArguments, start: UInt64, length: UInt64, aligned: Bool) throws(Errno) {
        if aligned { guard start % UInt64(pageSize) == 0 else { throw .EINVAL } }
        guard length > 0 else { return }
        let first = start & ~UInt64(pageSize - 1)
        let (end, overflow) = start.addingReportingOverflow(length)
        guard !overflow else { throw aligned ? .ENOMEM : .EINVAL }
        guard end <= UserAddr.limit else { throw .ENOMEM }
        let last = (end + UInt64(pageSize) - 1) & ~UInt64(pageSize - 1)
        let memory = a.process.memory
        guard memory.locked({ memory.map.isFullyMapped(UserAddr(first), UserAddr(last)) }) else { throw .ENOMEM }
    }

    /// mincore(addr, length, vec): one byte per page, 1 where a page is present in memory.
    static func mincore(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard a[0] % UInt64(pageSize) == 0 else { throw .EINVAL }
        let pages = Int((min(a[1], UserAddr.limit) + UInt64(pageSize) - 1) / UInt64(pageSize))
        try checkMapped(a, start: a[0], length: a[1], aligned: true)
        guard a.address(2).rangeIsUser(count: pages) else { throw .EFAULT }
        let memory = a.process.memory
        var offset = 0
        while offset < pages {
            let count = min(4096, pages - offset)
            var vector = [UInt8](repeating: 0, count: count)
            memory.locked {
                for i in 0..<count where memory.frame(at: UserAddr(a[0] + UInt64((offset + i) * pageSize))) != nil { vector[i] = 1 }
            }
            try a.user.store(bytes: vector, to: a.address(2) + UInt64(offset))
            offset += count
        }
        return 0
    }
}
