import LichenCore
import _Concurrency

/// Cached blocks of a disk or partition (Linux's buffer cache, read side): fixed-size logical
/// blocks of `blockSize` bytes read with `await` on the device, kept until the cache is full, then
/// the least recently used eighth is dropped. Generic over its user (ext4 today, FAT next);
/// blocks are immutable [UInt8] shared with the callers. Not done yet: dirty blocks and write-back
/// (a writable filesystem will add them), read-ahead, and release under memory pressure (the OOM
/// path has no reclaim hook to register with; the cache is bounded instead).
final class BlockCache: Ext4BlockSource, @unchecked Sendable {
    let device: any BlockDevice
    let firstSector: UInt64
    let blockSize: Int
    let blockCount: UInt64
    let capacity: Int
    private struct Entry {
        var number: UInt64
        var data: [UInt8]
        var lastUse: UInt64
    }
    /// Buckets by block number (no Dictionary in the kernel: its hashing uses floating point).
    private static let bucketCount = 256
    private let state = SpinLock<(buckets: [[Entry]], count: Int, clock: UInt64)>(
        ([[Entry]](repeating: [], count: bucketCount), 0, 0))

    /// A cache of `file` in blocks of `blockSize` (a multiple of the device's logical block size:
    /// EINVAL otherwise, as Linux's sb_set_blocksize).
    init(_ file: BlockDeviceFile, blockSize: Int, capacity: Int = 1024) throws(Errno) {
        guard blockSize >= file.device.logicalBlockSize, blockSize % file.device.logicalBlockSize == 0,
              blockSize % 512 == 0, blockSize <= pageSize else { throw .EINVAL }
        device = file.device
        firstSector = file.firstSector
        self.blockSize = blockSize
        blockCount = file.sectors / UInt64(blockSize / 512)
        self.capacity = max(capacity, 16)
    }

    func block(_ number: UInt64) async throws(Errno) -> [UInt8] {
        let b = Int(number % UInt64(Self.bucketCount))
        if let hit = state.withLock({ s -> [UInt8]? in
            s.clock += 1
            guard let i = s.buckets[b].firstIndex(where: { $0.number == number }) else { return nil }
            s.buckets[b][i].lastUse = s.clock
            return s.buckets[b][i].data
        }) {
            return hit
        }
        guard number < blockCount else { throw .EIO }                // past the end of the partition
        guard let buffer = DMABuffer.allocate(blockSize) else { throw .ENOMEM }
        defer { buffer.free() }
        try await device.read(sector: firstSector + number * UInt64(blockSize / 512), into: buffer.prefix(blockSize))
        let data = Array(UnsafeRawBufferPointer(start: buffer.pointer, count: blockSize))
        let evicted = state.withLock { s -> [Entry] in
            s.clock += 1
            if s.buckets[b].contains(where: { $0.number == number }) { return [] }   // read meanwhile by another task
            s.buckets[b].append(Entry(number: number, data: data, lastUse: s.clock))
            s.count += 1
            guard s.count > capacity else { return [] }
            return Self.evictOldest(&s.buckets, count: capacity / 8, total: &s.count)
        }
        _ = evicted                          // their memory goes back outside the lock
        return data
    }

    /// Removes the `count` least recently used entries and returns them.
    private static func evictOldest(_ buckets: inout [[Entry]], count: Int, total: inout Int) -> [Entry] {
        var uses: [UInt64] = []
        for bucket in buckets { for e in bucket { uses.append(e.lastUse) } }
        uses.sort()
        let limit = uses[min(count, uses.count) - 1]
        var gone: [Entry] = []
        for i in buckets.indices {
            var j = 0
            while j < buckets[i].count {
                if buckets[i][j].lastUse <= limit { gone.append(buckets[i].remove(at: j)) } else { j += 1 }
            }
        }
        total -= gone.count
        return gone
    }

    /// Drops every block (BLKFLSBUF, unmount).
    func drop() {
        let all = state.withLock { s -> [[Entry]] in
            let all = s.buckets
            s.buckets = [[Entry]](repeating: [], count: Self.bucketCount)
            s.count = 0
            return all
        }
        _ = all
    }

    var cachedBlocks: Int { state.withLock { $0.count } }
}
