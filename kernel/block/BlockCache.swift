import LichenCore
import _Concurrency

/// Cached blocks of a disk or partition (Linux's buffer cache): fixed-size logical blocks of
/// `blockSize` bytes, read with `await` on the device on a miss, replaced whole by `write` and kept
/// dirty until written back: by `sync` (fsync, sync(2), unmount), by the periodic flusher once a
/// block has been dirty for 30 s (`BlockCaches`), or at once when dirty blocks fill half the cache
/// (a writer then waits for the write-back, as Linux's balance_dirty_pages throttles it). Clean
/// blocks are dropped least recently used first when the cache is full; dirty ones never are.
/// Blocks are immutable [UInt8] shared with the callers. Not done: read-ahead, and release under
/// memory pressure (the OOM path has no reclaim hook; the cache is bounded instead).
final class BlockCache: BlockStore, @unchecked Sendable {
    let device: any BlockDevice
    let number: DeviceNumber
    let firstSector: UInt64
    let blockSize: Int
    let blockCount: UInt64
    let capacity: Int
    private struct Entry {
        var number: UInt64
        var data: [UInt8]
        var lastUse: UInt64
        /// Uptime (ns) when the block became dirty; 0 when clean.
        var dirtySince: UInt64
        /// Bumped by every write: a write-back marks the block clean only if no write came since.
        var generation: UInt64
    }
    /// Buckets by block number (no Dictionary in the kernel: its hashing uses floating point).
    private static let bucketCount = 256
    private struct State {
        var buckets = [[Entry]](repeating: [], count: BlockCache.bucketCount)
        var count = 0
        var dirty = 0
        var clock: UInt64 = 0
    }
    private let state = SpinLock(State())

    /// A cache of `file` in blocks of `blockSize` (a multiple of the device's logical block size:
    /// EINVAL otherwise, as Linux's sb_set_blocksize). Filesystems get theirs from `BlockCaches`,
    /// so that every mount of a device shares one.
    init(_ file: BlockDeviceFile, blockSize: Int, capacity: Int = 1024) throws(Errno) {
        guard blockSize >= file.device.logicalBlockSize, blockSize % file.device.logicalBlockSize == 0,
              blockSize % 512 == 0, blockSize <= pageSize else { throw .EINVAL }
        device = file.device
        number = file.number
        firstSector = file.firstSector
        self.blockSize = blockSize
        blockCount = file.sectors / UInt64(blockSize / 512)
        self.capacity = max(capacity, 16)
    }

    private var sectorsPerBlock: UInt64 { UInt64(blockSize / 512) }

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
        try await device.read(sector: firstSector + number * sectorsPerBlock, into: buffer.prefix(blockSize))
        let read = Array(UnsafeRawBufferPointer(start: buffer.pointer, count: blockSize))
        let (data, evicted) = state.withLock { s -> ([UInt8], [Entry]) in
            s.clock += 1
            // Read or written meanwhile by another task: that copy is the current one.
            if let e = s.buckets[b].first(where: { $0.number == number }) { return (e.data, []) }
            s.buckets[b].append(Entry(number: number, data: read, lastUse: s.clock, dirtySince: 0, generation: 0))
            s.count += 1
            return (read, Self.evictIfFull(&s, capacity: capacity))
        }
        _ = evicted                          // their memory goes back outside the lock
        return data
    }

    /// File data for the page cache: the blocks cached here (perhaps dirty, newer than the disk)
    /// are copied, runs of the others read in requests of up to the device's transfer size and not
    /// kept (the page cache keeps them). A block written while its run was on the device is taken
    /// from the cache afterwards.
    func readBlocks(_ first: UInt64, count: Int, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) {
        guard count > 0 else { return }
        guard first < blockCount, UInt64(count) <= blockCount - first, buffer.count >= count * blockSize else { throw .EIO }
        let perRequest = max(1, min(device.maxTransferBytes, 256 * 1024) / blockSize)
        var i = 0
        while i < count {
            let cachedRun = copyCached(first, i..<count, into: buffer, stopAtMissing: true)
            i += cachedRun
            guard i < count else { break }
            var j = i + 1
            while j < count, j - i < perRequest, !isCached(first + UInt64(j)) { j += 1 }
            // Memory fragmented: smaller requests.
            var dma = DMABuffer.allocate((j - i) * blockSize)
            while dma == nil && j - i > 1 {
                j = i + (j - i) / 2
                dma = DMABuffer.allocate((j - i) * blockSize)
            }
            guard let dma else { throw .ENOMEM }
            defer { dma.free() }
            let bytes = (j - i) * blockSize
            try await device.read(sector: firstSector + (first + UInt64(i)) * sectorsPerBlock, into: dma.prefix(bytes))
            UnsafeMutableRawBufferPointer(rebasing: buffer[i * blockSize..<j * blockSize])
                .copyMemory(from: UnsafeRawBufferPointer(start: dma.pointer, count: bytes))
            _ = copyCached(first, i..<j, into: buffer, stopAtMissing: false)
            i = j
        }
    }

    private func isCached(_ number: UInt64) -> Bool {
        let b = Int(number % UInt64(Self.bucketCount))
        return state.withLock { s in s.buckets[b].contains { $0.number == number } }
    }

    /// Copies the cached blocks among `first + range` into their places in `buffer`; with
    /// `stopAtMissing`, only the leading cached ones. Returns how many leading blocks were cached.
    private func copyCached(_ first: UInt64, _ range: Range<Int>, into buffer: UnsafeMutableRawBufferPointer, stopAtMissing: Bool) -> Int {
        let size = blockSize
        let base = UInt(bitPattern: buffer.baseAddress)     // a plain number may cross into the lock's region
        return state.withLock { s -> Int in
            var leading = 0
            var counting = true
            for i in range {
                let number = first + UInt64(i)
                let b = Int(number % UInt64(Self.bucketCount))
                guard let e = s.buckets[b].first(where: { $0.number == number }) else {
                    if stopAtMissing { break }
                    counting = false
                    continue
                }
                e.data.withUnsafeBytes { d in
                    UnsafeMutableRawPointer(bitPattern: base + UInt(i * size))!.copyMemory(from: d.baseAddress!, byteCount: size)
                }
                if counting { leading += 1 }
            }
            return leading
        }
    }

    func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) {
        guard data.count == blockSize else { throw .EINVAL }
        guard number < blockCount else { throw .EIO }
        guard !device.readOnly else { throw .EROFS }
        let b = Int(number % UInt64(Self.bucketCount))
        let now = max(MonotonicClock.now, 1)
        let (evicted, dirty) = state.withLock { s -> ([Entry], Int) in
            s.clock += 1
            if let i = s.buckets[b].firstIndex(where: { $0.number == number }) {
                let old = s.buckets[b][i].data                    // released outside the lock
                if s.buckets[b][i].dirtySince == 0 { s.buckets[b][i].dirtySince = now; s.dirty += 1 }
                s.buckets[b][i].data = data
                s.buckets[b][i].generation &+= 1
                s.buckets[b][i].lastUse = s.clock
                return ([Entry(number: number, data: old, lastUse: 0, dirtySince: 0, generation: 0)], s.dirty)
            }
            s.buckets[b].append(Entry(number: number, data: data, lastUse: s.clock, dirtySince: now, generation: 1))
            s.count += 1
            s.dirty += 1
            return (Self.evictIfFull(&s, capacity: capacity), s.dirty)
        }
        _ = evicted
        if dirty > capacity / 2 { try await writeBack(olderThan: .max) }
    }

    func sync() async throws(Errno) {
        try await writeBack(olderThan: .max)
        if device.hasWriteCache { try await device.flush() }
    }

    /// Writes back the blocks dirty since before `uptime` (ns; .max: all of them), in block order,
    /// neighbours merged into one request. A block written again meanwhile stays dirty. EIO if the
    /// device failed a request (those blocks stay dirty; the others are written anyway).
    func writeBack(olderThan uptime: UInt64) async throws(Errno) {
        var batch = state.withLock { s -> [(number: UInt64, data: [UInt8], generation: UInt64)] in
            var out: [(number: UInt64, data: [UInt8], generation: UInt64)] = []
            for bucket in s.buckets {
                for e in bucket where e.dirtySince != 0 && e.dirtySince < uptime { out.append((e.number, e.data, e.generation)) }
            }
            return out
        }
        guard !batch.isEmpty else { return }
        batch.sort { $0.number < $1.number }
        let perRequest = max(1, min(device.maxTransferBytes, 256 * 1024) / blockSize)
        guard let buffer = DMABuffer.allocate(perRequest * blockSize) else { throw .ENOMEM }
        defer { buffer.free() }
        var failed = false
        var start = 0
        while start < batch.count {
            var end = start + 1
            while end < batch.count, end - start < perRequest, batch[end].number == batch[end - 1].number + 1 { end += 1 }
            for i in start..<end {
                batch[i].data.withUnsafeBytes { src in
                    UnsafeMutableRawBufferPointer(rebasing: buffer.bytes[(i - start) * blockSize..<(i - start + 1) * blockSize])
                        .copyMemory(from: src)
                }
            }
            do throws(Errno) {
                try await device.write(sector: firstSector + batch[start].number * sectorsPerBlock,
                                       from: buffer.prefix((end - start) * blockSize))
                markClean(batch[start..<end])
            } catch {
                failed = true
            }
            start = end
        }
        if failed { throw .EIO }
    }

    private func markClean(_ written: ArraySlice<(number: UInt64, data: [UInt8], generation: UInt64)>) {
        state.withLock { s in
            for w in written {
                let b = Int(w.number % UInt64(Self.bucketCount))
                guard let i = s.buckets[b].firstIndex(where: { $0.number == w.number }),
                      s.buckets[b][i].generation == w.generation, s.buckets[b][i].dirtySince != 0 else { continue }
                s.buckets[b][i].dirtySince = 0
                s.dirty -= 1
            }
        }
    }

    /// When over capacity, removes the least recently used eighth of the clean entries and returns them.
    private static func evictIfFull(_ s: inout State, capacity: Int) -> [Entry] {
        guard s.count > capacity else { return [] }
        var uses: [UInt64] = []
        for bucket in s.buckets { for e in bucket where e.dirtySince == 0 { uses.append(e.lastUse) } }
        guard !uses.isEmpty else { return [] }
        uses.sort()
        let limit = uses[min(capacity / 8, uses.count) - 1]
        var gone: [Entry] = []
        for i in s.buckets.indices {
            var j = 0
            while j < s.buckets[i].count {
                let e = s.buckets[i][j]
                if e.dirtySince == 0 && e.lastUse <= limit { gone.append(s.buckets[i].remove(at: j)) } else { j += 1 }
            }
        }
        s.count -= gone.count
        return gone
    }

    /// Writes back every dirty block, then drops every block (BLKFLSBUF, the last unmount).
    func drop() async throws(Errno) {
        try await sync()
        let all = state.withLock { s -> [[Entry]] in
            var kept = [[Entry]](repeating: [], count: Self.bucketCount)
            let all = s.buckets
            for (i, bucket) in all.enumerated() { kept[i] = bucket.filter { $0.dirtySince != 0 } }   // written meanwhile
            s.count = kept.reduce(0) { $0 + $1.count }
            s.buckets = kept
            return all
        }
        _ = all
    }

    var cachedBlocks: Int { state.withLock { $0.count } }
    var dirtyBlocks: Int { state.withLock { $0.dirty } }
}
