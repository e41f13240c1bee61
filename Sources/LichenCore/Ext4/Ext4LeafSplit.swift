// Splitting a full htree leaf, sans-IO: its records and the new one sorted by hash, cut where
// half the bytes are on each side, each half packed into a fresh leaf block. The right half's
// first hash becomes its index entry (low bit set when the cut falls inside a run of one hash,
// so lookups of that hash go on into the right leaf).

struct Ext4LeafRecord {
    var hash: UInt32
    var ino: UInt32
    var type: FileType
    var name: [UInt8]
}

enum Ext4LeafSplit {
    static func split(_ records: [Ext4LeafRecord], sb: Ext4Superblock) -> (left: [Ext4LeafRecord], right: [Ext4LeafRecord], hash: UInt32) {
        let sorted = records.sorted { $0.hash < $1.hash }
        let total = sorted.reduce(0) { $0 + Ext4DirectoryWriter.recordSize($1.name.count) }
        var cut = 0, size = 0
        while cut < sorted.count - 1 && size + Ext4DirectoryWriter.recordSize(sorted[cut].name.count) / 2 < total / 2 {
            size += Ext4DirectoryWriter.recordSize(sorted[cut].name.count)
            cut += 1
        }
        cut = max(cut, 1)
        let hash = sorted[cut].hash | (sorted[cut].hash == sorted[cut - 1].hash ? 1 : 0)
        return (Array(sorted[0..<cut]), Array(sorted[cut...]), hash)
    }

    /// A leaf block holding `records` packed from the start, the last one spanning to the tail.
    /// nil when they do not fit.
    static func pack(_ records: [Ext4LeafRecord], sb: Ext4Superblock) -> [UInt8]? {
        var b = Ext4DirectoryWriter.emptyBlock(sb)
        for r in records {
            guard Ext4DirectoryWriter.insert(&b, name: r.name, ino: r.ino, type: r.type, sb: sb) else { return nil }
        }
        return b
    }
}
