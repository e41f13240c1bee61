/// The file allocation table of a mounted volume, held in memory whole (read at mount; a FAT32
/// volume of 32 GiB with 4 KiB clusters has a 32 MiB FAT, a floppy a few sectors). Entries are
/// read and written in the width of the FAT type; changed sectors are remembered so that only
/// they are written back, to every FAT copy.
public struct FatTable: Sendable {
    /// Lichen keeps the FAT in memory: at most this much (a FAT32 volume of 128 GiB with 32 KiB clusters).
    public static let maxBytes: UInt64 = 16 << 20
    public let kind: FatBootSector.Kind
    public let maxCluster: UInt32
    public private(set) var bytes: [UInt8]
    private let sectorSize: Int
    /// Sectors of the FAT changed since `takeDirtySectors`.
    private var dirty: [Bool]
    public private(set) var freeCount: UInt32 = 0
    /// Linux's prev_free: allocation searches from the cluster after it.
    public var lastAllocated: UInt32

    /// End of chain as written (Linux writes FAT_ENT_EOF: 0xFFF, 0xFFFF, 0x0FFFFFFF).
    var endOfChain: UInt32 { kind == .fat32 ? 0x0fff_ffff : kind == .fat16 ? 0xffff : 0xfff }
    /// Values at or above this end a chain (0x?FF8 and up); the BAD value just below is no data either.
    var endThreshold: UInt32 { kind == .fat32 ? 0x0fff_fff8 : kind == .fat16 ? 0xfff8 : 0xff8 }

    public init(_ bytes: [UInt8], boot: FatBootSector) {
        kind = boot.kind
        maxCluster = boot.maxCluster
        self.bytes = bytes
        sectorSize = boot.bytesPerSector
        dirty = [Bool](repeating: false, count: (bytes.count + boot.bytesPerSector - 1) / boot.bytesPerSector)
        lastAllocated = 1
        var free: UInt32 = 0
        for c in 2..<maxCluster where entry(c) == 0 { free += 1 }
        freeCount = free
    }

    /// The raw entry of cluster `c` (FAT32: the low 28 bits).
    public func entry(_ c: UInt32) -> UInt32 {
        let i = Int(c)
        switch kind {
        case .fat12:
            let o = i + i / 2
            guard o + 1 < bytes.count else { return endOfChain }
            let v = UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8
            return i & 1 == 0 ? v & 0xfff : v >> 4
        case .fat16:
            let o = i * 2
            guard o + 1 < bytes.count else { return endOfChain }
            return UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8
        case .fat32:
            let o = i * 4
            guard o + 3 < bytes.count else { return endOfChain }
            return (UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24) & 0x0fff_ffff
        }
    }

    /// Sets cluster `c`'s entry, keeping the free count (FAT32 keeps the entry's top 4 bits).
    public mutating func set(_ c: UInt32, _ value: UInt32) {
        let old = entry(c)
        if old == 0 && value != 0 { freeCount -= 1 } else if old != 0 && value == 0 { freeCount += 1 }
        let i = Int(c)
        switch kind {
        case .fat12:
            let o = i + i / 2
            guard o + 1 < bytes.count else { return }
            if i & 1 == 0 {
                bytes[o] = UInt8(value & 0xff)
                bytes[o + 1] = bytes[o + 1] & 0xf0 | UInt8(value >> 8 & 0x0f)
            } else {
                bytes[o] = bytes[o] & 0x0f | UInt8(value << 4 & 0xf0)
                bytes[o + 1] = UInt8(value >> 4 & 0xff)
            }
            mark(o, 2)
        case .fat16:
            let o = i * 2
            guard o + 1 < bytes.count else { return }
            bytes[o] = UInt8(value & 0xff)
            bytes[o + 1] = UInt8(value >> 8 & 0xff)
            mark(o, 2)
        case .fat32:
            let o = i * 4
            guard o + 3 < bytes.count else { return }
            let v = value & 0x0fff_ffff | UInt32(bytes[o + 3] & 0xf0) << 24
            for k in 0..<4 { bytes[o + k] = UInt8(truncatingIfNeeded: v >> (8 * UInt32(k))) }
            mark(o, 4)
        }
    }

    private mutating func mark(_ offset: Int, _ count: Int) {
        dirty[offset / sectorSize] = true
        dirty[(offset + count - 1) / sectorSize] = true
    }

    /// The FAT sectors changed since the last call (indices within one FAT copy).
    public mutating func takeDirtySectors() -> [Int] {
        var out: [Int] = []
        for i in 0..<dirty.count where dirty[i] {
            out.append(i)
            dirty[i] = false
        }
        return out
    }

    public func sector(_ index: Int) -> [UInt8] { Array(bytes[index * sectorSize..<(index + 1) * sectorSize]) }

    /// The clusters of the chain starting at `start` (empty for 0). A chain that leads out of the
    /// data area, into a free cluster, or around a loop is corrupt: EIO as Linux's fat_get_cluster.
    /// At most `limit` clusters are followed (a file needs no more than its size covers).
    public func chain(from start: UInt32, limit: Int = Int.max) throws(Errno) -> [UInt32] {
        var out: [UInt32] = []
        var c = start
        if c == 0 { return out }
        while out.count < limit {
            guard c >= 2, c < maxCluster, out.count < Int(maxCluster) else { throw .EIO }
            out.append(c)
            let next = entry(c)
            if next >= endThreshold { return out }
            c = next
        }
        return out
    }

    /// Takes `count` free clusters (searching on from the last allocation, as Linux), links them
    /// into one chain ending in EOF, and returns them; ENOSPC (nothing taken) if there are too few.
    public mutating func allocate(_ count: Int) throws(Errno) -> [UInt32] {
        guard count > 0 else { return [] }
        guard UInt32(count) <= freeCount else { throw .ENOSPC }
        var out: [UInt32] = []
        out.reserveCapacity(count)
        var c = lastAllocated
        var scanned: UInt32 = 0
        while out.count < count && scanned < maxCluster {
            c += 1
            if c >= maxCluster { c = 2 }
            scanned += 1
            if entry(c) == 0 { out.append(c) }
        }
        guard out.count == count else { throw .ENOSPC }
        for (i, c) in out.enumerated() { set(c, i + 1 < out.count ? out[i + 1] : endOfChain) }
        lastAllocated = out[out.count - 1]
        return out
    }

    /// Marks each of `clusters` free.
    public mutating func free(_ clusters: ArraySlice<UInt32>) {
        for c in clusters where c >= 2 && c < maxCluster { set(c, 0) }
    }

    public mutating func link(_ from: UInt32, to: UInt32) { set(from, to) }
    public mutating func endChain(at c: UInt32) { set(c, endOfChain) }
}
