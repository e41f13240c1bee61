import LichenCore

/// shmctl: IPC_STAT, SHM_STAT(_ANY), IPC_SET, IPC_RMID (the segment goes when its last attach
/// does), SHM_LOCK/SHM_UNLOCK (the flag alone: Lichen never pages memory out), IPC_INFO, SHM_INFO.
extension SharedMemorySyscalls {
    static func shmctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let id = a.int32(0), command = a.int32(1), pointer = a.address(2)
        let credentials = a.credentials
        guard command >= 0, id >= 0 else { throw .EINVAL }
        switch command {
        case SysVIPC.IPC_INFO:
            let (info, highest) = IPCNamespace.locked { s in (s.limits.shminfo, s.segments.highestIndex) }
            try a.user.store(info, to: pointer)
            return UInt64(max(highest, 0))
        case SysVSharedMemorySegment.SHM_INFO:
            let (info, highest) = IPCNamespace.locked { s -> (LinuxShmInfo, Int) in
                var info = LinuxShmInfo()
                info.used_ids = Int32(s.segments.count)
                info.shm_tot = s.segmentPages
                return (info, s.segments.highestIndex)
            }
            try a.user.store(info, to: pointer)
            return UInt64(max(highest, 0))
        case SysVIPC.IPC_STAT, SysVSharedMemorySegment.SHM_STAT, SysVSharedMemorySegment.SHM_STAT_ANY:
            let (segment, result) = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> (SysVSharedMemorySegment, Int32) in
                try s.segments.objectToStat(id, byIndex: command != SysVIPC.IPC_STAT,
                                            checkRead: command != SysVSharedMemorySegment.SHM_STAT_ANY, credentials)
            }
            let count = attaches(segment)
            let stat = IPCNamespace.locked { _ in segment.stat(attaches: count) }
            try a.user.store(stat, to: pointer)
            return UInt64(result)
        case SysVSharedMemorySegment.SHM_LOCK, SysVSharedMemorySegment.SHM_UNLOCK:
            // Linux's shmctl_do_lock: the owner (or CAP_IPC_LOCK) only; SHM_LOCK charges the segment's
            // pages to the caller's real user against RLIMIT_MEMLOCK (user_shm_lock: EPERM when the
            // limit is 0, ENOMEM past it, unless CAP_IPC_LOCK), once however often it is locked.
            let privileged = credentials.has(.CAP_IPC_LOCK)
            let limit = MemoryResidencySyscalls.lockLimit(a).limit
            try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) in
                let segment = try s.segments.object(id: id)
                if !privileged {
                    guard credentials.euid == segment.permissions.uid || credentials.euid == segment.permissions.cuid else { throw .EPERM }
                    if command == SysVSharedMemorySegment.SHM_LOCK && limit == 0 { throw .EPERM }
                }
                if command == SysVSharedMemorySegment.SHM_LOCK {
                    if segment.lockedBy == nil {
                        try s.chargeLocked(Int(segment.pageCount), user: credentials.uid, limit: limit, privileged: privileged)
                        segment.lockedBy = credentials.uid
                    }
                    segment.permissions.mode |= SysVSharedMemorySegment.SHM_LOCKED
                } else {
                    s.unlock(segment)
                }
            }
            return 0
        case SysVIPC.IPC_SET, SysVIPC.IPC_RMID:
            let wanted = command == SysVIPC.IPC_SET ? try a.user.load(LinuxShmid64DS.self, from: pointer) : LinuxShmid64DS()
            try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) in
                let segment = try s.segments.object(id: id)
                try segment.permissions.checkControl(credentials)
                if command == SysVIPC.IPC_SET {
                    segment.permissions.set(from: wanted.shm_perm)
                    segment.ctime = IPCNamespace.now
                } else if segment.pages.mappingCount == 0 {
                    destroy(segment, &s)
                } else {
                    segment.permissions.mode |= SysVSharedMemorySegment.SHM_DEST
                    s.segments.makePrivate(segment)
                }
            }
            return 0
        default:
            throw .EINVAL
        }
    }
}
