import LichenCore
import _Concurrency

/// File calls programs seldom make: flock, close_range, and advice and syncing, which have nothing
/// to do here (files live in memory) but check their arguments as Linux does.
enum RareFileSyscalls {
    static let LOCK_SH: UInt64 = 1, LOCK_EX: UInt64 = 2, LOCK_NB: UInt64 = 4, LOCK_UN: UInt64 = 8
    static let CLOSE_RANGE_UNSHARE: UInt64 = 2, CLOSE_RANGE_CLOEXEC: UInt64 = 4

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 32:                                                // flock
            let file = try a.process.file(a.fd(0))
            guard !file.isPathOnly else { throw .EBADF }
            switch a[1] & ~LOCK_NB {
            case LOCK_SH, LOCK_EX: try await FileLocks.lock(file, exclusive: a[1] & LOCK_EX != 0, nonBlocking: a[1] & LOCK_NB != 0)
            case LOCK_UN: FileLocks.unlock(file)
            default: throw .EINVAL
            }
            return 0
        case 436:                                               // close_range (the table is never shared: UNSHARE has nothing to do)
            guard a[2] & ~(CLOSE_RANGE_UNSHARE | CLOSE_RANGE_CLOEXEC) == 0, UInt32(truncatingIfNeeded: a[0]) <= UInt32(truncatingIfNeeded: a[1]) else { throw .EINVAL }
            let first = Int32(truncatingIfNeeded: min(a[0] & 0xffff_ffff, UInt64(Int32.max)))
            let last = Int32(truncatingIfNeeded: min(a[1] & 0xffff_ffff, UInt64(Int32.max)))
            let closed = a.process.files.withLock { $0.closeRange(first, last, cloexecOnly: a[2] & CLOSE_RANGE_CLOEXEC != 0) }
            RecordLocks.closed(closed, by: a.process)           // released here, outside the table's lock
            return 0
        case 223:                                               // fadvise64(fd, offset, len, advice)
            let file = try a.process.file(a.fd(0))
            guard !isPipe(file) else { throw .ESPIPE }
            guard a.int(2) >= 0, a[3] <= 5 else { throw .EINVAL }
            return 0
        case 84:                                                // sync_file_range(fd, offset, nbytes, flags)
            let file = try a.process.file(a.fd(0))
            guard a[3] & ~7 == 0, a.int(1) >= 0, a.int(2) >= 0, !a.int(1).addingReportingOverflow(a.int(2)).overflow else { throw .EINVAL }
            guard !isPipe(file), file.operations == nil else { throw .ESPIPE }
            return 0
        case 267:                                               // syncfs
            _ = try a.process.file(a.fd(0))
            return 0
        default: return nil
        }
    }

    private static func isPipe(_ file: OpenFile) -> Bool { file.status.mode & FileMode.S_IFMT == FileMode.S_IFIFO }
}
