import LichenCore
import _Concurrency

/// The block caches of mounted filesystems: one per device and block size, shared by every mount of
/// that device (Linux keeps one page cache per block device), written back by sync(2) and by a
/// flusher that wakes every 5 s and writes back blocks dirty for more than 30 s (Linux's
/// dirty_writeback_centisecs and dirty_expire_centisecs defaults).
enum BlockCaches {
    private static let caches = SpinLock<(list: [BlockCache], flusherStarted: Bool)>(([], false))
    static let flushInterval: UInt64 = 5_000_000_000
    static let dirtyExpiry: UInt64 = 30_000_000_000

    /// The cache of `file` in `blockSize` blocks, made on first use.
    static func cache(for file: BlockDeviceFile, blockSize: Int, capacity: Int) throws(Errno) -> BlockCache {
        let made = try BlockCache(file, blockSize: blockSize, capacity: capacity)
        let (cache, startFlusher) = caches.withLock { c -> (BlockCache, Bool) in
            if let old = c.list.first(where: { $0.number == file.number && $0.blockSize == blockSize }) { return (old, false) }
            c.list.append(made)
            defer { c.flusherStarted = true }
            return (made, !c.flusherStarted)
        }
        if startFlusher { Task { await flushForever() } }
        return cache
    }

    /// The last unmount of `cache`'s device: written back, flushed and forgotten.
    static func release(_ cache: BlockCache) async throws(Errno) {
        try await cache.drop()
        caches.withLock { c in c.list.removeAll { $0 === cache } }
    }

    /// BLKFLSBUF: the caches of `device` written back, then emptied (Linux's sync_blockdev and
    /// invalidate_bdev).
    static func flushBuffers(of device: DeviceNumber) async throws(Errno) {
        for cache in caches.withLock({ $0.list }) where cache.number == device { try await cache.drop() }
    }

    /// sync(2) and syncfs without a filesystem to name: every cache written back and its device
    /// flushed. Errors are not reported (Linux's sync returns 0).
    static func syncAll() async {
        for cache in caches.withLock({ $0.list }) { try? await cache.sync() }
    }

    private static func flushForever() async {
        while true {
            await sleep(for: flushInterval)
            let now = MonotonicClock.now
            guard now > dirtyExpiry else { continue }
            try? await DiskPageCaches.writeBack(dirtyBefore: now - dirtyExpiry)      // mapped stores of disk files
            for cache in caches.withLock({ $0.list }) { try? await cache.writeBack(olderThan: now - dirtyExpiry) }
        }
    }
}
