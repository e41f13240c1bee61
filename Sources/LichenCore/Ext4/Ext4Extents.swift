// The extent tree's nodes (the root in i_block, the others in blocks), sans-IO.

public struct Ext4ExtentNode: Sendable {
    public struct Entry: Sendable {
        /// First logical block it covers.
        public var logical: UInt32
        /// Index nodes: the child's block. Leaves: the first physical block.
        public var physical: UInt64
        /// Leaves: the number of blocks (0 for index entries).
        public var length: UInt32
        /// Leaves: an uninitialized (preallocated) extent, which reads as zeros.
        public var uninitialized: Bool
    }

    public var depth: Int
    public var entries: [Entry]

    static let magic: UInt16 = 0xf30a
    public static let maxDepth = 5

    /// Parses a node (`bytes` is i_block or a whole tree block); `expectedDepth` is the depth its
    /// parent promised (nil for the root). `blocksCount` bounds every physical block.
    public init(_ bytes: UnsafeRawBufferPointer, expectedDepth: Int?, blocksCount: UInt64) throws(Errno) {
        guard bytes.count >= 12, bytes.le16(0) == Self.magic else { throw .EUCLEAN }
        let count = Int(bytes.le16(2)), max = Int(bytes.le16(4))
        depth = Int(bytes.le16(6))
        guard count <= max, 12 + max * 12 <= bytes.count, depth <= Self.maxDepth else { throw .EUCLEAN }
        if let expectedDepth, expectedDepth != depth { throw .EUCLEAN }
        entries = []
        entries.reserveCapacity(count)
        var previous: UInt64? = nil
        for i in 0..<count {
            let o = 12 + i * 12
            let logical = bytes.le32(o)
            if let previous, UInt64(logical) < previous { throw .EUCLEAN }     // entries sorted, leaves not overlapping
            if depth == 0 {
                var length = UInt32(bytes.le16(o + 4))
                let uninitialized = length > 32768
                if uninitialized { length -= 32768 }
                let start = UInt64(bytes.le16(o + 6)) << 32 | UInt64(bytes.le32(o + 8))
                guard length > 0, start > 0, start < blocksCount, UInt64(length) <= blocksCount - start,
                      UInt64(logical) + UInt64(length) <= 1 << 32 else { throw .EUCLEAN }
                entries.append(Entry(logical: logical, physical: start, length: length, uninitialized: uninitialized))
                previous = UInt64(logical) + UInt64(length)
            } else {
                let child = UInt64(bytes.le16(o + 8)) << 32 | UInt64(bytes.le32(o + 4))
                guard child > 0, child < blocksCount else { throw .EUCLEAN }
                entries.append(Entry(logical: logical, physical: child, length: 0, uninitialized: false))
                previous = UInt64(logical) + 1
            }
        }
    }

    /// A tree block's checksum (ext4_extent_tail just past eh_max entries): crc32c of what precedes it.
    public static func checksumMatches(_ block: UnsafeRawBufferPointer, inodeSeed: UInt32) -> Bool {
        let tail = 12 + Int(block.le16(4)) * 12
        guard tail + 4 <= block.count else { return false }
        return CRC32C.raw(inodeSeed, UnsafeRawBufferPointer(rebasing: block[0..<tail])) == block.le32(tail)
    }

    /// Index nodes: the entry whose subtree holds `logical` (the last one starting at or before it).
    /// Leaves: the extent holding it, or nil (a hole).
    public func entry(for logical: UInt32) -> Entry? {
        var found: Entry? = nil
        for e in entries {
            if e.logical > logical { break }
            found = e
        }
        guard let found else { return nil }
        if depth == 0 && UInt64(logical) >= UInt64(found.logical) + UInt64(found.length) { return nil }
        return found
    }
}
