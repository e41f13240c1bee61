import LichenCore
import _Concurrency

/// flock(2): the system's lock table (LichenCore's FlockTable) and the wait for a conflicting lock
/// to go. Waiters re-check whenever any lock is dropped.
enum FileLocks {
    private static let table = SpinLock(FlockTable())
    private static let released = Event<UInt64>(0)

    static func install() {
        OpenFile.releaseFlocks = { owner in
            if table.withLock({ $0.release(owner: owner) }) { released.update { $0 += 1 } }
        }
    }

    /// LOCK_SH/LOCK_EX, waiting unless `nonBlocking` (EWOULDBLOCK); EINTR if a signal ends the wait.
    static func lock(_ file: OpenFile, exclusive: Bool, nonBlocking: Bool) async throws(Errno) {
        let key = FlockTable.FileKey(device: file.status.device.encoded, inode: file.status.ino)
        while true {
            let generation = released.value
            if table.withLock({ $0.lock(key, owner: file.lockOwner, exclusive: exclusive) }) {
                file.holdsFlock = true
                return
            }
            if nonBlocking { throw .EWOULDBLOCK }
            do { try await released.wait(until: { $0 != generation }) } catch { throw .EINTR }
        }
    }

    static func unlock(_ file: OpenFile) {
        let key = FlockTable.FileKey(device: file.status.device.encoded, inode: file.status.ino)
        if table.withLock({ $0.unlock(key, owner: file.lockOwner) }) { released.update { $0 += 1 } }
    }
}
