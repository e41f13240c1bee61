// The page-cache interface that user mappings use: a file's pages by index, each a whole frame that
// a page fault maps directly (MAP_SHARED writes land in the file; MAP_PRIVATE copies on write).
// tmpfs implements it (its pages are the file); the disk page cache (issue 11) implements it next,
// reading a missing page in before answering. See docs/memory.md.

/// What `FilePageCache.mapPage` found.
public enum FilePageLookup {
    /// The page's frame (through the kernel's direct map), with a reference taken for the caller's
    /// page-table entry (`TmpfsPageMemory.retain` on tmpfs): the caller releases it when it unmaps.
    case page(UnsafeMutableRawPointer)
    /// The page lies wholly past the end of the file: the access is SIGBUS (BUS_ADRERR).
    case beyondEnd
    /// The filesystem is full (SIGBUS, as Linux's shmem fault with ENOSPC).
    case noSpace
    /// No frame could be allocated (the fault fails as out of memory).
    case outOfMemory
    /// The page is not in memory: the caller drops its locks, awaits `readIn(at:)`, then asks again
    /// (the disk page cache; tmpfs never answers this).
    case notCached
}

/// What `FilePageCache.readIn` did.
public enum FilePageReadIn {
    /// The page is cached now (or was already): ask `mapPage` again.
    case ready
    case beyondEnd
    case outOfMemory
    /// The filesystem failed to read it (the fault is SIGBUS, as Linux's filemap_fault on EIO).
    case ioError
}

/// A file whose pages user space maps. Implementations answer under their own lock, so that a
/// truncation cannot free a page between the lookup and the reference taken for the mapping.
public protocol FilePageCache: AnyObject, Sendable {
    /// The page at `index` (a hole inside the file is allocated, zeroed), referenced for a mapping.
    func mapPage(at index: Int64) -> FilePageLookup
    /// The same for a page the cache already holds: `notCached` instead of allocating a hole or
    /// reading (fault-around maps only what is there).
    func mapCachedPage(at index: Int64) -> FilePageLookup
    /// A mapping object of the file begins (mmap). `sharedWritable`: MAP_SHARED of a file opened for
    /// writing (Linux's VM_SHARED, what F_SEAL_WRITE counts); `writing`: PROT_WRITE now. Throws EPERM
    /// when the file's seals forbid the mapping. Returns whether mprotect may add PROT_WRITE later.
    func mappingAdded(sharedWritable: Bool, writing: Bool) throws(Errno) -> Bool
    /// The mapping object ended (its last area unmapped, its last process gone).
    func mappingRemoved(sharedWritable: Bool)
    /// The seals (F_GET_SEALS), nil when the file cannot carry any (EINVAL).
    var seals: FileSeals? { get }
    /// F_ADD_SEALS through a descriptor (`writable`: opened for writing).
    func addSeals(_ seals: UInt64, writable: Bool) throws(Errno)
    /// Reads the page at `index` into the cache (awaiting the filesystem; no lock held by the caller).
    func readIn(at index: Int64) async -> FilePageReadIn
    /// True when a shared writable mapping must map pages read-only first and report the first write
    /// of each (`pageDirtied`): the cache writes dirty pages back to a disk.
    var tracksDirtyPages: Bool { get }
    /// A shared mapping wrote (or is about to write) the page at `index`, which is mapped.
    func pageDirtied(at index: Int64)
    /// msync(MS_SYNC): the dirty pages written back through the filesystem.
    func writeBackPages() async throws(Errno)
    /// POSIX_FADV_WILLNEED, readahead(2), MADV_WILLNEED: starts reading `pages` in without waiting
    /// (nothing for files whose pages are in memory anyway).
    func willNeed(_ pages: Range<Int64>)
    /// POSIX_FADV_DONTNEED: drops the clean pages of `pages` nothing maps.
    func dontNeed(_ pages: Range<Int64>)
}

extension FilePageCache {
    /// A cache whose `mapPage` never allocates nor reads (answering `notCached`) needs nothing else.
    public func mapCachedPage(at index: Int64) -> FilePageLookup { mapPage(at: index) }
    public func readIn(at index: Int64) async -> FilePageReadIn { .ready }
    public var tracksDirtyPages: Bool { false }
    public func pageDirtied(at index: Int64) {}
    public func writeBackPages() async throws(Errno) {}
    public func willNeed(_ pages: Range<Int64>) {}
    public func dontNeed(_ pages: Range<Int64>) {}
}

/// What the kernel does when the page cache changes under the mappings.
public enum FilePageCacheEvents {
    /// The file shrank to `size` bytes while mapped: every mapping of its pages wholly past the new
    /// end drops them (private copies too, as Linux's truncate_pagecache), so they SIGBUS from then on.
    nonisolated(unsafe) public static var truncated: (any FilePageCache, Int64) -> Void = { _, _ in }
    /// Every mapping of the page at `index` becomes read-only (a dirty page being written back: the
    /// next store faults and dirties it again).
    nonisolated(unsafe) public static var writeProtect: (any FilePageCache, Int64) -> Void = { _, _ in }
}
