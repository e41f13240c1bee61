import LichenCore

/// Calls about where memory lives rather than what is mapped: mlock and friends, mincore, msync,
/// membarrier. Lichen has no swap and no file write-back (files live in memory), so locking and
/// syncing have nothing to do; the calls check their arguments as Linux does.
enum MemoryResidencySyscalls {
    static let MCL_CURRENT: UInt64 = 1, MCL_FUTURE: UInt64 = 2, MCL_ONFAULT: UInt64 = 4
    static let MS_ASYNC: UInt64 = 1, MS_INVALIDATE: UInt64 = 2, MS_SYNC: UInt64 = 4

    static let MLOCK_ONFAULT: UInt64 = 1
    static let MEMBARRIER_CMD_QUERY: UInt64 = 0

    static func mlock(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        try checkLockRange(a)
        return 0
    }

    static func munlock(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        try checkLockRange(a)
        return 0
    }

    /// mlock, munlock and mlock2 check their (start, length) alike.
    private static func checkLockRange(_ a: SyscallArguments) throws(Errno) {
        let start = a[0], length = a[1]
        try checkMapped(a, MemoryRangeArguments.lockRange(start: start, length: length))
    }

    static func mlock2(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[2]
        guard flags & ~MLOCK_ONFAULT == 0 else { throw .EINVAL }
        try checkLockRange(a)
        return 0
    }

    static func mlockall(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags != 0, flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0, flags != MCL_ONFAULT else { throw .EINVAL }
        return 0
    }

    static func munlockall(_ a: SyscallArguments) throws(Errno) -> UInt64 { 0 }

    static func msync(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let start = a[0], length = a[1], flags = a[2]
        guard flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) == 0, flags & (MS_ASYNC | MS_SYNC) != MS_ASYNC | MS_SYNC else { throw .EINVAL }
        try checkMapped(a, MemoryRangeArguments.syncRange(start: start, length: length))
        return 0
    }

    /// No command is offered: MEMBARRIER_CMD_QUERY answers with the empty set.
    static func membarrier(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let command = a[0], flags = a[1]
        guard flags == 0 else { throw .EINVAL }
        if command == MEMBARRIER_CMD_QUERY { return 0 }
        throw .EINVAL
    }

    /// ENOMEM unless areas cover all of `range` (nil: an empty range, nothing to check).
    static func checkMapped(_ a: SyscallArguments, _ range: UserRange?) throws(Errno) {
        guard let range else { return }
        let memory = a.process.memory
        guard memory.locked({ memory.map.isFullyMapped(range.start, range.end) }) else { throw .ENOMEM }
    }

    /// mincore(addr, length, vec): one byte per page, 1 where a page is present in memory.
    static func mincore(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let start = a[0], length = a[1], vec = a.address(2)
        guard let range = try MemoryRangeArguments.residencyRange(start: start, length: length) else { return 0 }
        let pages = Int(range.length / UInt64(pageSize))
        guard vec.rangeIsUser(count: pages) else { throw .EFAULT }
        try checkMapped(a, range)
        let memory = a.process.memory
        var offset = 0
        while offset < pages {
            let count = min(4096, pages - offset)
            var vector = [UInt8](repeating: 0, count: count)
            memory.locked {
                for i in 0..<count where memory.frame(at: range.start + UInt64((offset + i) * pageSize)) != nil { vector[i] = 1 }
            }
            try a.user.store(bytes: vector, to: vec + UInt64(offset))
            offset += count
        }
        return 0
    }
}
