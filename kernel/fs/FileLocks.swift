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
        let key = self.key(file)
        while true {
            let generation = released.value
            if take(file, key, exclusive: exclusive) { return }
            if nonBlocking { throw .EWOULDBLOCK }
            do { try await released.wait(until: { $0 != generation }) } catch { throw .EINTR }
        }
    }

    /// The lock if no other description holds a conflicting one; false leaves the state as the
    /// waiting `lock` finds it (a conversion has dropped the old lock, as there).
    static func lockNow(_ file: OpenFile, exclusive: Bool) -> Bool {
        take(file, key(file), exclusive: exclusive)
    }

    private static func take(_ file: OpenFile, _ key: FlockTable.FileKey, exclusive: Bool) -> Bool {
        guard table.withLock({ $0.lock(key, owner: file.lockOwner, exclusive: exclusive) }) else { return false }
        file.holdsFlock = true
        return true
    }

    static func unlock(_ file: OpenFile) {
        if table.withLock({ $0.unlock(key(file), owner: file.lockOwner) }) { released.update { $0 += 1 } }
    }

    /// The file's (device, inode number), read without building its whole stat.
    private static func key(_ file: OpenFile) -> FlockTable.FileKey {
        FlockTable.FileKey(device: file.location.mount.fileSystem.device.encoded, inode: file.inode.metadata.ino)
    }
}
