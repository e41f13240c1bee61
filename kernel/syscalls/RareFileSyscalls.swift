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

    /// The descriptor table is never shared: CLOSE_RANGE_UNSHARE has nothing to do.
    static func close_range(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let first = a.uint32(0), last = a.uint32(1), flags = a[2]
        guard flags & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) == 0, first <= last else { throw .EINVAL }
        let lowest = Int32(min(first, UInt32(Int32.max))), highest = Int32(min(last, UInt32(Int32.max)))
        let closed = a.process.files.withLock { $0.closeRange(lowest, highest, cloexecOnly: flags & CLOSE_RANGE_CLOEXEC != 0) }
        RecordLocks.closed(closed, by: a.process)               // released here, outside the table's lock
        return 0
    }

    /// fadvise64(fd, offset, len, advice).
    static func fadvise64(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), length = a.int(2), advice = a[3]
        let file = try a.process.file(fd)
        guard !isPipe(file) else { throw .ESPIPE }
        guard length >= 0, advice <= POSIX_FADV_NOREUSE else { throw .EINVAL }
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
        if let ext4 = file.location.mount.fileSystem as? Ext4FileSystem { try await ext4.sync() }
        return 0
    }

    private static func isPipe(_ file: OpenFile) -> Bool { file.status.mode & FileMode.S_IFMT == FileMode.S_IFIFO }
}
