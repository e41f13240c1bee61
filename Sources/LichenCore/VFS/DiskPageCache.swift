import _Concurrency

/// The filesystem below a disk page cache (an ext4 or FAT file): its data as the filesystem reads
/// and writes it, without the cache.
public protocol DiskPageCacheBacking: AnyObject, Sendable {
    /// The file's size now.
    var cachedFileSize: Int64 { get }
    /// Reads up to `buffer.count` bytes at `offset` (0 past the end).
    func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int
    /// Writes `buffer` at `offset` inside the file through the filesystem's normal write path (ext4:
    /// data blocks before the metadata commit), without touching the cache.
    func writeUncached(at offset: Int64, from buffer: UnsafeRawBufferPointer) async throws(Errno)
}

/// The kernel's answers the cache needs about frames and time (host defaults: no mappings, no clock).
public enum DiskPageCacheHooks {
    /// The user references of a cached page's frame: 1 when no page table maps it.
    nonisolated(unsafe) public static var references: (UnsafeMutableRawPointer) -> Int = { _ in 1 }
    /// Monotonic nanoseconds (dirty pages older than `DiskPageCaches.dirtyExpiry` are written back).
    nonisolated(unsafe) public static var now: () -> UInt64 = { 0 }
    /// Whether `pages` more frames may go to cached file data and leave room for user space (read(2)
    /// reclaims clean pages first when not).
    nonisolated(unsafe) public static var hasRoom: (Int) -> Bool = { _ in true }
}

/// A disk file's page cache (Linux's address_space of an ext4/vfat inode). read(2) fills it (with
/// readahead, DiskPageCacheRead.swift) and copies from it; a fault maps the cached frame itself.
/// write(2) goes to the filesystem and copies its bytes into the cached pages. Clean pages of a
/// file nobody maps are kept until reclaim or until the inode goes (`release`); stores
/// through shared mappings dirty pages (`pageDirtied`, from the write fault of a page mapped
/// read-only); writeback (msync, fsync, sync, umount, the periodic flusher) writes them through the
/// filesystem's write path, up to EOF only, after write-protecting them again. Clean pages stay
/// when the last mapping goes. The cache holds its file (`pinned`) only while mapped or dirty:
/// clean pages alone do not keep an inode (an unlinked file) alive.
public final class DiskPageCache: FilePageCache, @unchecked Sendable {
    struct Page {
        let index: Int64
        let bytes: UnsafeMutableRawPointer
        var dirtySince: UInt64?
        /// When it was last mapped (eviction takes the least recently mapped first).
        var used: UInt64
    }

    struct State {
        var pages: [Page] = []              // sorted by index
        var mappings = 0
        var clock: UInt64 = 0
        /// The file, held while mapped or dirty (the file holds the cache).
        var pinned: (any DiskPageCacheBacking)? = nil
        /// The pin just dropped: released after the lock (the file's deinit takes it again).
        var unpinned: (any DiskPageCacheBacking)? = nil
        /// In `DiskPageCaches.registry` (while pages or mappings exist).
        var registered = false
        /// Bumped by every write and size change: a read-in that started before one does not keep
        /// what it read (it may be older than the write).
        var generation: UInt64 = 0
        var dirtyCount = 0
        /// Pages being read in (read(2) and readahead): others wait for them on `readDone`.
        var reading: [Range<Int64>] = []

        func position(_ index: Int64) -> (found: Bool, at: Int) {
            var low = 0, high = pages.count
            while low < high {
                let mid = (low + high) / 2
                if pages[mid].index < index { low = mid + 1 } else { high = mid }
            }
            return (low < pages.count && pages[low].index == index, low)
        }
    }

    let state = SpinLock(State())
    unowned(unsafe) let file: any DiskPageCacheBacking
    /// The filesystem the file belongs to (sync of one filesystem writes back its caches only).
    public let owner: ObjectIdentifier
    /// One writeback at a time: two could otherwise write an older copy of a page last.
    private let writeback = Mutex(0)
    /// Woken when a read-in ends.
    let readDone = WaitQueue()

    public init(file: any DiskPageCacheBacking, owner: ObjectIdentifier) {
        self.file = file
        self.owner = owner
    }

    deinit { for page in state.withLock({ $0.pages }) { TmpfsPageMemory.release(page.bytes) } }

    /// Runs `body` under the lock; a pin it dropped is released after the lock.
    func locked<R>(_ body: (inout State) -> R) -> R {
        var released: (any DiskPageCacheBacking)? = nil
        let result = state.withLock { s -> R in
            let r = body(&s)
            released = s.unpinned
            s.unpinned = nil
            return r
        }
        withExtendedLifetime(released) {}
        return result
    }

    /// The inode goes: its clean pages go with it (nothing maps them and none is dirty, or the
    /// cache would still hold the inode).
    public func release() {
        let dropped = locked { s -> [UnsafeMutableRawPointer] in
            let all = s.pages.map { $0.bytes }
            s.pages.removeAll()
            settle(&s)
            return all
        }
        for bytes in dropped { TmpfsPageMemory.release(bytes) }
    }

    // The interface mappings use.

    public func mapPage(at index: Int64) -> FilePageLookup {
        let size = file.cachedFileSize
        guard index >= 0, index < (size + Int64(pageSize) - 1) / Int64(pageSize) else { return .beyondEnd }
        return state.withLock { s -> FilePageLookup in
            let (found, at) = s.position(index)
            guard found else { return .notCached }
            s.clock += 1
            s.pages[at].used = s.clock
            TmpfsPageMemory.retain(s.pages[at].bytes)
            return .page(s.pages[at].bytes)
        }
    }

    public func readIn(at index: Int64) async -> FilePageReadIn {
        guard let generation = state.withLock({ s -> UInt64? in s.position(index).found ? nil : s.generation }) else { return .ready }
        guard let bytes = TmpfsPageMemory.allocate() else { return .outOfMemory }
        bytes.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
        do throws(Errno) {
            _ = try await file.readUncached(at: index * Int64(pageSize), into: UnsafeMutableRawBufferPointer(start: bytes, count: pageSize))
        } catch {
            TmpfsPageMemory.release(bytes)
            return .ioError
        }
        let size = file.cachedFileSize
        let kept = insert(bytes, at: index, size: size, generation: generation)
        if !kept { TmpfsPageMemory.release(bytes) }
        // A write raced with the read-in: the fault retries and reads again.
        return kept || index * Int64(pageSize) < size ? .ready : .beyondEnd
    }

    /// Inserts a page read in when the file was at `generation` (refused when a write came since,
    /// when the page is cached already or past the end).
    func insert(_ bytes: UnsafeMutableRawPointer, at index: Int64, size: Int64, generation: UInt64) -> Bool {
        let address = UInt(bitPattern: bytes)        // a plain number may cross into the lock's region
        return locked { s -> Bool in
            let (found, at) = s.position(index)
            guard !found, s.generation == generation, index * Int64(pageSize) < size else { return false }
            s.clock += 1
            s.pages.insert(Page(index: index, bytes: UnsafeMutableRawPointer(bitPattern: address)!, dirtySince: nil, used: s.clock), at: at)
            settle(&s)
            return true
        }
    }

    public func mappingAdded(sharedWritable: Bool, writing: Bool) throws(Errno) -> Bool {
        locked { s in
            s.mappings += 1
            settle(&s)
        }
        return true
    }

    /// The last mapping going keeps the clean pages (Linux keeps them in the inode's address
    /// space): the next exec or mmap of the file finds them. They stay reclaimable (`reclaim`,
    /// memory pressure) and go with the inode.
    public func mappingRemoved(sharedWritable: Bool) {
        locked { s in
            s.mappings -= 1
            settle(&s)
        }
    }

    public var seals: FileSeals? { nil }
    public func addSeals(_ seals: UInt64, writable: Bool) throws(Errno) { throw .EINVAL }

    public var tracksDirtyPages: Bool { true }

    public func pageDirtied(at index: Int64) {
        let now = DiskPageCacheHooks.now()
        locked { s in
            let (found, at) = s.position(index)
            if found && s.pages[at].dirtySince == nil { s.pages[at].dirtySince = now; s.dirtyCount += 1 }
            settle(&s)
        }
    }

    public func writeBackPages() async throws(Errno) { try await writeBack() }

    // Coherence with read(2) and write(2).

    /// read(2) read `count` bytes at `offset` from the filesystem into `buffer`: the cached pages'
    /// bytes replace them (a store through a mapping may not be written back yet).
    public func overlay(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, count: Int) {
        visit(offset, count) { page, within, done, n in
            (buffer.baseAddress! + done).copyMemory(from: page + within, byteCount: n)
        }
    }

    /// write(2) wrote `buffer` at `offset` to the filesystem: cached pages take the bytes. While the
    /// file is mapped or dirty they count as dirty, so that a writeback racing with the write cannot
    /// leave older bytes on the disk; otherwise they are copies of what the filesystem has.
    public func absorb(at offset: Int64, from buffer: UnsafeRawBufferPointer) {
        let now = DiskPageCacheHooks.now()
        visit(offset, buffer.count, dirtying: now, bump: true) { page, within, done, n in
            (page + within).copyMemory(from: buffer.baseAddress! + done, byteCount: n)
        }
    }

    private func visit(_ offset: Int64, _ count: Int, dirtying now: UInt64? = nil, bump: Bool = false,
                       _ body: (UnsafeMutableRawPointer, Int, Int, Int) -> Void) {
        guard count > 0, offset >= 0 else { return }
        locked { s in
            if bump { s.generation &+= 1 }
            guard !s.pages.isEmpty else { return }
            let dirtying = s.pinned != nil ? now : nil
            var at = s.position(offset / Int64(pageSize)).at
            let end = offset + Int64(count)
            while at < s.pages.count {
                let start = s.pages[at].index * Int64(pageSize)
                guard start < end else { break }
                let from = max(start, offset), to = min(start + Int64(pageSize), end)
                if from < to {
                    body(s.pages[at].bytes, Int(from - start), Int(from - offset), Int(to - from))
                    if let dirtying, s.pages[at].dirtySince == nil { s.pages[at].dirtySince = dirtying; s.dirtyCount += 1 }
                }
                at += 1
            }
            settle(&s)
        }
    }

    /// The file's size changes from `old` to `new` bytes (truncate, or a write past the end): the
    /// bytes past the old end in its last page (stores there never reach the disk) read as zeros,
    /// and on shrinking the pages wholly past the new end leave every mapping and the cache.
    public func sizeChanging(from old: Int64, to new: Int64) {
        let dropped = locked { s -> [UnsafeMutableRawPointer] in
            s.generation &+= 1
            for edge in [old, new] where edge % Int64(pageSize) != 0 && edge <= old {
                let (found, at) = s.position(edge / Int64(pageSize))
                if found {
                    let within = Int(edge % Int64(pageSize))
                    (s.pages[at].bytes + within).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize - within)
                }
            }
            guard new < old else { return [] }
            let first = s.position((new + Int64(pageSize) - 1) / Int64(pageSize)).at
            let gone = s.pages[first...].map { $0.bytes }
            s.dirtyCount -= s.pages[first...].reduce(0) { $0 + ($1.dirtySince == nil ? 0 : 1) }
            s.pages.removeSubrange(first...)
            settle(&s)
            return gone
        }
        if new < old && isMapped { FilePageCacheEvents.truncated(self, new) }
        for bytes in dropped { TmpfsPageMemory.release(bytes) }
    }

    /// The file's data changed without passing through `absorb` (truncate): read-ins in progress
    /// do not keep what they read.
    public func changed() { state.withLock { $0.generation &+= 1 } }

    private var isMapped: Bool { state.withLock { $0.mappings > 0 } }

    // Writeback and eviction.

    /// Writes the dirty pages back in file order (those dirty since before `dirtyBefore` when given).
    public func writeBack(dirtyBefore: UInt64? = nil) async throws(Errno) {
        try await writeback.withLock { (_: inout Int) async throws(Errno) in
            guard let backing = state.withLock({ $0.pinned }) else { return }
            var next: Int64 = 0
            while true {
                // The next dirty page: clean from now on (a store after the write-protect dirties it again).
                guard let index = state.withLock({ s -> Int64? in
                    var at = s.position(next).at
                    while at < s.pages.count {
                        if let since = s.pages[at].dirtySince, dirtyBefore.map({ since < $0 }) ?? true {
                            s.pages[at].dirtySince = nil
                            s.dirtyCount -= 1
                            return s.pages[at].index
                        }
                        at += 1
                    }
                    return nil
                }) else { break }
                next = index + 1
                FilePageCacheEvents.writeProtect(self, index)
                let offset = index * Int64(pageSize)
                let count = Int(min(Int64(pageSize), max(backing.cachedFileSize - offset, 0)))
                let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 16)
                defer { copy.deallocate() }
                let address = UInt(bitPattern: copy.baseAddress!)
                // Copied under the lock: a truncation cannot free the page meanwhile.
                guard state.withLock({ s -> Bool in
                    let (found, at) = s.position(index)
                    if found { UnsafeMutableRawPointer(bitPattern: address)!.copyMemory(from: s.pages[at].bytes, byteCount: count) }
                    return found
                }) else { continue }
                do throws(Errno) {
                    if count > 0 { try await backing.writeUncached(at: offset, from: UnsafeRawBufferPointer(rebasing: copy[0..<count])) }
                } catch {
                    pageDirtied(at: index)
                    throw error
                }
            }
            locked { s in settle(&s) }           // clean now: kept (reclaimable), the pin may go
        }
    }

    /// Frees up to `pages` clean pages no page table maps, least recently mapped first; returns how many.
    public func reclaim(pages: Int) -> Int {
        let dropped = locked { s in dropClean(&s, limit: pages, unmappedOnly: true) }
        for bytes in dropped { TmpfsPageMemory.release(bytes) }
        return dropped.count
    }

    /// (cached pages, dirty pages).
    public var counts: (cached: Int, dirty: Int) {
        state.withLock { s in (s.pages.count, s.dirtyCount) }
    }

    /// The indices of the cached pages and whether each is dirty (host tests).
    public var pageStates: [(index: Int64, dirty: Bool)] { state.withLock { s in s.pages.map { ($0.index, $0.dirtySince != nil) } } }

    private func dropClean(_ s: inout State, limit: Int, unmappedOnly: Bool) -> [UnsafeMutableRawPointer] {
        var candidates: [(used: UInt64, index: Int64)] = []
        for page in s.pages where page.dirtySince == nil && (!unmappedOnly || DiskPageCacheHooks.references(page.bytes) <= 1) {
            candidates.append((page.used, page.index))
        }
        if limit < candidates.count { candidates.sort { $0.used < $1.used } }
        var dropped: [UnsafeMutableRawPointer] = []
        for candidate in candidates.prefix(limit) {
            let (found, at) = s.position(candidate.index)
            if found { dropped.append(s.pages.remove(at: at).bytes) }
        }
        settle(&s)
        return dropped
    }

    /// Holds the file while mapped or dirty; in the registry while pages or mappings exist.
    func settle(_ s: inout State) {
        let pin = s.mappings > 0 || s.dirtyCount > 0
        if pin && s.pinned == nil { s.pinned = file }
        if !pin && s.pinned != nil { s.unpinned = s.pinned; s.pinned = nil }
        let register = s.mappings > 0 || !s.pages.isEmpty
        if register && !s.registered { DiskPageCaches.registry.withLock { $0.append(self) } }
        if !register && s.registered { DiskPageCaches.registry.withLock { $0.removeAll { $0 === self } } }
        s.registered = register
    }
}

/// Every disk page cache holding pages or mappings: sync, the flusher, reclaim and /proc/meminfo.
public enum DiskPageCaches {
    static let registry = SpinLock<[DiskPageCache]>([])
    /// Dirty pages older than this are written back by the flusher (Linux's dirty_expire_centisecs: 30 s).
    public static let dirtyExpiry: UInt64 = 30_000_000_000

    /// Writes back the dirty pages of the caches of filesystem `owner` (nil: all); `dirtyBefore` as
    /// in `DiskPageCache.writeBack`. The first error is thrown after trying every cache.
    public static func writeBack(owner: ObjectIdentifier? = nil, dirtyBefore: UInt64? = nil) async throws(Errno) {
        let caches = registry.withLock { r in r.filter { owner == nil || $0.owner == owner! } }
        var failure: Errno? = nil
        for cache in caches {
            do throws(Errno) { try await cache.writeBack(dirtyBefore: dirtyBefore) } catch { failure = failure ?? error }
        }
        if let failure { throw failure }
    }

    /// Frees up to `pages` clean unmapped cached pages; returns how many went.
    public static func reclaim(pages: Int) -> Int {
        var freed = 0
        for cache in registry.withLock({ $0 }) where freed < pages { freed += cache.reclaim(pages: pages - freed) }
        return freed
    }

    /// Cached and dirty pages of all caches (/proc/meminfo).
    public static var counts: (cached: Int, dirty: Int) {
        var total = (cached: 0, dirty: 0)
        for cache in registry.withLock({ $0 }) {
            let c = cache.counts
            total.cached += c.cached
            total.dirty += c.dirty
        }
        return total
    }
}
