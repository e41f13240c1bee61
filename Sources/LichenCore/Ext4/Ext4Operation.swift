import _Concurrency

/// One metadata-changing operation in progress (under the write lock): its transaction, and the
/// steps operations share: inodes read and written through the transaction, extent trees,
/// directory entries, freeing an inode.
final class Ext4Operation {
    let volume: Ext4Volume
    let writer: Ext4Writer
    let tx: Ext4Transaction
    let now: Timespec
    /// Inodes taking part (an orphan is not in the inode cache: it gets its new state from here).
    private(set) var touched: [Ext4Node] = []
    var sb: Ext4Superblock { volume.sb }
    var alloc: Ext4Allocator { Ext4Allocator(sb: volume.sb, groups: volume.groups, tx: tx) }

    init(_ volume: Ext4Volume, _ writer: Ext4Writer) {
        self.volume = volume
        self.writer = writer
        tx = Ext4Transaction(writer.store, committer: writer.committer)
        now = writer.clock()
    }

    func register(_ node: Ext4Node) { touched.append(node) }

    // Inodes.

    func inode(_ ino: UInt32) async throws(Errno) -> Ext4InodeImage {
        let (block, at) = alloc.inodeLocation(ino)
        let data = try await tx.read(block)
        return Ext4InodeImage(bytes: Array(data[at..<at + sb.inodeSize]), sb: sb)
    }

    /// Seals the inode and puts it in its table block; the cached inode follows at commit.
    func put(_ ino: UInt32, _ image: inout Ext4InodeImage) async throws(Errno) {
        let raw = try image.seal(ino: ino)
        let (block, at) = alloc.inodeLocation(ino)
        let bytes = image.bytes
        try await tx.update(block) { d in d.replaceSubrange(at..<at + bytes.count, with: bytes) }
        tx.inodes.removeAll { $0.ino == ino }
        tx.inodes.append((ino, raw))
    }

    func seed(_ ino: UInt32, _ image: Ext4InodeImage) -> UInt32 {
        Ext4RawInode.checksumSeed(ino: ino, generation: image.generation, sb: sb)
    }

    /// Where new blocks of inode `ino` go when nothing nearer is known: the start of its group.
    func groupGoal(_ ino: UInt32) -> UInt64 {
        UInt64(sb.firstDataBlock) + UInt64((ino - 1) / sb.inodesPerGroup) * UInt64(sb.blocksPerGroup)
    }

    /// A new inode in the parent's group, written with `mode` and `owner`, one link, times now.
    func newInode(parent: UInt32, mode: UInt32, owner: InodeOwner) async throws(Errno) -> (UInt32, Ext4InodeImage) {
        let directory = mode & FileMode.S_IFMT == FileMode.S_IFDIR
        let ino = try await alloc.allocateInode(preferred: Int((parent - 1) / sb.inodesPerGroup), directory: directory)
        var image = Ext4InodeImage.fresh(sb: sb, wantExtra: writer.wantExtraIsize, mode: mode, owner: owner, time: now,
                                         generation: writer.nextGeneration())
        let type = FileType(mode: mode)
        if sb.incompat & Ext4Superblock.incompatExtents != 0 && (type == .regular || type == .directory) {
            var empty = Ext4ExtentList(extents: [], treeBlocks: [])
            image.flags |= Ext4RawInode.flagExtents
            try await storeExtents(ino, &image, &empty)
        }
        return (ino, image)
    }

    // Extents (or, for an inode without EXT4_EXTENTS_FL, block pointers: the same run list).

    func extents(_ ino: UInt32, _ image: Ext4InodeImage) async throws(Errno) -> Ext4ExtentList {
        if image.flags & Ext4RawInode.flagExtents == 0 {
            // i_block of a fast symlink or a device holds no pointers: only an inode with blocks
            // beyond its xattr block is mapped (Linux's ext4_inode_blocks test).
            let acl: UInt64 = image.fileACL != 0 ? UInt64(sb.blockSize / 512) : 0
            let type = FileType(mode: image.mode)
            guard image.blocks512 > acl, type == .regular || type == .directory || type == .symbolicLink else {
                return Ext4ExtentList(extents: [], treeBlocks: [])
            }
            do throws(Errno) {
                return try await Ext4ExtentList.loadBlockMap(root: image.blockArea, tx: tx, sb: sb)
            } catch {
                throw volume.corrupted(error, "bad block map", ino: ino)
            }
        }
        do throws(Errno) {
            return try await Ext4ExtentList.load(root: image.blockArea, tx: tx, sb: sb, seed: seed(ino, image))
        } catch {
            throw volume.corrupted(error, "bad extent tree", ino: ino)
        }
    }

    /// Writes the list as the inode's extent tree (or block pointers, for an inode without
    /// EXT4_EXTENTS_FL) and sets i_blocks (data, tree and xattr blocks).
    func storeExtents(_ ino: UInt32, _ image: inout Ext4InodeImage, _ list: inout Ext4ExtentList) async throws(Errno) {
        var next = list.extents.last.map { $0.physical + UInt64($0.length) } ?? groupGoal(ino)
        let alloc = self.alloc
        let allocate = { () async throws(Errno) -> UInt64 in
            let b = try await alloc.allocateBlocks(goal: next, count: 1).start
            next = b + 1
            return b
        }
        let (root, released) = image.flags & Ext4RawInode.flagExtents != 0
            ? try await list.store(tx: tx, sb: sb, seed: seed(ino, image), allocate: allocate)
            : try await list.storeBlockMap(tx: tx, sb: sb, allocate: allocate)
        for b in released { try await alloc.freeBlocks(b, count: 1) }
        image.blockArea = root
        let blocks = list.dataBlocks + UInt64(list.treeBlocks.count) + (image.fileACL != 0 ? 1 : 0)
        image.blocks512 = blocks * UInt64(sb.blockSize / 512)
    }

    // Directories.

    struct Entry {
        var physical: UInt64
        var offset: Int
        var ino: UInt32
        var type: FileType
    }

    /// The directory's blocks in order (logical n is element n).
    func directoryBlocks(_ ino: UInt32, _ dir: Ext4InodeImage) async throws(Errno) -> [UInt64] {
        let list = try await extents(ino, dir)
        let count = (dir.size + Int64(sb.blockSize) - 1) / Int64(sb.blockSize)
        var out: [UInt64] = []
        for l in 0..<UInt32(truncatingIfNeeded: count) {
            guard let e = list.find(l) else { throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: ino) }
            out.append(e.physical + UInt64(l - e.logical))
        }
        return out
    }

    private func records(_ data: [UInt8], dir: UInt32) throws(Errno) -> [Ext4DirectoryRecord] {
        let sb = self.sb
        do throws(Errno) {
            return try withBytes(data) { b throws(Errno) in try Ext4DirectoryBlock.records(b, sb: sb) }
        } catch {
            throw volume.corrupted(error, "bad directory entry", ino: dir)
        }
    }

    func find(_ name: [UInt8], in dirIno: UInt32, _ dir: Ext4InodeImage) async throws(Errno) -> Entry? {
        if dir.flags & Ext4RawInode.flagIndex != 0, let found = try await findIndexed(name, in: dirIno, dir) { return found }
        for p in try await directoryBlocks(dirIno, dir) {
            let data = try await tx.read(p), sb = self.sb
            let found: Ext4DirectoryRecord?
            do throws(Errno) {
                found = try withBytes(data) { b throws(Errno) in try Ext4DirectoryBlock.find(name, in: b, sb: sb) }
            } catch {
                throw volume.corrupted(error, "bad directory entry", ino: dirIno)
            }
            if let r = found { return Entry(physical: p, offset: r.offset, ino: r.ino, type: r.type) }
        }
        return nil
    }

    /// True when the directory holds nothing but "." and "..".
    func isEmpty(_ dirIno: UInt32, _ dir: Ext4InodeImage) async throws(Errno) -> Bool {
        for p in try await directoryBlocks(dirIno, dir) {
            for r in try records(try await tx.read(p), dir: dirIno) where r.name != [0x2e] && r.name != [0x2e, 0x2e] { return false }
        }
        return true
    }

    /// Adds a record: through the index of an indexed directory; else in a block with room, or
    /// (a one-block directory) by indexing the directory, or in a new block at the end.
    func add(_ name: [UInt8], ino: UInt32, type: FileType, to dirIno: UInt32, _ dir: inout Ext4InodeImage) async throws(Errno) {
        if dir.flags & Ext4RawInode.flagIndex != 0 {
            if try await addIndexed(name, ino: ino, type: type, to: dirIno, &dir) { return }
            try await unindex(dirIno, &dir)
        }
        let seed = seed(dirIno, dir)
        let blocks = try await directoryBlocks(dirIno, dir)
        for p in blocks {
            var data = try await tx.read(p)
            try checkLeaf(data, dir: dirIno)
            if Ext4DirectoryWriter.insert(&data, name: name, ino: ino, type: type, sb: sb) {
                Ext4DirectoryWriter.seal(&data, inodeSeed: seed, sb: sb)
                tx.put(p, data)
                dir.touch(now)
                return
            }
        }
        if blocks.count == 1, try await makeIndexed(name, ino: ino, type: type, to: dirIno, &dir) { return }
        var list = try await extents(dirIno, dir)
        let logical = UInt32(blocks.count)
        let p = try await alloc.allocateBlocks(goal: list.goal(before: logical) ?? groupGoal(dirIno), count: 1).start
        var data = Ext4DirectoryWriter.emptyBlock(sb)
        _ = Ext4DirectoryWriter.insert(&data, name: name, ino: ino, type: type, sb: sb)
        Ext4DirectoryWriter.seal(&data, inodeSeed: seed, sb: sb)
        tx.put(p, data)
        list.map(logical, to: p, count: 1)
        try await storeExtents(dirIno, &dir, &list)
        dir.size += Int64(sb.blockSize)
        dir.touch(now)
    }

    func remove(_ entry: Entry, from dirIno: UInt32, _ dir: inout Ext4InodeImage) async throws(Errno) {
        var data = try await tx.read(entry.physical)
        Ext4DirectoryWriter.remove(&data, at: entry.offset, sb: sb)
        Ext4DirectoryWriter.seal(&data, inodeSeed: seed(dirIno, dir), sb: sb)
        tx.put(entry.physical, data)
        dir.touch(now)
    }

    func retarget(_ entry: Entry, ino: UInt32, type: FileType, in dirIno: UInt32, _ dir: inout Ext4InodeImage,
                  touch: Bool = true) async throws(Errno) {
        var data = try await tx.read(entry.physical)
        Ext4DirectoryWriter.retarget(&data, at: entry.offset, ino: ino, type: type, sb: sb)
        Ext4DirectoryWriter.seal(&data, inodeSeed: seed(dirIno, dir), sb: sb)
        tx.put(entry.physical, data)
        if touch { dir.touch(now) }
    }

    /// An htree directory whose index Lichen cannot follow becomes a linear one before it gets a
    /// record (Linux's dx_fallback): e2fsck accepts it, and Linux reads it linearly.
    private func unindex(_ dirIno: UInt32, _ dir: inout Ext4InodeImage) async throws(Errno) {
        guard dir.flags & Ext4RawInode.flagIndex != 0 else { return }
        let seed = seed(dirIno, dir)
        for (l, p) in try await directoryBlocks(dirIno, dir).enumerated() {
            var data = try await tx.read(p)
            Ext4DirectoryWriter.unindex(&data, logical: UInt64(l), sb: sb)
            Ext4DirectoryWriter.seal(&data, inodeSeed: seed, sb: sb)
            tx.put(p, data)
        }
        dir.flags &= ~Ext4RawInode.flagIndex
    }

    // Sizes.

    /// Linux's s_maxbytes for extent-mapped files (2^32 - 1 blocks), s_bitmap_maxbytes for the others.
    func maxBytes(_ image: Ext4InodeImage) -> Int64 {
        image.flags & Ext4RawInode.flagExtents != 0 ? Int64(UInt32.max) * Int64(sb.blockSize) : Ext4ExtentList.maxBlockMappedBytes(sb)
    }

    /// truncate: blocks past the new end freed, the kept part of the last block zeroed past it
    /// (so a later extension reads zeros), the size set. Growing only sets the size (a hole).
    func resize(_ ino: UInt32, _ image: inout Ext4InodeImage, to size: Int64) async throws(Errno) {
        guard size >= 0 else { throw .EINVAL }
        guard size <= maxBytes(image) else { throw .EFBIG }
        let bs = Int64(sb.blockSize)
        if size < image.size {
            var list = try await extents(ino, image)
            let keep = UInt32((size + bs - 1) / bs)
            for run in list.unmap(from: keep, count: (1 << 32) - UInt64(keep)) { try await alloc.freeBlocks(run.start, count: run.count) }
            if size % bs != 0, let e = list.find(keep - 1), !e.uninitialized {
                let p = e.physical + UInt64(keep - 1 - e.logical)
                var data = try await tx.store.block(p)
                for i in Int(size % bs)..<Int(bs) { data[i] = 0 }
                try await tx.store.write(p, data)
            }
            try await storeExtents(ino, &image, &list)
        }
        image.size = size
    }

    // Links.

    /// A directory gains a subdirectory's "..": EMLINK at Linux's EXT4_LINK_MAX, except that a
    /// dir_nlink filesystem's directory that overflowed it counts 1 (for "many") from then on.
    func addDirectoryLink(_ dir: inout Ext4InodeImage) throws(Errno) {
        if dir.nlink == 1 && sb.roCompat & Self.roCompatDirNlink != 0 { return }
        guard dir.nlink < Self.linkMax else { throw .EMLINK }
        dir.nlink += 1
    }

    /// A directory loses a subdirectory's ".." (ext4_dec_count: a count of 1 or 2 stays).
    func dropDirectoryLink(_ dir: inout Ext4InodeImage) {
        if dir.nlink > 2 { dir.nlink -= 1 }
    }

    static let linkMax: UInt32 = 65000, roCompatDirNlink: UInt32 = 0x20

    /// One link less (and ctime); an inode left with none is freed now, or when its last user
    /// lets go if `inUse` (the cached inode becomes an orphan).
    func dropLink(_ ino: UInt32, directory: Bool) async throws(Errno) {
        var image = try await inode(ino)
        image.nlink = directory ? 0 : (image.nlink > 0 ? image.nlink - 1 : 0)
        image.setTime(Ext4InodeImage.ctime, now)
        try await put(ino, &image)
        guard image.nlink == 0 else { return }
        if !volume.orphan(ino) { try await release(ino) }
    }

    /// Frees an inode without links: its blocks, its xattr block (or one reference to it), the
    /// inode itself (dtime set, as Linux's ext4_free_inode leaves it).
    func release(_ ino: UInt32) async throws(Errno) {
        var image = try await inode(ino)
        let directory = FileType(mode: image.mode) == .directory
        let list = try await extents(ino, image)
        for e in list.extents { try await alloc.freeBlocks(e.physical, count: Int(e.length)) }
        for b in list.treeBlocks { try await alloc.freeBlocks(b, count: 1) }
        let acl = image.fileACL
        if acl != 0 && acl < sb.blocksCount { try await dropXattrBlock(acl, &image) }
        image.blockArea = image.flags & Ext4RawInode.flagExtents != 0 ? Ext4ExtentList.node([], depth: 0, max: 4, size: 60)
                                                                       : [UInt8](repeating: 0, count: 60)
        image.size = 0
        image.blocks512 = 0
        image.nlink = 0
        image.bytes.put32(0x14, UInt32(truncatingIfNeeded: now.seconds))
        try await put(ino, &image)
        try await alloc.freeInode(ino, directory: directory)
    }
}
