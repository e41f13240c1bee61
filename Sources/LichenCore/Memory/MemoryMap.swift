// The physical memory map at boot: RAM ranges minus everything that is in use (kernel image, device
// tree, initramfs, firmware reservations). What remains is handed to the frame allocator.

public struct MemoryMap {
    /// Sorted, non-overlapping, non-empty ranges.
    public private(set) var ranges: [PhysRange] = []

    public init(_ ranges: [PhysRange] = []) {
        for r in ranges { add(r) }
    }

    public var totalSize: UInt64 { ranges.reduce(0) { $0 + $1.size } }

    /// Adds a range, merging with neighbours it touches or overlaps.
    public mutating func add(_ range: PhysRange) {
        guard !range.isEmpty else { return }
        var start = range.start, end = range.end
        var kept: [PhysRange] = []
        for r in ranges {
            if r.end < start || r.start > end {
                kept.append(r)
            } else {
                start = min(start, r.start)
                end = max(end, r.end)
            }
        }
        kept.append(PhysRange(start: start, end: end))
        kept.sort { $0.start < $1.start }
        ranges = kept
    }

    /// Removes a range (the parts of it that are present).
    public mutating func remove(_ range: PhysRange) {
        guard !range.isEmpty else { return }
        var kept: [PhysRange] = []
        for r in ranges {
            guard r.overlaps(range) else { kept.append(r); continue }
            if r.start < range.start { kept.append(PhysRange(start: r.start, end: range.start)) }
            if range.end < r.end { kept.append(PhysRange(start: range.end, end: r.end)) }
        }
        ranges = kept
    }

    /// Takes `size` bytes aligned to `alignment` from the lowest range that can give them.
    public mutating func take(size: UInt64, alignment: UInt64 = UInt64(pageSize)) -> PhysRange? {
        for r in ranges {
            let start = r.start.alignedUp(to: alignment)
            guard start >= r.start, start < r.end, r.end - start >= size else { continue }
            let taken = PhysRange(start: start, size: size)
            remove(taken)
            return taken
        }
        return nil
    }

    /// The smallest range that covers every range of the map.
    public var span: PhysRange? {
        guard let first = ranges.first, let last = ranges.last else { return nil }
        return PhysRange(start: first.start, end: last.end)
    }
}
