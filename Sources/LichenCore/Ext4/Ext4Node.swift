import _Concurrency

/// An inode of an ext2/3/4 filesystem: directories, regular files, symlinks and special files.
/// Its decoded on-disk state is replaced after each committed change (Ext4Volume.change); the
/// changing operations are in Ext4NodeChanges.swift.
final class Ext4Node: Inode, @unchecked Sendable {
    let volume: Ext4Volume
    let ino: UInt32
    private let state: SpinLock<(raw: Ext4RawInode, orphan: Bool)>
    /// Its page cache, made at the first mmap (DiskCachedFile).
    let pageCacheSlot = SpinLock<DiskPageCache?>(nil)
    var raw: Ext4RawInode { state.withLock { $0.raw } }
    var metadata: InodeMetadata { Self.metadata(ino, raw) }

    init(_ volume: Ext4Volume, ino: UInt32, raw: Ext4RawInode) {
        self.volume = volume
        self.ino = ino
        state = SpinLock((raw, false))
    }

    /// An inode unlinked while in use is freed when its last user lets it go.
    deinit {
        pageCacheSlot.withLock { $0 }?.release()
        if state.withLock({ $0.orphan }) { volume.writer?.orphans.withLock { $0.append(ino) } }
    }

    func update(_ raw: Ext4RawInode) { state.withLock { $0.raw = raw } }
    func markOrphan() { state.withLock { $0.orphan = true } }

    static func metadata(_ ino: UInt32, _ raw: Ext4RawInode) -> InodeMetadata {
        var m = InodeMetadata(ino: UInt64(ino), mode: raw.mode, uid: raw.uid, gid: raw.gid, nlink: raw.nlink, size: raw.size,
                              time: raw.mtime, blocks: raw.blocks512)
        m.atime = raw.atime
        m.ctime = raw.ctime
        if raw.type == .characterDevice || raw.type == .blockDevice { m.rdev = raw.deviceNumber }
        return m
    }

    // Reading.

    func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        guard metadata.isRegular else { throw metadata.isDirectory ? .EISDIR : .EINVAL }
        guard offset >= 0 else { throw .EINVAL }
        if raw.flags & (Ext4RawInode.flagInlineData | Ext4RawInode.flagEncrypt) != 0 {
            throw volume.unsupported("inline or encrypted file data")
        }
        return try await readData(at: offset, into: buffer)
    }

    /// The most blocks one readBlocks call asks for (the page cache reads 128 KiB runs).
    static let runBlocks = 64

    /// File data (regular files, slow symlinks): mapped blocks, zeros for holes and uninitialized
    /// extents; blocks contiguous on the disk are read together.
    private func readData(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        let raw = self.raw
        let size = raw.size
        if offset >= size || buffer.isEmpty { return 0 }
        let total = Int(min(Int64(buffer.count), size - offset))
        let bs = volume.sb.blockSize
        let map = Ext4BlockMap(volume: volume, ino: ino, raw: raw)
        var done = 0
        while done < total {
            let position = offset + Int64(done)
            let logical = position / Int64(bs)
            guard logical <= Int64(UInt32.max) else { break }
            let within = Int(position % Int64(bs))
            let n = min(total - done, bs - within)
            let target = UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + n])
            if let physical = try await map.physical(UInt32(logical)) {
                if within == 0 && n == bs {
                    // Whole blocks contiguous on the disk: one read.
                    var count = 1
                    while done + (count + 1) * bs <= total, count < Self.runBlocks, logical + Int64(count) <= Int64(UInt32.max),
                          try await map.physical(UInt32(logical + Int64(count))) == physical + UInt64(count) { count += 1 }
                    try await volume.source.readBlocks(physical, count: count,
                                                       into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + count * bs]))
                    done += count * bs
                    continue
                }
                let data = try await volume.source.block(physical)
                guard data.count >= within + n else { throw .EIO }
                data.withUnsafeBytes { target.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[within..<within + n])) }
            } else {
                target.initializeMemory(as: UInt8.self, repeating: 0)
            }
            done += n
        }
        return done
    }

    func readlink() async throws(Errno) -> [UInt8] {
        guard metadata.isSymbolicLink else { throw .EINVAL }
        let size = Int(metadata.size)
        guard size > 0, size < volume.sb.blockSize else { throw volume.corrupted(.EUCLEAN, "bad symlink size", ino: ino) }
        let eaBlocks: Int64 = raw.fileACL != 0 ? Int64(volume.sb.blockSize / 512) : 0
        if raw.blocks512 - eaBlocks == 0 {                    // fast symlink: the target is in i_block
            guard size < raw.blockArea.count else { throw volume.corrupted(.EUCLEAN, "bad fast symlink", ino: ino) }
            return Array(raw.blockArea[0..<size])
        }
        let target = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 1)
        defer { target.deallocate() }
        let n = try await readData(at: 0, into: target)
        return Array(target[0..<n])
    }

    // Directories.

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        guard metadata.isDirectory else { throw .ENOTDIR }
        if raw.flags & Ext4RawInode.flagIndex != 0, let indexed = try await lookupIndexed(name) {
            guard let indexed else { throw .ENOENT }
            return try await volume.node(indexed)
        }
        guard let found = try await lookupLinear(name) else { throw .ENOENT }
        return try await volume.node(found)
    }

    /// `name` in a linear directory: each block checked as readdir checks it, the name compared
    /// in place (no record list).
    private func lookupLinear(_ name: [UInt8]) async throws(Errno) -> UInt32? {
        let sb = volume.sb, bs = sb.blockSize, raw = self.raw
        let blocks = (raw.size + Int64(bs) - 1) / Int64(bs)
        let map = Ext4BlockMap(volume: volume, ino: ino, raw: raw)
        let seed = Ext4RawInode.checksumSeed(ino: ino, generation: raw.generation, sb: sb)
        for logical in 0..<blocks {
            guard let physical = try await map.physical(UInt32(truncatingIfNeeded: logical)) else {
                throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: ino)
            }
            let data = try await volume.source.block(physical)
            let found: Ext4DirectoryRecord?
            do throws(Errno) {
                found = try withBytes(data) { b throws(Errno) -> Ext4DirectoryRecord? in
                    try Self.verifyChecksum(b, seed: seed, indexed: raw.flags & Ext4RawInode.flagIndex != 0, sb: sb)
                    return try Ext4DirectoryBlock.find(name, in: b, sb: sb)
                }
            } catch {
                throw volume.corrupted(error, error == .EBADMSG ? "directory block checksum" : "bad directory entry", ino: ino)
            }
            if let found { return found.ino }
        }
        return nil
    }

    /// metadata_csum of a directory block: EBADMSG when wrong, or missing from a linear directory's block.
    private static func verifyChecksum(_ b: UnsafeRawBufferPointer, seed: UInt32, indexed: Bool, sb: Ext4Superblock) throws(Errno) {
        guard sb.hasMetadataChecksums else { return }
        switch Ext4DirectoryBlock.checksumMatches(b, inodeSeed: seed) {
        case .some(true): break
        case .some(false): throw .EBADMSG
        case .none: if !indexed { throw .EBADMSG }
        }
    }

    /// Cookies are byte positions in the directory (Linux uses hashes for indexed directories:
    /// the order differs there, the entries do not).
    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        guard metadata.isDirectory else { throw .ENOTDIR }
        guard cookie >= 0 else { throw .EINVAL }
        try await forEachRecord(from: cookie) { record in
            emit(DirectoryEntry(ino: UInt64(record.ino), type: record.type, name: record.name, nextCookie: Int64(record.next)))
        }
    }

    /// Walks the directory's records from byte position `start` until `body` returns false.
    /// `next` in the records it gets is a directory position (not a block offset).
    private func forEachRecord(from start: Int64, _ body: (Ext4DirectoryRecord) -> Bool) async throws(Errno) {
        let bs = volume.sb.blockSize
        let raw = self.raw
        let blocks = (raw.size + Int64(bs) - 1) / Int64(bs)
        var logical = start / Int64(bs)
        let map = Ext4BlockMap(volume: volume, ino: ino, raw: raw)
        let seed = Ext4RawInode.checksumSeed(ino: ino, generation: raw.generation, sb: volume.sb)
        while logical < blocks {
            guard let physical = try await map.physical(UInt32(truncatingIfNeeded: logical)) else {
                throw volume.corrupted(.EUCLEAN, "directory contains a hole", ino: ino)
            }
            let data = try await volume.source.block(physical)
            let base = logical * Int64(bs)
            let from = logical == start / Int64(bs) ? Int(start % Int64(bs)) : 0
            let records: [Ext4DirectoryRecord]
            do throws(Errno) {
                records = try withBytes(data) { b throws(Errno) -> [Ext4DirectoryRecord] in
                    try Self.verifyChecksum(b, seed: seed, indexed: raw.flags & Ext4RawInode.flagIndex != 0, sb: volume.sb)
                    return try Ext4DirectoryBlock.records(b, sb: volume.sb, from: 0)
                }
            } catch {
                throw volume.corrupted(error, error == .EBADMSG ? "directory block checksum" : "bad directory entry", ino: ino)
            }
            for var r in records where r.offset >= from {
                r.next = Int(base) + r.next
                if !body(r) { return }
            }
            logical += 1
        }
    }
}
