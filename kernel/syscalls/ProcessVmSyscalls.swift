import LichenCore

/// process_vm_readv / process_vm_writev: copies between the caller's iovecs and another process's
/// (a kernel buffer in between, a page of the remote side at a time). Linux's rules: flags must be
/// 0, the local vector is checked first (nothing to copy: 0, before the pid is even looked up), then
/// the remote one; ESRCH for no such process, EPERM when the ptrace attach check fails; a fault
/// after some bytes moved returns the count, before any is EFAULT.
enum ProcessVmSyscalls {
    static func process_vm_readv(_ a: SyscallArguments) throws(Errno) -> UInt64 { try transfer(a, write: false) }
    static func process_vm_writev(_ a: SyscallArguments) throws(Errno) -> UInt64 { try transfer(a, write: true) }

    private static let pageSize: UInt64 = 4096

    private static func transfer(_ a: SyscallArguments, write: Bool) throws(Errno) -> UInt64 {
        let pid = a.int32(0), localVectors = a.address(1), localCount = a[2], remoteVectors = a.address(3), remoteCount = a[4]
        guard a[5] == 0 else { throw .EINVAL }
        let local = try vectors(a, localVectors, localCount)
        if local.allSatisfy({ $0.iov_len == 0 }) { return 0 }
        let remote = try vectors(a, remoteVectors, remoteCount)
        if remote.allSatisfy({ $0.iov_len == 0 }) { return 0 }
        guard let target = Processes.process(pid) else { throw .ESRCH }
        if target !== a.process {
            let dumpable = target.control.withLock { $0.dumpable } == 1
            guard a.credentials.forRealIDs.mayInspect(target.credentials, targetDumpable: dumpable) else { throw .EPERM }
        }
        let mine = a.user, theirs = UserMemory(memory: target.memory)
        defer { a.thread.memory.space.activate() }      // the copies switch address spaces: end on ours
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(pageSize), alignment: 16)
        defer { buffer.deallocate() }
        var total: UInt64 = 0
        var l = 0, lDone: UInt64 = 0                      // the local vector and the bytes done in it
        do throws(Errno) {
            remoteLoop: for r in remote {
                var rDone: UInt64 = 0
                while rDone < r.iov_len {
                    while l < local.count && lDone == local[l].iov_len { l += 1; lDone = 0 }
                    guard l < local.count else { break remoteLoop }
                    let address = r.iov_base &+ rDone
                    let chunk = min(r.iov_len - rDone, pageSize - address % pageSize, local[l].iov_len - lDone)
                    let slice = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<Int(chunk)])
                    let here = UserAddr(local[l].iov_base &+ lDone), there = UserAddr(address)
                    if write {
                        try mine.read(slice, from: here)
                        try theirs.write(UnsafeRawBufferPointer(slice), to: there)
                    } else {
                        try theirs.read(slice, from: there)
                        try mine.write(UnsafeRawBufferPointer(slice), to: here)
                    }
                    rDone += chunk; lDone += chunk; total += chunk
                }
            }
        } catch {
            if total == 0 { throw error }
        }
        return total
    }

    /// An iovec array as import_iovec reads it: at most UIO_MAXIOV (EINVAL), EFAULT, a length
    /// negative as an ssize_t is EINVAL; the total is capped at MAX_RW_COUNT.
    private static func vectors(_ a: SyscallArguments, _ address: UserAddr, _ count: UInt64) throws(Errno) -> [LinuxIovec] {
        guard count <= UInt64(LinuxIovec.UIO_MAXIOV) else { throw .EINVAL }
        var list: [LinuxIovec] = []
        var left: UInt64 = 0x7fff_f000                   // MAX_RW_COUNT
        for i in 0..<Int(count) {
            var v = try a.user.load(LinuxIovec.self, from: address + UInt64(i * 16))
            guard Int64(bitPattern: v.iov_len) >= 0 else { throw .EINVAL }
            v.iov_len = min(v.iov_len, left)
            left -= v.iov_len
            list.append(v)
        }
        return list
    }
}
