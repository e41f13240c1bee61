// htree (dir_index) index blocks, sans-IO: the root (block 0: ".", "..", dx_root_info, then
// the entries) and interior nodes (one empty record spanning the block, then the entries). An
// entry maps hashes from its own up to the next entry's to a logical directory block; the first
// entry's hash slot holds limit and count. With metadata_csum a dx_tail follows the limit.

struct Ext4IndexEntry: Equatable {
    var hash: UInt32
    var block: UInt32
}

struct Ext4IndexNode {
    /// Where limit/count sit: after the root's info (32) or a node's fake record (8).
    var countOffset: Int
    var limit: Int
    var entries: [Ext4IndexEntry]
    /// Root only: the hash version and the number of interior levels below it.
    var hashVersion: UInt8 = 0
    var levels: Int = 0

    var isFull: Bool { entries.count >= limit }

    static let rootCountOffset = 32, nodeCountOffset = 8

    static func rootLimit(_ sb: Ext4Superblock) -> Int { (sb.blockSize - rootCountOffset - (sb.hasMetadataChecksums ? 8 : 0)) / 8 }
    static func nodeLimit(_ sb: Ext4Superblock) -> Int { (sb.blockSize - nodeCountOffset - (sb.hasMetadataChecksums ? 8 : 0)) / 8 }
    /// indirect_levels must stay below this (Linux's ext4_dir_htree_level).
    static func maxLevels(_ sb: Ext4Superblock) -> Int { sb.incompat & Ext4Superblock.incompatLargeDir != 0 ? 3 : 2 }

    /// The root in block 0 as Linux's dx_probe checks it; EUCLEAN when it is not one Lichen can follow
    /// (EBADMSG for a bad dx_tail checksum).
    static func root(_ b: [UInt8], sb: Ext4Superblock, seed: UInt32, blocks: UInt32) throws(Errno) -> Ext4IndexNode {
        guard b.count == sb.blockSize, b.count >= 64, b.get32(24) == 0, b[29] == 8, b[31] & 1 == 0,
              Int(b[30]) < maxLevels(sb) else { throw .EUCLEAN }
        var node = try parse(b, countOffset: rootCountOffset, limit: rootLimit(sb), sb: sb, seed: seed, blocks: blocks)
        node.hashVersion = b[28]
        node.levels = Int(b[30])
        return node
    }

    static func node(_ b: [UInt8], sb: Ext4Superblock, seed: UInt32, blocks: UInt32) throws(Errno) -> Ext4IndexNode {
        guard b.count == sb.blockSize, b.get32(0) == 0, Int(b.get16(4)) == sb.blockSize else { throw .EUCLEAN }
        return try parse(b, countOffset: nodeCountOffset, limit: nodeLimit(sb), sb: sb, seed: seed, blocks: blocks)
    }

    private static func parse(_ b: [UInt8], countOffset: Int, limit: Int, sb: Ext4Superblock, seed: UInt32,
                              blocks: UInt32) throws(Errno) -> Ext4IndexNode {
        let count = Int(b.get16(countOffset + 2))
        guard Int(b.get16(countOffset)) == limit, count >= 1, count <= limit else { throw .EUCLEAN }
        if sb.hasMetadataChecksums && checksum(b, countOffset: countOffset, count: count, limit: limit, seed: seed) != b.get32(countOffset + limit * 8 + 4) {
            throw .EBADMSG
        }
        var entries: [Ext4IndexEntry] = []
        for i in 0..<count {
            let at = countOffset + i * 8
            let block = b.get32(at + 4) & 0x0fff_ffff
            guard block > 0, block < blocks else { throw .EUCLEAN }
            entries.append(Ext4IndexEntry(hash: i == 0 ? 0 : b.get32(at), block: block))
            if i > 1 { guard entries[i].hash >= entries[i - 1].hash else { throw .EUCLEAN } }
        }
        return Ext4IndexNode(countOffset: countOffset, limit: limit, entries: entries)
    }

    /// Linux's ext4_dx_csum: the block up to the last entry, the tail's reserved word, a zero checksum.
    static func checksum(_ b: [UInt8], countOffset: Int, count: Int, limit: Int, seed: UInt32) -> UInt32 {
        let tail = countOffset + limit * 8
        var c = b.crc32c(seed, 0..<countOffset + count * 8)
        c = b.crc32c(c, tail..<tail + 4)
        return [UInt8](repeating: 0, count: 4).crc32c(c, 0..<4)
    }

    /// The entry whose range holds `hash`: the last one whose hash is not above it.
    func position(of hash: UInt32) -> Int {
        var low = 1, high = entries.count - 1
        while low <= high {
            let mid = (low + high) / 2
            if entries[mid].hash > hash { high = mid - 1 } else { low = mid + 1 }
        }
        return low - 1
    }

    /// Writes limit, count, entries (and the dx_tail) into the block, which keeps its other bytes.
    func store(into b: inout [UInt8], sb: Ext4Superblock, seed: UInt32) {
        b.put16(countOffset, UInt16(limit))
        b.put16(countOffset + 2, UInt16(entries.count))
        for (i, e) in entries.enumerated() {
            if i > 0 { b.put32(countOffset + i * 8, e.hash) }
            b.put32(countOffset + i * 8 + 4, e.block)
        }
        let end = countOffset + limit * 8
        for i in countOffset + entries.count * 8..<end { b[i] = 0 }
        if sb.hasMetadataChecksums {
            b.put32(end, 0)
            b.put32(end + 4, Self.checksum(b, countOffset: countOffset, count: entries.count, limit: limit, seed: seed))
        }
    }

    /// A fresh interior node block holding `entries`.
    static func nodeBlock(_ entries: [Ext4IndexEntry], sb: Ext4Superblock, seed: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: sb.blockSize)
        b.put16(4, UInt16(truncatingIfNeeded: sb.blockSize))
        Ext4IndexNode(countOffset: nodeCountOffset, limit: nodeLimit(sb), entries: entries).store(into: &b, sb: sb, seed: seed)
        return b
    }

    /// A fresh root block (".", ".." spanning the rest, dx_root_info) with `entries`.
    static func rootBlock(ino: UInt32, parent: UInt32, hashVersion: UInt8, levels: Int, entries: [Ext4IndexEntry],
                          sb: Ext4Superblock, seed: UInt32) -> [UInt8] {
        var b = Ext4DirectoryWriter.firstBlock(ino: ino, parent: parent, sb: sb)
        b.put16(12 + 4, UInt16(sb.blockSize - 12))
        b.put32(24, 0)
        b[28] = hashVersion
        b[29] = 8
        b[30] = UInt8(levels)
        b[31] = 0
        Ext4IndexNode(countOffset: rootCountOffset, limit: rootLimit(sb), entries: entries).store(into: &b, sb: sb, seed: seed)
        return b
    }
}

/// One name's way down the index: the index blocks (logical number and parsed node, with the
/// entry taken in each) and the leaf it leads to.
struct Ext4IndexPath {
    struct Frame {
        var logical: UInt32
        var node: Ext4IndexNode
        var at: Int
    }
    var hash: UInt32
    var version: UInt8
    var frames: [Frame]
    var leaf: UInt32 { frames[frames.count - 1].node.entries[frames[frames.count - 1].at].block }

    /// From the root (block 0) down to a leaf, reading index blocks with `read` (logical number).
    /// EUCLEAN for an index Lichen cannot follow, EBADMSG for a bad checksum.
    static func probe(_ name: [UInt8], root: [UInt8], sb: Ext4Superblock, seed: UInt32, blocks: UInt32,
                      read: (UInt32) async throws(Errno) -> [UInt8]) async throws(Errno) -> Ext4IndexPath {
        let top = try Ext4IndexNode.root(root, sb: sb, seed: seed, blocks: blocks)
        guard let version = Ext4DirectoryHash.effectiveVersion(top.hashVersion, sb: sb) else { throw .EUCLEAN }
        let hash = Ext4DirectoryHash.hash(name, version: version, seed: sb.hashSeed)
        var path = Ext4IndexPath(hash: hash, version: version, frames: [Frame(logical: 0, node: top, at: top.position(of: hash))])
        while path.frames.count <= top.levels {
            let logical = path.leaf
            let node = try Ext4IndexNode.node(try await read(logical), sb: sb, seed: seed, blocks: blocks)
            path.frames.append(Frame(logical: logical, node: node, at: node.position(of: hash)))
        }
        return path
    }

    /// Moves to the next leaf when the name's hash may go on there (a collision run split across
    /// leaves: the next entry's hash is this one with the low bit set). False when it cannot.
    mutating func advance(sb: Ext4Superblock, seed: UInt32, blocks: UInt32,
                          read: (UInt32) async throws(Errno) -> [UInt8]) async throws(Errno) -> Bool {
        var level = frames.count - 1
        while frames[level].at + 1 >= frames[level].node.entries.count {
            if level == 0 { return false }
            level -= 1
        }
        let next = frames[level].node.entries[frames[level].at + 1].hash
        guard next & ~1 == hash else { return false }
        frames[level].at += 1
        while level + 1 < frames.count {
            let logical = leafOf(level)
            let node = try Ext4IndexNode.node(try await read(logical), sb: sb, seed: seed, blocks: blocks)
            level += 1
            frames[level] = Frame(logical: logical, node: node, at: 0)
        }
        return true
    }

    private func leafOf(_ level: Int) -> UInt32 { frames[level].node.entries[frames[level].at].block }
}
