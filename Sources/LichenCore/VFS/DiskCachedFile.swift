/// A disk filesystem's file served through a DiskPageCache (ext4, FAT): the filesystem implements
/// the uncached operations, and this extension puts the cache in front of read (with the open
/// file's readahead), write and truncate, and hands the cache to mmap (`Inode.pageCache`). The
/// cache is made at the first read, write or mmap of a regular file.
protocol DiskCachedFile: Inode, DiskPageCacheBacking {
    var pageCacheSlot: SpinLock<DiskPageCache?> { get }
    /// The filesystem's identity (its sync writes back the caches of this owner).
    var pageCacheOwner: ObjectIdentifier { get }
    func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int
    func writeData(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64)
    func setattrData(_ changes: AttributeChanges) async throws(Errno)
}

extension DiskCachedFile {
    var cachedFileSize: Int64 { metadata.size }

    var pageCache: (any FilePageCache)? { diskCache }

    var diskCache: DiskPageCache? {
        guard metadata.isRegular else { return nil }
        return pageCacheSlot.withLock { slot -> DiskPageCache in
            if let cache = slot { return cache }
            let cache = DiskPageCache(file: self, owner: pageCacheOwner)
            slot = cache
            return cache
        }
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        try await read(at: offset, into: buffer, readahead: SpinLock(ReadaheadState()))
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, readahead: SpinLock<ReadaheadState>) async throws(Errno) -> Int {
        guard let cache = diskCache else { return try await readUncached(at: offset, into: buffer) }   // EISDIR, EINVAL
        return try await cache.read(at: offset, into: buffer, readahead: readahead)
    }

    /// The cache exists before the data changes: a read-in racing with the write then sees the
    /// write's generation and does not keep older bytes.
    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard let cache = diskCache else { return try await writeData(at: offset, from: buffer, append: append) }
        let size = metadata.size
        if append || offset > size - Int64(buffer.count) { cache.sizeChanging(from: size, to: Int64.max) }
        let written = try await writeData(at: offset, from: buffer, append: append)
        cache.absorb(at: written.end - Int64(written.count), from: UnsafeRawBufferPointer(rebasing: buffer[0..<written.count]))
        return written
    }

    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        let cache = changes.size != nil ? diskCache : nil
        if let size = changes.size, let cache, size >= 0 { cache.sizeChanging(from: metadata.size, to: size) }
        defer { cache?.changed() }               // a read-in that raced with the change is not kept
        try await setattrData(changes)
    }

    /// Writeback: never past the end (a truncation may have raced with the copy of the page).
    func writeUncached(at offset: Int64, from buffer: UnsafeRawBufferPointer) async throws(Errno) {
        let size = metadata.size
        guard offset < size else { return }
        let count = Int(min(Int64(buffer.count), size - offset))
        _ = try await writeData(at: offset, from: UnsafeRawBufferPointer(rebasing: buffer[0..<count]), append: false)
    }
}

extension Ext4Node: DiskCachedFile {
    var pageCacheOwner: ObjectIdentifier { ObjectIdentifier(volume) }
}

extension FatNode: DiskCachedFile {
    var pageCacheOwner: ObjectIdentifier { ObjectIdentifier(volume) }
}
