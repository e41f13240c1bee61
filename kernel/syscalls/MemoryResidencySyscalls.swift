import LichenCore

/// Calls about where memory lives rather than what is mapped: mlock and friends, mincore, msync,
/// membarrier. Lichen has no swap and no file write-back (files live in memory): syncing has nothing
/// to do, locking populates and accounts (VmLck, RLIMIT_MEMLOCK).
enum MemoryResidencySyscalls {
    static let MCL_CURRENT: UInt64 = 1, MCL_FUTURE: UInt64 = 2, MCL_ONFAULT: UInt64 = 4
    static let MS_ASYNC: UInt64 = 1, MS_INVALIDATE: UInt64 = 2, MS_SYNC: UInt64 = 4

    static let MLOCK_ONFAULT: UInt64 = 1
    static let MEMBARRIER_CMD_QUERY: UInt64 = 0

    // mlock and friends (mm/mlock.c): areas get VM_LOCKED (MemoryLock.swift), counted in VmLck and
    // against RLIMIT_MEMLOCK unless the caller has CAP_IPC_LOCK, and what is locked is populated
    // (not on-fault locks). Lichen never pages out, so a populated page stays in memory.

    static func mlock(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await lock(a, mode: .populate)
        return 0
    }

    static func mlock2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let flags = a[2]
        guard flags & ~MLOCK_ONFAULT == 0 else { throw .EINVAL }
        try await lock(a, mode: flags & MLOCK_ONFAULT != 0 ? .onFault : .populate)
        return 0
    }

    static func munlock(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard let range = try MemoryRangeArguments.lockRange(start: a[0], length: a[1]) else { return 0 }
        let memory = a.process.memory
        if let failure = memory.locked({ memory.map.setLock(start: range.start, end: range.end, mode: nil).failure }) { throw failure }
        return 0
    }

    /// RLIMIT_MEMLOCK's soft limit in bytes, and whether the caller may pass it (CAP_IPC_LOCK).
    static func lockLimit(_ a: SyscallArguments) -> (limit: UInt64, privileged: Bool) {
        (a.process.limits.withLock { $0[LinuxResource.RLIMIT_MEMLOCK].rlim_cur }, a.credentials.has(.CAP_IPC_LOCK))
    }

    /// do_mlock: EPERM when the limit is 0 and the caller unprivileged, ENOMEM past the limit (what
    /// the range already holds locked is not counted twice) or at a hole; then populates.
    private static func lock(_ a: SyscallArguments, mode: MemoryLockMode) async throws(Errno) {
        let (limit, privileged) = lockLimit(a)
        guard limit != 0 || privileged else { throw .EPERM }
        guard let range = try MemoryRangeArguments.lockRange(start: a[0], length: a[1]) else { return }
        let memory = a.process.memory
        let result = try memory.locked { () throws(Errno) -> (populate: [UserRange], failure: Errno?) in
            guard privileged || memory.map.lockFits(range.length, limit: limit, within: range) else { throw .ENOMEM }
            return memory.map.setLock(start: range.start, end: range.end, mode: mode)
        }
        LockedMemory.register(memory)
        if let failure = result.failure { throw failure }
        await populate(a, result.populate)
    }

    /// Faults in the pages of `ranges` (writable private ones for writing, as Linux's populate does).
    static func populate(_ a: SyscallArguments, _ ranges: [UserRange]) async {
        let memory = a.process.memory
        for range in ranges {
            guard let area = memory.locked({ memory.map.area(containing: range.start) }), !area.protection.isEmpty else { continue }
            await MemoryPopulation.populate(a.process, memory, from: range.start, length: range.length,
                                            write: area.protection.contains(.write) && area.sharing == .private)
        }
    }

    static func mlockall(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let flags = a[0]
        guard flags != 0, flags & ~(MCL_CURRENT | MCL_FUTURE | MCL_ONFAULT) == 0, flags != MCL_ONFAULT else { throw .EINVAL }
        let (limit, privileged) = lockLimit(a)
        guard limit != 0 || privileged else { throw .EPERM }
        let mode: MemoryLockMode = flags & MCL_ONFAULT != 0 ? .onFault : .populate
        let memory = a.process.memory
        let ranges = try memory.locked { () throws(Errno) -> [UserRange] in
            // MCL_CURRENT: the whole address space (total_vm) must fit under the limit.
            if flags & MCL_CURRENT != 0 && !privileged && memory.map.totalSize > limit { throw .ENOMEM }
            return memory.map.setLockAll(current: flags & MCL_CURRENT != 0 ? mode : nil,
                                         future: flags & MCL_FUTURE != 0 ? mode : nil, unlock: false)
        }
        LockedMemory.register(memory)
        await populate(a, ranges)
        return 0
    }

    static func munlockall(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let memory = a.process.memory
        _ = memory.locked { memory.map.setLockAll(current: nil, future: nil, unlock: true) }
        return 0
    }

    static func msync(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let start = a[0], length = a[1], flags = a[2]
        guard flags & ~(MS_ASYNC | MS_INVALIDATE | MS_SYNC) == 0, flags & (MS_ASYNC | MS_SYNC) != MS_ASYNC | MS_SYNC else { throw .EINVAL }
        let range = try MemoryRangeArguments.syncRange(start: start, length: length)
        try checkMapped(a, range)
        // MS_SYNC: the dirty pages of the disk files shared in the range go through their filesystem,
        // then the file is made durable as fsync does (Linux's vfs_fsync_range: ext4 commits what
        // it must and the device flushes its write cache). MS_ASYNC leaves them to the flusher.
        guard flags & MS_SYNC != 0, let range else { return 0 }
        let memory = a.process.memory
        let files = memory.locked { () -> [(cache: any FilePageCache, location: Location?)] in
            var files: [(cache: any FilePageCache, location: Location?)] = []
            for area in memory.map.areas where area.sharing == .shared && area.end > range.start && area.start < range.end {
                if let object = area.backing, let file = object.file, file.tracksDirtyPages { files.append((file, object.location)) }
            }
            return files
        }
        for file in files {
            try await file.cache.writeBackPages()
            if let location = file.location { try await location.mount.fileSystem.sync(file: location.inode, dataOnly: true) }
        }
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
