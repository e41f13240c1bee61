import LichenCore

/// getrlimit, setrlimit, prlimit64, and the check of RLIMIT_NPROC (and free memory) at fork and clone.
enum ResourceLimitSyscalls {
    static func getrlimit(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let resource = a.int32(0), old = a.address(1)
        return try prlimit(a, pid: 0, resource: resource, new: UserAddr(0), old: old)
    }

    static func setrlimit(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let resource = a.int32(0), new = a.address(1)
        return try prlimit(a, pid: 0, resource: resource, new: new, old: UserAddr(0))
    }

    static func prlimit64(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let pid = a.int32(0), resource = a.int32(1), new = a.address(2), old = a.address(3)
        return try prlimit(a, pid: pid, resource: resource, new: new, old: old)
    }

    /// prlimit64(pid, resource, new, old); getrlimit and setrlimit are it with pid 0. The old value is
    /// read before the new one is set; ESRCH for an unknown pid, EPERM without the right to change it.
    static func prlimit(_ a: SyscallArguments, pid: Int32, resource: Int32, new: UserAddr, old: UserAddr) throws(Errno) -> UInt64 {
        guard ResourceLimits.isValid(resource) else { throw .EINVAL }
        let newLimit: LinuxRlimit? = new.value == 0 ? nil : try a.user.load(LinuxRlimit.self, from: new)
        let target: Process
        if pid == 0 || pid == a.process.pid {
            target = a.process
        } else {
            guard pid > 0, let p = Processes.process(pid) else { throw .ESRCH }
            guard a.credentials.mayChangeLimits(of: p.credentials) else { throw .EPERM }
            target = p
        }
        let privileged = a.credentials.mayExceedLimits
        let previous = try target.limits.withLock { (limits: inout ResourceLimits) throws(Errno) -> LinuxRlimit in
            let previous = limits[resource]
            if let newLimit { try limits.set(resource, to: newLimit, privileged: privileged) }
            return previous
        }
        if let newLimit, resource == LinuxResource.RLIMIT_NOFILE {
            let count = Int32(min(newLimit.rlim_cur, ResourceLimits.openFilesCeiling))
            try target.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) in try t.setLimit(count) }
        }
        if old.value != 0 { try a.user.store(previous, to: old) }
        return 0
    }

    /// Admits one more thread or process created by `thread`, and counts it for the caller's real
    /// user id (returned; `releaseTask` undoes it when the creation fails). ENOMEM when memory is down
    /// to the kernel's reserve (a new task's kernel objects need room); EAGAIN at RLIMIT_NPROC for an
    /// unprivileged caller. (Linux also counts zombies; they hold only a pid here, which threads-max
    /// in the process table bounds.)
    static func admitNewTask(_ thread: Thread) throws(Errno) -> UInt32 {
        guard PhysicalMemory.hasRoomForUser(frames: 16) else { throw .ENOMEM }
        let process = thread.process, credentials = thread.credentials
        let limit = credentials.mayExceedLimits || credentials.has(.CAP_SYS_ADMIN) || credentials.uid == 0
            ? Int.max : process.limits.withLock { $0.softCount(LinuxResource.RLIMIT_NPROC) }
        guard Processes.withTaskCounts({ $0.charge(credentials.uid, limit: limit) }) else { throw .EAGAIN }
        return credentials.uid
    }

    /// A thread of `uid` ended, or its creation failed.
    static func releaseTask(_ uid: UInt32) {
        Processes.withTaskCounts { $0.release(uid) }
    }
}
