import _Concurrency

/// Where a FAT file is and what its short entry says. Changed only with the volume lock held.
struct FatNodeState {
    var entry: FatShortEntry
    /// The directory holding the entry (nil for the root) and the entry's byte offsets there.
    var parent: FatNode?
    var offset: Int
    var firstSlot: Int
    /// The cluster chain, read on first use.
    var chain: [UInt32]?
    /// Subdirectories (directories: st_nlink is this plus 2).
    var subdirectories: Int = 0
    var unlinked = false
}

/// A file or directory of a FAT volume. FAT has no inodes: the short directory entry is the
/// inode, written back whenever the size, start cluster, attributes or times change.
final class FatNode: Inode, @unchecked Sendable {
    let volume: FatVolume
    let ino: UInt64
    /// Its page cache, made at the first mmap (DiskCachedFile).
    let pageCacheSlot = SpinLock<DiskPageCache?>(nil)
    let state: SpinLock<FatNodeState>
    let isRoot: Bool

    /// Its clean cached pages go with it (DiskPageCache.release).
    deinit { pageCacheSlot.withLock { $0 }?.release() }

    init(_ volume: FatVolume, ino: UInt64, state: FatNodeState, isRoot: Bool = false) {
        self.volume = volume
        self.ino = ino
        self.state = SpinLock(state)
        self.isRoot = isRoot
    }

    static func root(_ volume: FatVolume) -> FatNode {
        let entry = FatShortEntry(name: Array("           ".utf8), attributes: FatShortEntry.directory,
                                  start: volume.isFat32 ? volume.boot.rootCluster : 0, created: Timespec(seconds: 0))
        return FatNode(volume, ino: 1, state: FatNodeState(entry: entry, parent: nil, offset: 0, firstSlot: 0), isRoot: true)
    }

    var snapshot: FatNodeState { state.withLock { $0 } }
    var entry: FatShortEntry { state.withLock { $0.entry } }
    var isDirectory: Bool { isRoot || entry.isDirectory }
    /// The start cluster as directories name it ("..": 0 for the root, even on FAT32).
    var directoryStart: UInt32 { isRoot ? (volume.isFat32 ? volume.boot.rootCluster : 0) : entry.start }

    func isAt(parent: FatNode, offset: Int) -> Bool {
        state.withLock { $0.parent === parent && $0.offset == offset && !$0.unlinked }
    }

    var metadata: InodeMetadata {
        let s = snapshot
        let options = volume.options
        let clusterBytes = Int64(volume.boot.clusterBytes)
        var size = Int64(s.entry.size)
        if isRoot && !volume.isFat32 {
            size = Int64(volume.boot.rootEntries * 32)
        } else if isDirectory {
            size = Int64(s.chain?.count ?? 1) * clusterBytes
        }
        var m = InodeMetadata(ino: ino, mode: options.mode(attributes: isRoot ? FatShortEntry.directory : s.entry.attributes),
                              uid: options.uid, gid: options.gid,
                              nlink: isDirectory ? UInt32(s.subdirectories + 2) : (s.unlinked ? 0 : 1), size: size,
                              time: isRoot ? Timespec(seconds: 0) : s.entry.modified,
                              blocks: (size + clusterBytes - 1) / clusterBytes * clusterBytes / 512)
        if !isRoot {
            m.ctime = s.entry.created
            m.atime = s.entry.accessed
        }
        return m
    }

    // The cluster chain and the short entry on disk.

    func chain() throws(Errno) -> [UInt32] {
        if let c = state.withLock({ $0.chain }) { return c }
        let start = directoryStart
        let c: [UInt32]
        if volume.isFixedRoot(start) { c = [] } else {
            // A directory's chain is all of it; a file's as far as its size reaches.
            let limit = isDirectory ? FatVolume.maxDirectoryBytes / volume.boot.clusterBytes
                : Int((Int64(entry.size) + Int64(volume.boot.clusterBytes) - 1) / Int64(volume.boot.clusterBytes))
            do throws(Errno) { c = try volume.table.chain(from: start, limit: limit) } catch { throw volume.corrupted("invalid cluster chain") }
        }
        state.withLock { $0.chain = c }
        return c
    }

    /// Writes the short entry back into the parent directory (not for the root: it has none).
    func writeEntry() async throws(Errno) {
        let s = snapshot
        guard let parent = s.parent, !s.unlinked else { return }
        let sectors = try volume.directorySectors(parent.directoryStart)
        let size = volume.boot.bytesPerSector
        guard s.offset / size < sectors.count else { throw .EIO }
        var data = try await volume.sector(sectors[s.offset / size])
        let at = s.offset % size
        data.replaceSubrange(at..<at + 32, with: s.entry.encoded(fat32: volume.isFat32))
        try await volume.write(sectors[s.offset / size], data)
    }

    /// Counts the subdirectories and reads the chain of a directory being loaded.
    func loadDirectoryCounts() async throws(Errno) {
        _ = try chain()
        let records = try await FatDirectory.records(volume.readDirectory(directoryStart))
        let n = records.filter { $0.entry.isDirectory && !isDot($0.entry.name) }.count
        state.withLock { $0.subdirectories = n }
    }

    func isDot(_ name: [UInt8]) -> Bool { name[0] == 0x2e && (name[1] == 0x20 || (name[1] == 0x2e && name[2] == 0x20)) }

    /// The inode for `record` of this directory: the cached one, or a new one.
    func child(_ record: FatDirectoryRecord) async throws(Errno) -> FatNode {
        if let n = volume.cached(parent: self, offset: record.offset) { return n }
        let node = FatNode(volume, ino: volume.nextInodeNumber(),
                           state: FatNodeState(entry: record.entry, parent: self, offset: record.offset, firstSlot: record.firstSlot))
        if record.entry.isDirectory { try await node.loadDirectoryCounts() }
        volume.remember(node)
        return node
    }

    /// This directory's live entries, with its bytes.
    func records() async throws(Errno) -> (records: [FatDirectoryRecord], bytes: [UInt8]) {
        let bytes = try await volume.readDirectory(directoryStart)
        return (FatDirectory.records(bytes), bytes)
    }

    func find(_ name: [UInt8], in records: [FatDirectoryRecord]) -> FatDirectoryRecord? {
        let wanted = FatNames.stripped(name)
        return records.first { r in
            !isDot(r.entry.name) && (FatNames.matches(r.name, wanted) || FatNames.matches(r.shortName, wanted))
        }
    }

    // Directories.

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        guard isDirectory else { throw .ENOTDIR }
        if name == [0x2e, 0x2e] { return state.withLock { $0.parent } ?? self }
        return try await volume.serialized { () async throws(Errno) -> FatNode in
            guard !snapshot.unlinked else { throw .ENOENT }
            guard let r = find(name, in: try await records().records) else { throw .ENOENT }
            return try await child(r)
        }
    }

    /// Cookies: 0 and 1 are the root's "." and ".." (which FAT's root lacks on disk); after them,
    /// 2 + the byte offset just past an entry.
    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        guard isDirectory else { throw .ENOTDIR }
        guard cookie >= 0 else { throw .EINVAL }
        let (list, parentIno, gone) = try await volume.serialized { () async throws(Errno) -> ([FatDirectoryRecord], UInt64, Bool) in
            return (try await records().records, state.withLock { $0.parent?.ino } ?? ino, snapshot.unlinked)
        }
        if gone { return }
        if isRoot {
            if cookie < 1 && !emit(DirectoryEntry(ino: ino, type: .directory, name: [0x2e], nextCookie: 1)) { return }
            if cookie < 2 && !emit(DirectoryEntry(ino: ino, type: .directory, name: [0x2e, 0x2e], nextCookie: 2)) { return }
        }
        for r in list where Int64(r.firstSlot) + 2 >= cookie {
            let next = Int64(r.offset + 32 + 2)
            let type: FileType = r.entry.isDirectory ? .directory : .regular
            var number: UInt64
            if r.entry.name == Array(".          ".utf8) { number = ino }
            else if r.entry.name == Array("..         ".utf8) { number = parentIno }
            else { number = volume.cached(parent: self, offset: r.offset)?.ino ?? volume.nextInodeNumber() }
            if !emit(DirectoryEntry(ino: number, type: type, name: r.name, nextCookie: next)) { return }
        }
    }

    // Files.

    func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        guard !isDirectory else { throw .EISDIR }
        guard offset >= 0 else { throw .EINVAL }
        return try await volume.serialized { () async throws(Errno) -> Int in
            let size = Int64(entry.size)
            if offset >= size || buffer.isEmpty { return 0 }
            let total = Int(min(Int64(buffer.count), size - offset))
            let chain = try chain()
            let sectorSize = volume.boot.bytesPerSector, clusterBytes = volume.boot.clusterBytes
            // Whole sectors of clusters that follow each other on the disk go in one readBlocks
            // (the kernel's cache makes large device requests of it, as for ext4); a partial sector
            // at either end is read alone.
            func sector(at position: Int) throws(Errno) -> UInt64 {
                let index = position / clusterBytes
                guard index < chain.count else { throw volume.corrupted("file shorter than its size") }
                return volume.boot.sector(ofCluster: chain[index]) + UInt64((position % clusterBytes) / sectorSize)
            }
            var done = 0
            while done < total {
                let position = Int(offset) + done
                let first = try sector(at: position)
                let at = position % sectorSize
                if at != 0 || total - done < sectorSize {
                    let n = min(total - done, sectorSize - at)
                    let data = try await volume.sector(first)
                    data.withUnsafeBytes { d in
                        UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + n]).copyMemory(from: UnsafeRawBufferPointer(rebasing: d[at..<at + n]))
                    }
                    done += n
                    continue
                }
                var count = 1
                while (count + 1) * sectorSize <= total - done, try sector(at: position + count * sectorSize) == first + UInt64(count) {
                    count += 1
                }
                try await volume.source.readBlocks(first, count: count,
                                                   into: UnsafeMutableRawBufferPointer(rebasing: buffer[done..<done + count * sectorSize]))
                done += count * sectorSize
            }
            return done
        }
    }

    func writeData(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard !isDirectory else { throw .EISDIR }
        guard volume.store != nil else { throw .EROFS }
        return try await volume.serialized { () async throws(Errno) -> (count: Int, end: Int64) in
            let start = append ? Int64(entry.size) : offset
            guard start >= 0 else { throw .EINVAL }
            guard start < Self.maxSize else { throw .EFBIG }
            if buffer.isEmpty { return (0, start) }
            let count = Int(min(Int64(buffer.count), Self.maxSize - start))
            let written = try await store(buffer.baseAddress!, count: count, at: start)
            let t = volume.now
            state.withLock {
                $0.entry.setModified(t)
                $0.entry.setCreated(t)
                $0.entry.attributes |= FatShortEntry.archive
            }
            try await writeEntry()
            return (written, start + Int64(written))
        }
    }

    /// Linux's s_maxbytes for FAT: sizes are 32-bit.
    static let maxSize: Int64 = 0xffff_ffff

    /// Writes `count` bytes (zeros when `from` is nil) at `start`, growing the file (zeros in any
    /// gap) as far as clusters allow; returns the count written (ENOSPC when none fit).
    func store(_ from: UnsafeRawPointer?, count: Int, at start: Int64) async throws(Errno) -> Int {
        let oldSize = Int64(entry.size)
        if start > oldSize {
            _ = try await store(nil, count: Int(start - oldSize), at: oldSize)
            guard Int64(entry.size) == start else { throw .ENOSPC }
        }
        let clusterBytes = volume.boot.clusterBytes, sectorSize = volume.boot.bytesPerSector
        var chain = try chain()
        let end = start + Int64(count)
        let needed = Int((end + Int64(clusterBytes) - 1) / Int64(clusterBytes))
        var allowed = end
        if needed > chain.count {
            let more = min(needed - chain.count, Int(volume.table.freeCount))
            if more > 0 {
                let added = try volume.table.allocate(more)
                if let last = chain.last { volume.table.link(last, to: added[0]) } else {
                    state.withLock { $0.entry.start = added[0] }
                }
                chain += added
                state.withLock { $0.chain = chain }
            }
            allowed = min(end, Int64(chain.count) * Int64(clusterBytes))
            guard allowed > start else { throw .ENOSPC }
        }
        var position = start
        while position < allowed {
            let index = Int(position / Int64(clusterBytes)), within = Int(position % Int64(clusterBytes))
            let sector = volume.boot.sector(ofCluster: chain[index]) + UInt64(within / sectorSize)
            let at = within % sectorSize
            let n = Int(min(Int64(sectorSize - at), allowed - position))
            var data = n == sectorSize ? [UInt8](repeating: 0, count: sectorSize) : try await volume.sector(sector)
            let done = Int(position - start)
            if let from {
                for k in 0..<n { data[at + k] = from.load(fromByteOffset: done + k, as: UInt8.self) }
            } else {
                for k in 0..<n { data[at + k] = 0 }
            }
            try await volume.write(sector, data)
            position += Int64(n)
        }
        if allowed > oldSize { state.withLock { $0.entry.size = UInt32(allowed) } }
        return Int(allowed - start)
    }

    /// Shrinks or grows (with zeros) a regular file.
    func resize(to size: Int64) async throws(Errno) {
        guard size >= 0 else { throw .EINVAL }
        guard size <= Self.maxSize else { throw .EFBIG }
        let old = Int64(entry.size)
        if size > old {
            let n = try await store(nil, count: Int(size - old), at: old)
            guard Int64(n) == size - old else { throw .ENOSPC }
            return
        }
        let chain = try chain()
        let keep = Int((size + Int64(volume.boot.clusterBytes) - 1) / Int64(volume.boot.clusterBytes))
        if keep < chain.count {
            volume.table.free(chain[keep...])
            if keep > 0 { volume.table.endChain(at: chain[keep - 1]) }
        }
        state.withLock {
            $0.chain = Array(chain.prefix(keep))
            $0.entry.size = UInt32(size)
            if keep == 0 { $0.entry.start = 0 }
        }
    }

    func setattrData(_ changes: AttributeChanges) async throws(Errno) {
        let options = volume.options
        if let uid = changes.uid, uid != options.uid { throw .EPERM }
        if let gid = changes.gid, gid != options.gid { throw .EPERM }
        guard volume.store != nil else { throw .EROFS }
        try await volume.serialized { () async throws(Errno) -> Void in
            var readOnly: Bool? = nil
            if let mode = changes.mode {
                readOnly = try options.readOnly(changingTo: mode, from: metadata.mode & 0o777, isDirectory: isDirectory)
            }
            if let size = changes.size {
                guard !isDirectory else { throw .EISDIR }
                try await resize(to: size)
            }
            guard !isRoot else { return }
            let t = volume.now
            state.withLock { s in
                if let readOnly {
                    if readOnly { s.entry.attributes |= FatShortEntry.readOnly } else { s.entry.attributes &= ~FatShortEntry.readOnly }
                }
                switch changes.atime {
                case .none: break
                case .now: s.entry.setAccessed(t)
                case .time(let v): s.entry.setAccessed(v)
                }
                switch changes.mtime {
                case .none: if changes.size != nil { s.entry.setModified(t) }
                case .now: s.entry.setModified(t)
                case .time(let v): s.entry.setModified(v)
                }
                s.entry.setCreated(t)         // Linux 6.1 keeps ctime in the creation fields
            }
            try await writeEntry()
        }
    }

    /// A read or readdir the mount records (the VFS applies noatime, nodiratime and read-only
    /// mounts): the access date moves to today when `update` says so, and only if the date changes
    /// (FAT keeps no access time of day). Write errors are dropped, as Linux's touch_atime.
    func accessed(_ update: AccessTimeUpdate) async {
        guard !isRoot, volume.store != nil else { return }
        try? await volume.serialized { () async throws(Errno) in
            let t = volume.now
            let s = snapshot
            guard !s.unlinked else { return }
            guard update.isDue(atime: s.entry.accessed, mtime: s.entry.modified, ctime: s.entry.created, now: t),
                  FatTime.fat(t).date != s.entry.accessDate else { return }
            state.withLock { $0.entry.setAccessed(t) }
            try await writeEntry()
        }
    }

    /// The directory's mtime and ctime after a change of its entries.
    func touchDirectory() async throws(Errno) {
        guard !isRoot else { return }
        let t = volume.now
        state.withLock { $0.entry.setModified(t); $0.entry.setCreated(t) }
        try await writeEntry()
    }

    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode {
        throw isDirectory ? .EPERM : .ENOTDIR
    }
    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) { throw isDirectory ? .EPERM : .ENOTDIR }
    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode {
        throw isDirectory ? .EPERM : .ENOTDIR
    }
}
