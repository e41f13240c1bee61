import LichenCore
import _Concurrency

/// semget, semop, semtimedop, semctl on the semaphore sets of SysVIPC (LichenCore's SemaphoreSet
/// holds the rules). A blocked semop sleeps on its set's queue, trying again at every change; a
/// signal ends it with EINTR and it is never restarted (Linux returns -EINTR, not -ERESTART*).
enum SemaphoreSyscalls {
    static func semget(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let key = a.int32(0), count = a.int32(1), flags = a.uint32(2)
        let credentials = a.credentials
        return try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> UInt64 in
            guard count >= 0, Int(count) <= s.limits.semmsl else { throw .EINVAL }
            if let found = try s.semaphores.get(key: key, flags: flags, credentials: credentials, moreChecks: { (set) throws(Errno) in
                if Int(count) > set.count { throw .EINVAL }
            }) { return UInt64(s.semaphores.id(of: found)) }
            guard count > 0 else { throw .EINVAL }
            guard s.semaphoreCount + Int(count) <= s.limits.semmns else { throw .ENOSPC }
            // Swift's allocations trap when the heap fails: ENOMEM first, as Linux's kvzalloc fails.
            guard PhysicalMemory.hasRoomForUser(contiguousBytes: Int(count) * 8) else { throw .ENOMEM }
            let set = SemaphoreSet(permissions: IPCPermissions(key: key, mode: flags, creator: credentials),
                                   count: Int(count), now: IPCNamespace.now)
            let id = try s.semaphores.add(set, limit: s.limits.semmni)
            s.semaphoreCount += Int(count)
            return UInt64(id)
        }
    }

    static func semop(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await semtimedop(a, timeout: nil)
    }

    static func semtimedop(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        try await semtimedop(a, timeout: a.address(3))
    }

    /// do_semtimedop's order: the count, the operations (EFAULT), the timeout (EINVAL), the set
    /// (EINVAL), a semaphore number past the set (EFBIG), the permission (alter: write, else read).
    private static func semtimedop(_ a: SyscallArguments, timeout: UserAddr?) async throws(Errno) -> UInt64 {
        let id = a.int32(0), opsAddress = a.address(1), count = a[2]
        let limit = IPCNamespace.locked { $0.limits.semopm }
        guard count >= 1 else { throw .EINVAL }
        guard count <= UInt64(limit) else { throw .E2BIG }
        var ops: [LinuxSembuf] = []
        for i in 0..<Int(count) { ops.append(try a.user.load(LinuxSembuf.self, from: opsAddress + UInt64(i * 6))) }
        var deadline: WaitTimeout? = nil
        if let timeout, timeout.value != 0 {
            let t = try a.user.load(LinuxTimespec.self, from: timeout)
            guard t.tv_sec >= 0, t.tv_nsec >= 0, t.tv_nsec < 1_000_000_000 else { throw .EINVAL }
            let (whole, overflow) = UInt64(t.tv_sec).multipliedReportingOverflow(by: 1_000_000_000)
            deadline = .after(nanoseconds: overflow ? UInt64.max : whole &+ UInt64(t.tv_nsec))
        }
        let alters = ops.contains { $0.sem_op != 0 }
        let undoes = ops.contains { $0.sem_op != 0 && $0.sem_flg & SemaphoreSet.SEM_UNDO != 0 }
        let highest = ops.map { Int($0.sem_num) }.max() ?? 0
        let credentials = a.credentials, tgid = a.process.pid
        let set = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> SemaphoreSet in
            let set = try s.semaphores.object(id: id)
            guard highest < set.count else { throw .EFBIG }
            if ops.contains(where: { $0.sem_flg & SemaphoreSet.SEM_UNDO != 0 }),
               !PhysicalMemory.hasRoomForUser(contiguousBytes: set.count * 4) { throw .ENOMEM }
            try set.permissions.check(alters ? SysVIPC.writeBits : SysVIPC.readBits, credentials)
            return set
        }
        var failure: Errno? = nil
        var applied = false
        let token = UInt64(UInt(bitPattern: ObjectIdentifier(a.thread).hashValue))
        let attempt = { () -> Bool in
            IPCNamespace.locked { s in
                if set.removed { failure = .EIDRM; set.setBlocked(token, nil); return true }
                do throws(Errno) {
                    let outcome = try set.apply(ops, tgid: tgid, now: IPCNamespace.now)
                    if outcome == .done {
                        if undoes { s.noteUndo(tgid, in: set) }
                        applied = true; set.setBlocked(token, nil); return true
                    }
                    set.setBlocked(token, outcome)
                    return false
                } catch {
                    failure = error
                    set.setBlocked(token, nil)
                    return true
                }
            }
        }
        do throws(WaitError) {
            try await set.waiters.wait(until: attempt, timeout: deadline)
        } catch {
            IPCNamespace.locked { _ in set.setBlocked(token, nil) }
            throw error == .timedOut ? .EAGAIN : .EINTR
        }
        if let failure { throw failure }
        if applied && alters { set.waiters.wakeAll() }
        return 0
    }

    static func semctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let id = a.int32(0), number = a.int32(1), command = a.int32(2), argument = a[3]
        let pointer = UserAddr(argument)
        let credentials = a.credentials, tgid = a.process.pid
        guard id >= 0 else { throw .EINVAL }
        switch command {
        case SysVIPC.IPC_INFO, SemaphoreSet.SEM_INFO:
            let (info, highest) = IPCNamespace.locked { s -> (LinuxSeminfo, Int) in
                var info = s.limits.seminfo
                if command == SemaphoreSet.SEM_INFO {
                    info.semusz = Int32(s.semaphores.count)
                    info.semaem = Int32(clamping: s.semaphoreCount)
                }
                return (info, s.semaphores.highestIndex)
            }
            try a.user.store(info, to: pointer)
            return UInt64(max(highest, 0))
        case SysVIPC.IPC_STAT, SemaphoreSet.SEM_STAT, SemaphoreSet.SEM_STAT_ANY:
            let (stat, result) = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> (LinuxSemid64DS, Int32) in
                let (set, result) = try s.semaphores.objectToStat(id, byIndex: command != SysVIPC.IPC_STAT,
                                                                  checkRead: command != SemaphoreSet.SEM_STAT_ANY, credentials)
                return (set.stat(), result)
            }
            try a.user.store(stat, to: pointer)
            return UInt64(result)
        case SemaphoreSet.GETALL, SemaphoreSet.GETVAL, SemaphoreSet.GETPID, SemaphoreSet.GETNCNT,
             SemaphoreSet.GETZCNT, SemaphoreSet.SETALL:
            return try semctlMain(a, id: id, number: number, command: command, pointer: pointer)
        case SemaphoreSet.SETVAL:
            let value = Int32(truncatingIfNeeded: argument)
            guard value >= 0, value <= SysVIPCLimits.semvmx else { throw .ERANGE }
            let set = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> SemaphoreSet in
                let set = try s.semaphores.object(id: id)
                guard number >= 0, Int(number) < set.count else { throw .EINVAL }
                try set.permissions.check(SysVIPC.writeBits, credentials)
                set.setValue(Int(number), value, tgid: tgid, now: IPCNamespace.now)
                return set
            }
            set.waiters.wakeAll()
            return 0
        case SysVIPC.IPC_SET, SysVIPC.IPC_RMID:
            let wanted = command == SysVIPC.IPC_SET ? try a.user.load(LinuxSemid64DS.self, from: pointer) : LinuxSemid64DS()
            let removed = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> SemaphoreSet? in
                let set = try s.semaphores.object(id: id)
                try set.permissions.checkControl(credentials)
                if command == SysVIPC.IPC_SET {
                    set.permissions.set(from: wanted.sem_perm)
                    set.ctime = IPCNamespace.now
                    return nil
                }
                set.removed = true
                s.semaphores.remove(set)
                s.semaphoreCount -= set.count
                return set
            }
            removed?.waiters.wakeAll()
            return 0
        default:
            throw .EINVAL
        }
    }

    /// semctl_main: GETALL, SETALL and the per-semaphore reads.
    private static func semctlMain(_ a: SyscallArguments, id: Int32, number: Int32, command: Int32, pointer: UserAddr) throws(Errno) -> UInt64 {
        let credentials = a.credentials, tgid = a.process.pid
        let set = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> SemaphoreSet in
            let set = try s.semaphores.object(id: id)
            try set.permissions.check(command == SemaphoreSet.SETALL ? SysVIPC.writeBits : SysVIPC.readBits, credentials)
            return set
        }
        switch command {
        case SemaphoreSet.GETALL:
            let values = IPCNamespace.locked { _ in set.values }
            for (i, v) in values.enumerated() { try a.user.store(UInt16(truncatingIfNeeded: v), to: pointer + UInt64(i * 2)) }
            return 0
        case SemaphoreSet.SETALL:
            var values: [Int32] = []
            for i in 0..<set.count {
                let v = try a.user.load(UInt16.self, from: pointer + UInt64(i * 2))
                guard Int32(v) <= SysVIPCLimits.semvmx else { throw .ERANGE }
                values.append(Int32(v))
            }
            try IPCNamespace.locked { (_: inout SysVIPCState) throws(Errno) in
                if set.removed { throw .EIDRM }
                set.setAll(values, tgid: tgid, now: IPCNamespace.now)
            }
            set.waiters.wakeAll()
            return 0
        default:
            return try IPCNamespace.locked { (_: inout SysVIPCState) throws(Errno) -> UInt64 in
                if set.removed { throw .EIDRM }
                guard number >= 0, Int(number) < set.count else { throw .EINVAL }
                let n = Int(number)
                switch command {
                case SemaphoreSet.GETVAL: return UInt64(set.values[n])
                case SemaphoreSet.GETPID: return UInt64(set.pids[n])
                case SemaphoreSet.GETNCNT: return UInt64(set.waiting(n, zero: false))
                default: return UInt64(set.waiting(n, zero: true))
                }
            }
        }
    }
}
