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
            try checkMapped(a, MemoryRangeArguments.lockRange(start: a[0], length: a[1]))
            return 0
        case 284:                                               // mlock2
            guard a[2] & ~1 == 0 else { throw .EINVAL }         // MLOCK_ONFAULT
            try checkMapped(a, MemoryRangeArguments.lockRange(start: a[0], length: a[1]))
            return 0
        case 230:                                               // mlockall
            let flags = a[0]
            guard flags != 0, flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0, flags != MCL_ONFAULT else { throw .EINVAL }
            return 0
        case 231: return 0                                      // munlockall
        case 227:                                               // msync
            let flags = a[2]
            guard flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) == 0, flags & (MS_ASYNC | MS_SYNC) != MS_ASYNC | MS_SYNC else { throw .EINVAL }
            try checkMapped(a, MemoryRangeArguments.syncRange(start: a[0], length: a[1]))
            return 0
        case 232: return try mincore(a)
        case 283:                                               // membarrier: no command is offered
            guard a[1] == 0 else { throw .EINVAL }
            if a[0] == 0 { return 0 }                           // MEMBARRIER_CMD_QUERY: the empty set
            throw .EINVAL
        default: return nil
        }
    }

    /// ENOMEM unless areas cover all of `range` (nil: an empty range, nothing to check).
    static func checkMapped(_ a: SyscallArguments, _ range: UserRange?) throws(Errno) {
        guard let range else { return }
        let memory = a.process.memory
        guard memory.locked({ memory.map.isFullyMapped(range.start, range.end) }) else { throw .ENOMEM }
    }

    /// mincore(addr, length, vec): one byte per page, 1 where a page is present in memory.
    static func mincore(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard let range = try MemoryRangeArguments.residencyRange(start: a[0], length: a[1]) else { return 0 }
        let pages = Int(range.length / UInt64(pageSize))
        guard a.address(2).rangeIsUser(count: pages) else { throw .EFAULT }
        try checkMapped(a, range)
        let memory = a.process.memory
        var offset = 0
        while offset < pages {
            let count = min(4096, pages - offset)
            var vector = [UInt8](repeating: 0, count: count)
            memory.locked {
                for i in 0..<count where memory.frame(at: range.start + UInt64((offset + i) * pageSize)) != nil { vector[i] = 1 }
            }
            try a.user.store(bytes: vector, to: a.address(2) + UInt64(offset))
            offset += count
        }
        return 0
    }
}
