import LichenCore
import _Concurrency

/// fcntl record locks: the system's lock table (LichenCore's RecordLockTable) and the wait for a
/// conflicting lock to go (F_SETLKW). Waiters re-check whenever any lock changes.
enum RecordLocks {
    private static let table = SpinLock(RecordLockTable())
    private static let changed = Event<UInt64>(0)

    /// The open file description `owner` was closed for the last time: its OFD locks go.
    static func descriptionClosed(_ owner: UInt) {
        if table.withLock({ $0.release(.description(owner)) }) { changed.update { $0 += 1 } }
    }

    /// Which lock a `struct flock` asks for, on which file and bytes, for whom.
    struct Request {
        let file: RecordLockTable.FileKey
        let owner: RecordLockTable.Owner
        let kind: RecordLockTable.Kind?
        let range: LockRange
    }

    /// Decodes `lock` as Linux's fcntl_getlk/fcntl_setlk do, in their order of checks: the range
    /// (EINVAL, EOVERFLOW), the type (EINVAL), the access mode for F_SETLK (EBADF), l_pid for OFD (EINVAL).
    static func request(_ lock: LinuxFlock, file: OpenFile, process: Process, ofd: Bool, forSet: Bool) async throws(Errno) -> Request {
        if !forSet && !ofd && lock.l_type != LinuxFlock.F_RDLCK && lock.l_type != LinuxFlock.F_WRLCK { throw .EINVAL }
        let status = file.status
        let position = lock.l_whence == Int16(SeekWhence.SEEK_CUR) ? await file.offset : 0
        let range = try LockRange(whence: lock.l_whence, start: lock.l_start, length: lock.l_len, position: position, size: status.size)
        let kind: RecordLockTable.Kind?
        switch lock.l_type {
        case LinuxFlock.F_RDLCK:
            if forSet && !file.flags.allowsRead { throw .EBADF }
            kind = .read
        case LinuxFlock.F_WRLCK:
            if forSet && !file.flags.allowsWrite { throw .EBADF }
            kind = .write
        case LinuxFlock.F_UNLCK: kind = nil
        default: throw .EINVAL
        }
        if ofd && lock.l_pid != 0 { throw .EINVAL }
        return Request(file: RecordLockTable.FileKey(device: status.device.encoded, inode: status.ino),
                       owner: ofd ? .description(file.lockOwner) : .process(process.pid), kind: kind, range: range)
    }

    /// F_GETLK: `lock` describing the first conflicting lock, or with l_type F_UNLCK (the rest unchanged).
    static func test(_ r: Request, _ lock: LinuxFlock) -> LinuxFlock {
        var answer = lock
        guard let holder = table.withLock({ $0.conflict(on: r.file, owner: r.owner, kind: r.kind, range: r.range) }) else {
            answer.l_type = LinuxFlock.F_UNLCK
            return answer
        }
        answer.l_type = holder.kind == .read ? LinuxFlock.F_RDLCK : LinuxFlock.F_WRLCK
        answer.l_whence = Int16(SeekWhence.SEEK_SET)
        answer.l_start = holder.range.flockStart
        answer.l_len = holder.range.flockLength
        answer.l_pid = holder.owner.reportedPID
        return answer
    }

    /// F_SETLK (EAGAIN on a conflict) or F_SETLKW (waits; EDEADLK, or EINTR if a signal ends the wait).
    static func set(_ r: Request, file: OpenFile, wait: Bool, thread: Thread) async throws(Errno) {
        let waiter = wait ? UInt64(UInt32(bitPattern: thread.tid)) : nil
        while true {
            let generation = changed.value
            switch table.withLock({ $0.set(on: r.file, owner: r.owner, kind: r.kind, range: r.range, waiter: waiter) }) {
            case .granted:
                if case .description = r.owner, r.kind != nil { file.holdsFcntlLocks = true }
                changed.update { $0 += 1 }
                return
            case .deadlock:
                throw .EDEADLK
            case .blocked:
                guard wait else { throw .EAGAIN }
            }
            do { try await changed.wait(until: { $0 != generation }) } catch {
                if let waiter { table.withLock { $0.stopWaiting(waiter) } }
                throw .EINTR
            }
        }
    }

    /// POSIX: a process that closes any descriptor of a file loses its locks on that file.
    static func closed(_ file: OpenFile, by process: Process) {
        PosixMessageQueues.closed(file, by: process)      // mq_notify's registration goes with any close
        let owner = RecordLockTable.Owner.process(process.pid)
        guard table.withLock({ $0.holdsLocks(owner) }) else { return }
        let status = file.status
        let key = RecordLockTable.FileKey(device: status.device.encoded, inode: status.ino)
        if table.withLock({ $0.release(on: key, owner: owner) }) { changed.update { $0 += 1 } }
    }

    static func closed(_ files: [OpenFile], by process: Process) {
        for file in files { closed(file, by: process) }
    }

    /// The process exited: all its POSIX locks go.
    static func exited(_ process: Process) {
        if table.withLock({ $0.release(.process(process.pid)) }) { changed.update { $0 += 1 } }
    }
}
