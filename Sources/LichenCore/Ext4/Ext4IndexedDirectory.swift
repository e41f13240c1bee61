import _Concurrency

/// htree directories in an operation, as Linux's fs/ext4/namei.c: names found through the index,
/// added to the leaf the index names (a full leaf split in two, full index nodes split, the root
/// given one more level), and a one-block linear directory that outgrows its block indexed.
extension Ext4Operation {
    /// A directory's logical blocks mapped through its extents.
    struct DirectoryLayout {
        var list: Ext4ExtentList
        var count: UInt32
        func physical(_ l: UInt32) -> UInt64? { list.find(l).map { $0.physical + UInt64(l - $0.logical) } }
    }

    func layout(_ ino: UInt32, _ dir: Ext4InodeImage) async throws(Errno) -> DirectoryLayout {
        let count = UInt32(truncatingIfNeeded: (dir.size + Int64(sb.blockSize) - 1) / Int64(sb.blockSize))
        return DirectoryLayout(list: try await extents(ino, dir), count: count)
    }

    private func readDirectoryBlock(_ l: UInt32, _ layout: DirectoryLayout, _ dirIno: UInt32) async throws(Errno) -> [UInt8] {
        guard l < layout.count, let p = layout.physical(l) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: dirIno) }
        return try await tx.read(p)
    }

    /// The way to `name`'s leaf; nil when the index cannot be followed (Linux then falls back to
    /// a linear scan: ERR_BAD_DX_DIR). A bad index checksum is an error.
    private func probe(_ name: [UInt8], _ dirIno: UInt32, _ dir: Ext4InodeImage,
                       _ layout: DirectoryLayout) async throws(Errno) -> Ext4IndexPath? {
        let sb = self.sb, seed = seed(dirIno, dir)
        let root = try await readDirectoryBlock(0, layout, dirIno)
        do throws(Errno) {
            return try await Ext4IndexPath.probe(name, root: root, sb: sb, seed: seed, blocks: layout.count) { (l: UInt32) async throws(Errno) -> [UInt8] in
                try await self.readDirectoryBlock(l, layout, dirIno)
            }
        } catch {
            if error == .EBADMSG { throw volume.corrupted(error, "htree index checksum", ino: dirIno) }
            return nil
        }
    }

    /// Finds `name` through the index: its leaf, and the next ones while its hash runs on.
    /// `.none` when the index cannot be followed (the caller scans linearly).
    func findIndexed(_ name: [UInt8], in dirIno: UInt32, _ dir: Ext4InodeImage) async throws(Errno) -> Entry?? {
        let layout = try await layout(dirIno, dir)
        guard var path = try await probe(name, dirIno, dir, layout) else { return .none }
        let sb = self.sb, seed = seed(dirIno, dir)
        while true {
            let leaf = path.leaf
            guard let p = layout.physical(leaf) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: dirIno) }
            if let r = try leafRecord(name, try await tx.read(p), dir: dirIno) {
                return .some(Entry(physical: p, offset: r.offset, ino: r.ino, type: r.type))
            }
            let more: Bool
            do throws(Errno) {
                more = try await path.advance(sb: sb, seed: seed, blocks: layout.count) { (l: UInt32) async throws(Errno) -> [UInt8] in
                    try await self.readDirectoryBlock(l, layout, dirIno)
                }
            } catch {
                throw volume.corrupted(error, "bad htree index", ino: dirIno)
            }
            if !more { return .some(nil) }
        }
    }

    private func leafRecord(_ name: [UInt8], _ data: [UInt8], dir: UInt32) throws(Errno) -> Ext4DirectoryRecord? {
        let sb = self.sb
        do throws(Errno) {
            return try withBytes(data) { b throws(Errno) in try Ext4DirectoryBlock.find(name, in: b, sb: sb) }
        } catch {
            throw volume.corrupted(error, "bad directory entry", ino: dir)
        }
    }

    func checkLeaf(_ data: [UInt8], dir: UInt32) throws(Errno) {
        let sb = self.sb
        do throws(Errno) {
            try withBytes(data) { b throws(Errno) in try Ext4DirectoryBlock.check(b, sb: sb) }
        } catch {
            throw volume.corrupted(error, "bad directory entry", ino: dir)
        }
    }

    private func leafRecords(_ data: [UInt8], dir: UInt32) throws(Errno) -> [Ext4DirectoryRecord] {
        let sb = self.sb
        do throws(Errno) {
            return try withBytes(data) { b throws(Errno) in try Ext4DirectoryBlock.records(b, sb: sb) }
        } catch {
            throw volume.corrupted(error, "bad directory entry", ino: dir)
        }
    }

    /// Adds a record to an indexed directory. False when its index cannot be followed (the
    /// caller makes it linear, as Linux's dx_fallback).
    func addIndexed(_ name: [UInt8], ino: UInt32, type: FileType, to dirIno: UInt32,
                    _ dir: inout Ext4InodeImage) async throws(Errno) -> Bool {
        var layout = try await layout(dirIno, dir)
        guard var path = try await probe(name, dirIno, dir, layout) else { return false }
        let seed = seed(dirIno, dir)
        let leafLogical = path.leaf
        guard let leafPhysical = layout.physical(leafLogical) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: dirIno) }
        var data = try await tx.read(leafPhysical)
        try checkLeaf(data, dir: dirIno)
        if Ext4DirectoryWriter.insert(&data, name: name, ino: ino, type: type, sb: sb) {
            Ext4DirectoryWriter.seal(&data, inodeSeed: seed, sb: sb)
            tx.put(leafPhysical, data)
            dir.touch(now)
            return true
        }
        // The leaf is full: make room in the index for one more entry, then split the leaf.
        let records = try leafRecords(data, dir: dirIno)
        try await makeRoom(&path, dirIno, &dir, &layout, seed: seed)
        var all = records.map { Ext4LeafRecord(hash: Ext4DirectoryHash.hash($0.name, version: path.version, seed: sb.hashSeed),
                                                ino: $0.ino, type: $0.type, name: $0.name) }
        all.append(Ext4LeafRecord(hash: path.hash, ino: ino, type: type, name: name))
        let (left, right, hash) = Ext4LeafSplit.split(all, sb: sb)
        guard var leftBlock = Ext4LeafSplit.pack(left, sb: sb), var rightBlock = Ext4LeafSplit.pack(right, sb: sb) else {
            throw volume.corrupted(.EUCLEAN, "directory leaf does not split", ino: dirIno)
        }
        let (newLogical, newPhysical) = try await appendBlock(dirIno, &dir, &layout)
        Ext4DirectoryWriter.seal(&leftBlock, inodeSeed: seed, sb: sb)
        Ext4DirectoryWriter.seal(&rightBlock, inodeSeed: seed, sb: sb)
        tx.put(leafPhysical, leftBlock)
        tx.put(newPhysical, rightBlock)
        let bottom = path.frames.count - 1
        path.frames[bottom].node.entries.insert(Ext4IndexEntry(hash: hash, block: newLogical), at: path.frames[bottom].at + 1)
        try await storeFrame(path.frames[bottom], dirIno, layout, seed: seed)
        try await storeExtents(dirIno, &dir, &layout.list)
        dir.touch(now)
        return true
    }

    /// Ensures the bottom index node can take one more entry: the full nodes above it split from
    /// the top down, the root (when every level is full) moved into a new node under it.
    private func makeRoom(_ path: inout Ext4IndexPath, _ dirIno: UInt32, _ dir: inout Ext4InodeImage,
                          _ layout: inout DirectoryLayout, seed: UInt32) async throws(Errno) {
        var top = path.frames.count - 1
        while top >= 0 && path.frames[top].node.isFull { top -= 1 }
        if top == path.frames.count - 1 { return }
        if top < 0 {
            // Every level is full: the root's entries go down into a new node, one level more.
            let root = path.frames[0]
            guard root.node.levels + 1 < Ext4IndexNode.maxLevels(sb) else {
                throw .ENOSPC                   // Linux: "Directory index full!"
            }
            let (logical, _) = try await appendBlock(dirIno, &dir, &layout)
            var child = Ext4IndexPath.Frame(logical: logical, node: root.node, at: root.at)
            child.node.countOffset = Ext4IndexNode.nodeCountOffset
            child.node.limit = Ext4IndexNode.nodeLimit(sb)
            child.node.levels = 0
            path.frames[0].node.entries = [Ext4IndexEntry(hash: 0, block: logical)]
            path.frames[0].node.levels += 1
            path.frames[0].at = 0
            path.frames.insert(child, at: 1)
            try await storeRoot(path.frames[0], dirIno, layout, seed: seed)
            try await storeFrame(child, dirIno, layout, seed: seed)
            top = 1
            while top < path.frames.count && !path.frames[top].node.isFull { top += 1 }
            if top == path.frames.count { return }
            top -= 1
        }
        // path.frames[top] has room; every node below it is full: split each, top down.
        for level in top + 1..<path.frames.count {
            let full = path.frames[level]
            let half = full.node.entries.count / 2
            let moved = Array(full.node.entries[half...])
            let (logical, _) = try await appendBlock(dirIno, &dir, &layout)
            var left = full, right = full
            left.node.entries = Array(full.node.entries[0..<half])
            right.logical = logical
            right.node.entries = moved
            right.node.entries[0].hash = 0
            right.at = full.at - half
            let parent = level - 1
            path.frames[parent].node.entries.insert(Ext4IndexEntry(hash: moved[0].hash, block: logical), at: path.frames[parent].at + 1)
            try await storeFrame(left, dirIno, layout, seed: seed)
            try await storeFrame(right, dirIno, layout, seed: seed)
            if full.at >= half {
                path.frames[parent].at += 1
                path.frames[level] = right
            } else {
                path.frames[level] = left
            }
            try await storeFrame(path.frames[parent], dirIno, layout, seed: seed)
        }
    }

    /// The hash of entry 0 is implicit (its slot holds count/limit): a moved first entry keeps
    /// its hash in the parent instead.
    private func storeFrame(_ frame: Ext4IndexPath.Frame, _ dirIno: UInt32, _ layout: DirectoryLayout, seed: UInt32) async throws(Errno) {
        if frame.logical == 0 { return try await storeRoot(frame, dirIno, layout, seed: seed) }
        guard let p = layout.physical(frame.logical) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: dirIno) }
        tx.put(p, Ext4IndexNode.nodeBlock(frame.node.entries, sb: sb, seed: seed))
    }

    private func storeRoot(_ frame: Ext4IndexPath.Frame, _ dirIno: UInt32, _ layout: DirectoryLayout, seed: UInt32) async throws(Errno) {
        guard let p = layout.physical(0) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: dirIno) }
        let sb = self.sb
        let node = frame.node
        try await tx.update(p) { (b: inout [UInt8]) throws(Errno) in
            b[30] = UInt8(node.levels)
            node.store(into: &b, sb: sb, seed: seed)
        }
    }

    /// A new block at the end of the directory (mapped in `layout`; the caller stores the extents).
    private func appendBlock(_ dirIno: UInt32, _ dir: inout Ext4InodeImage,
                             _ layout: inout DirectoryLayout) async throws(Errno) -> (UInt32, UInt64) {
        let logical = layout.count
        let p = try await alloc.allocateBlocks(goal: layout.list.goal(before: logical) ?? groupGoal(dirIno), count: 1).start
        layout.list.map(logical, to: p, count: 1)
        layout.count += 1
        dir.size += Int64(sb.blockSize)
        return (logical, p)
    }

    /// A one-block linear directory whose block is full becomes indexed (Linux's make_indexed_dir):
    /// block 0 becomes the root, its records and the new one are split over two new leaves.
    /// False when the filesystem does not index directories (or hashes in a way Lichen does not).
    func makeIndexed(_ name: [UInt8], ino: UInt32, type: FileType, to dirIno: UInt32,
                     _ dir: inout Ext4InodeImage) async throws(Errno) -> Bool {
        guard sb.compat & Ext4Superblock.compatDirIndex != 0, dir.flags & Ext4RawInode.flagIndex == 0,
              let version = Ext4DirectoryHash.effectiveVersion(sb.defaultHashVersion, sb: sb) else { return false }
        var layout = try await layout(dirIno, dir)
        guard layout.count == 1, let rootPhysical = layout.physical(0) else { return false }
        let records = try leafRecords(try await tx.read(rootPhysical), dir: dirIno)
        guard records.count >= 2, records[0].name == [0x2e], records[1].name == [0x2e, 0x2e] else { return false }
        var all = records[2...].map { Ext4LeafRecord(hash: Ext4DirectoryHash.hash($0.name, version: version, seed: sb.hashSeed),
                                                     ino: $0.ino, type: $0.type, name: $0.name) }
        all.append(Ext4LeafRecord(hash: Ext4DirectoryHash.hash(name, version: version, seed: sb.hashSeed), ino: ino, type: type, name: name))
        let (left, right, hash) = Ext4LeafSplit.split(all, sb: sb)
        guard var leftBlock = Ext4LeafSplit.pack(left, sb: sb), var rightBlock = Ext4LeafSplit.pack(right, sb: sb) else { return false }
        let seed = seed(dirIno, dir)
        let (l1, p1) = try await appendBlock(dirIno, &dir, &layout)
        let (l2, p2) = try await appendBlock(dirIno, &dir, &layout)
        Ext4DirectoryWriter.seal(&leftBlock, inodeSeed: seed, sb: sb)
        Ext4DirectoryWriter.seal(&rightBlock, inodeSeed: seed, sb: sb)
        tx.put(p1, leftBlock)
        tx.put(p2, rightBlock)
        tx.put(rootPhysical, Ext4IndexNode.rootBlock(ino: records[0].ino, parent: records[1].ino, hashVersion: sb.defaultHashVersion,
                                                     levels: 0, entries: [Ext4IndexEntry(hash: 0, block: l1), Ext4IndexEntry(hash: hash, block: l2)],
                                                     sb: sb, seed: seed))
        try await storeExtents(dirIno, &dir, &layout.list)
        dir.flags |= Ext4RawInode.flagIndex
        dir.touch(now)
        return true
    }
}
