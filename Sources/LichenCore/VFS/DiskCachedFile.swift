/// A disk filesystem's file served through a DiskPageCache (ext4, FAT): the filesystem implements
/// the uncached operations, and this extension puts the cache in front of read, write and
/// truncate, and hands the cache to mmap (`Inode.pageCache`). Without a mapping ever made the
/// cache does not exist and the operations are the filesystem's own.
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
    private var existingCache: DiskPageCache? { pageCacheSlot.withLock { $0 } }

    var pageCache: (any FilePageCache)? {
        guard metadata.isRegular else { return nil }
        return pageCacheSlot.withLock { slot -> DiskPageCache in
            if let cache = slot { return cache }
            let cache = DiskPageCache(file: self, owner: pageCacheOwner)
            slot = cache
            return cache
        }
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        let count = try await readUncached(at: offset, into: buffer)
        existingCache?.overlay(at: offset, into: buffer, count: count)
        return count
    }

    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard let cache = existingCache else { return try await writeData(at: offset, from: buffer, append: append) }
        let size = metadata.size
        if append || offset > size - Int64(buffer.count) { cache.sizeChanging(from: size, to: Int64.max) }
        let written = try await writeData(at: offset, from: buffer, append: append)
        cache.absorb(at: written.end - Int64(written.count), from: UnsafeRawBufferPointer(rebasing: buffer[0..<written.count]))
        return written
    }

    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        if let size = changes.size, let cache = existingCache, size >= 0 { cache.sizeChanging(from: metadata.size, to: size) }
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
