import LichenCore
import _Concurrency

/// File calls programs seldom make: flock, close_range, and advice and syncing, which have nothing
/// to do here (files live in memory) but check their arguments as Linux does.
enum RareFileSyscalls {
    static let LOCK_SH: UInt64 = 1, LOCK_EX: UInt64 = 2, LOCK_NB: UInt64 = 4, LOCK_UN: UInt64 = 8
    static let CLOSE_RANGE_UNSHARE: UInt64 = 2, CLOSE_RANGE_CLOEXEC: UInt64 = 4
    static let POSIX_FADV_NOREUSE: UInt64 = 5                   // the highest advice
    /// SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE | SYNC_FILE_RANGE_WAIT_AFTER.
    static let SYNC_FILE_RANGE_ALL: UInt64 = 7

    static func flock(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), operation = a[1]
        let file = try a.process.file(fd)
        guard !file.isPathOnly else { throw .EBADF }
        switch operation & ~LOCK_NB {
        case LOCK_SH, LOCK_EX:
            try await FileLocks.lock(file, exclusive: operation & LOCK_EX != 0, nonBlocking: operation & LOCK_NB != 0)
        case LOCK_UN: FileLocks.unlock(file)
        default: throw .EINVAL
        }
        return 0
    }

    /// flock without an async frame: unlocking, and locking when no other description holds a
    /// conflicting lock (or LOCK_NB's EWOULDBLOCK). Nil when the call must wait: `flock` then runs.
    static func flockNow(_ a: SyscallArguments) throws(Errno) -> UInt64? {
        let fd = a.fd(0), operation = a[1]
        let file = try a.process.file(fd)
        guard !file.isPathOnly else { throw .EBADF }
        switch operation & ~LOCK_NB {
        case LOCK_SH, LOCK_EX:
            if FileLocks.lockNow(file, exclusive: operation & LOCK_EX != 0) { return 0 }
            if operation & LOCK_NB != 0 { throw .EWOULDBLOCK }
            return nil
        case LOCK_UN: FileLocks.unlock(file)
        default: throw .EINVAL
        }
        return 0
    }

    /// The descriptor table is never shared: CLOSE_RANGE_UNSHARE has nothing to do.
    static func close_range(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let first = a.uint32(0), last = a.uint32(1), flags = a[2]
        guard flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) == 0, first <= last else { throw .EINVAL }
        let lowest = Int32(min(first, UInt32(Int32.max))), highest = Int32(min(last, UInt32(Int32.max)))
        let closed = a.process.files.withLock { $0.closeRange(lowest, highest, cloexecOnly: flags & CLOSE_RANGE_CLOEXEC != 0) }
        RecordLocks.closed(closed, by: a.process)               // released here, outside the table's lock
        return 0
    }

    static let POSIX_FADV_NORMAL: UInt64 = 0, POSIX_FADV_RANDOM: UInt64 = 1, POSIX_FADV_SEQUENTIAL: UInt64 = 2
    static let POSIX_FADV_WILLNEED: UInt64 = 3, POSIX_FADV_DONTNEED: UInt64 = 4

    /// fadvise64(fd, offset, len, advice), as Linux's generic_fadvise: the access pattern sets the
    /// description's readahead (RANDOM: none, SEQUENTIAL: twice the window), WILLNEED starts reading
    /// the range into a disk file's page cache, DONTNEED drops its clean unmapped whole pages.
    static func fadvise64(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), offset = a.int(1), length = a.int(2), advice = a[3]
        let file = try a.process.file(fd)
        guard !file.isPathOnly else { throw .EBADF }
        guard !isPipe(file) else { throw .ESPIPE }
        guard length >= 0, advice <= POSIX_FADV_NOREUSE else { throw .EINVAL }
        // The last byte: the end of the file for a length of 0 or one that overflows.
        let (sum, overflow) = offset.addingReportingOverflow(length)
        let last = length == 0 || overflow ? Int64.max : sum - 1
        let ps = Int64(pageSize)
        switch advice {
        case POSIX_FADV_NORMAL: file.readahead.withLock { $0.advise(.normal) }
        case POSIX_FADV_RANDOM: file.readahead.withLock { $0.advise(.random) }
        case POSIX_FADV_SEQUENTIAL: file.readahead.withLock { $0.advise(.sequential) }
        case POSIX_FADV_WILLNEED:
            if offset >= 0, last >= offset, let cache = file.inode.pageCache {
                cache.willNeed(offset / ps..<(last == Int64.max ? Int64.max : last / ps + 1))
            }
        case POSIX_FADV_DONTNEED:
            // Whole pages only: the first one starting at or after offset, the last one ending at or before last.
            if offset >= 0, last >= offset, let cache = file.inode.pageCache {
                let first = offset / ps + (offset % ps == 0 ? 0 : 1)   // rounded up without overflow near Int64.max
                let end = last == Int64.max ? Int64.max : (last + 1) / ps
                if first < end { cache.dontNeed(first..<end) }
            }
        default: break                                   // NOREUSE: nothing to do
        }
        return 0
    }

    /// readahead(fd, offset, count): POSIX_FADV_WILLNEED on a regular file open for reading (EBADF
    /// otherwise, EINVAL for anything but a regular file, as Linux 6.1).
    static func readahead(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), offset = a.int(1), count = a[2]
        let file = try a.process.file(fd)
        guard !file.isPathOnly, file.flags.allowsRead else { throw .EBADF }
        guard file.operations == nil, file.inode.metadata.isRegular else { throw .EINVAL }
        guard count <= UInt64(Int64.max) else { throw .EINVAL }       // fadvise's negative length
        let length = Int64(count)
        let (sum, overflow) = offset.addingReportingOverflow(length)
        let last = length == 0 || overflow ? Int64.max : sum - 1
        if offset >= 0, last >= offset, let cache = file.inode.pageCache {
            let ps = Int64(pageSize)
            cache.willNeed(offset / ps..<(last == Int64.max ? Int64.max : last / ps + 1))
        }
        return 0
    }

    /// sync_file_range(fd, offset, nbytes, flags): arm64's number 84, which the generated ABI enum
    /// calls sync_file_range2 (that name's argument order, with flags second, is not arm64's).
    static func sync_file_range(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), offset = a.int(1), count = a.int(2), flags = a[3]
        let file = try a.process.file(fd)
        guard flags & ~SYNC_FILE_RANGE_ALL == 0, offset >= 0, count >= 0, !offset.addingReportingOverflow(count).overflow else {
            throw .EINVAL
        }
        guard !isPipe(file), file.operations == nil else { throw .ESPIPE }
        return 0
    }

    static func syncfs(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        let file = try a.process.file(fd)
        try await file.location.mount.fileSystem.sync()
        return 0
    }

    private static func isPipe(_ file: OpenFile) -> Bool { file.status.mode & FileMode.S_IFMT == FileMode.S_IFIFO }
}
