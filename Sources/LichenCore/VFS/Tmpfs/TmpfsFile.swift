import _Concurrency

/// A tmpfs regular file. Readers copy page by page under the inode's spinlock; writers and
/// truncates also hold the file's async mutex (Linux's i_rwsem), so an O_APPEND write finds
/// the end and writes there as one step, and writes never interleave with each other.
final class TmpfsFile: TmpfsInode, @unchecked Sendable {
    private static let page = Int64(pageSize)
    private static let sectorsPerPage = Int64(pageSize / 512)

    private var pages = PageStore()  // guarded by lock
    private let writers = Mutex<Void>(())
    /// Seals (memfd): a plain tmpfs file carries F_SEAL_SEAL, as on Linux. Guarded by lock.
    var fileSeals: FileSeals = .seal
    /// Mapping objects of the file, and those that are MAP_SHARED of a writable descriptor. Guarded by lock.
    private var mappings = 0, sharedWritableMappings = 0

    deinit {
        superblock.charge(pages: -Int64(pages.count))
    }

    override var pageCache: (any FilePageCache)? { self }

    override func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        guard offset >= 0 else { throw .EINVAL }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        var done = 0
        while done < buffer.count {
            let n = lock.withLock { () -> Int in
                let position = offset + Int64(done)
                guard position < meta.size else { return 0 }
                let inPage = Int(position % TmpfsFile.page)
                let n = Int(min(Int64(min(buffer.count - done, pageSize - inPage)), meta.size - position))
                if let page = pages.find(position / TmpfsFile.page) {
                    (base + done).copyMemory(from: page.bytes + inPage, byteCount: n)
                } else {
                    (base + done).initializeMemory(as: UInt8.self, repeating: 0, count: n)
                }
                return n
            }
            if n == 0 { break }
            done += n
        }
        return done
    }

    override func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        guard offset >= 0 else { throw .EINVAL }
        guard let base = buffer.baseAddress, buffer.count > 0 else { return (0, offset) }
        return try await writers.withLock { (_: inout Void) async throws(Errno) -> (count: Int, end: Int64) in
            let start = append ? self.metadata.size : offset
            if start.addingReportingOverflow(Int64(buffer.count)).overflow { throw .EFBIG }
            let total = try self.lock.withLock { () throws(Errno) -> Int in
                try self.fileSeals.allowedWrite(start: start, count: buffer.count, size: self.meta.size)
            }
            var done = 0
            while done < total {
                let n = self.lock.withLock { () -> Int in
                    let position = start + Int64(done)
                    let inPage = Int(position % TmpfsFile.page)
                    let n = min(total - done, pageSize - inPage)
                    guard let page = self.pages.page(at: position / TmpfsFile.page,
                                                     mayAllocate: { self.superblock.chargeNewPage() },
                                                     undo: { self.superblock.charge(pages: -1) }) else { return 0 }
                    (page.bytes + inPage).copyMemory(from: base + done, byteCount: n)
                    let reached = position + Int64(n)
                    if reached > self.meta.size { self.meta.size = reached }
                    return n
                }
                if n == 0 { break }  // the filesystem is full: a short write
                done += n
            }
            let time = self.now
            self.lock.withLock {
                self.meta.blocks = Int64(self.pages.count) * TmpfsFile.sectorsPerPage
                if done > 0 { self.changedLocked(at: time, content: true) }
            }
            if done == 0 { throw .ENOSPC }
            return (done, start + Int64(done))
        }
    }

    override func resize(to size: Int64) async throws(Errno) {
        guard size >= 0 else { throw .EINVAL }
        try await writers.withLock { (_: inout Void) async throws(Errno) in
            let time = self.now
            let (dropped, shrankMapped) = try self.lock.withLock { () throws(Errno) -> (Int, Bool) in
                let old = self.meta.size
                try self.fileSeals.checkResize(from: old, to: size)
                var dropped = 0
                if size < old {
                    // Pages wholly past the end go; the tail of the last one is zeroed so that
                    // growing the file again reads zeros there.
                    dropped = self.pages.removeAll(from: size / TmpfsFile.page + (size % TmpfsFile.page == 0 ? 0 : 1))
                    let inPage = Int(size % TmpfsFile.page)
                    if inPage != 0, let page = self.pages.find(size / TmpfsFile.page) {
                        (page.bytes + inPage).initializeMemory(as: UInt8.self, repeating: 0, count: pageSize - inPage)
                    }
                }
                self.meta.size = size
                self.meta.blocks = Int64(self.pages.count) * TmpfsFile.sectorsPerPage
                if size != old { self.changedLocked(at: time, content: true) }
                return (dropped, size < old && self.mappings > 0)
            }
            self.superblock.charge(pages: -Int64(dropped))
            // Mapped pages past the new end go from every mapping (they hold their own references).
            if shrankMapped { FilePageCacheEvents.truncated(self, size) }
        }
    }

    /// shmem_fallocate: pages for the whole range, charged to the size limit (ENOSPC, the pages
    /// this call added dropped again, if it runs out), the size grown unless KEEP_SIZE; or
    /// PUNCH_HOLE: pages wholly inside the range go (zeroed instead while the file is mapped:
    /// mappings hold them), the range's part of the others is zeroed. The lock is taken page by
    /// page, as writes take it: a large range never holds it long.
    override func allocate(mode: UInt32, offset: Int64, length: Int64) async throws(Errno) {
        let end = offset + length
        try await writers.withLock { (_: inout Void) async throws(Errno) in
            let time = self.now
            if mode & OpenFile.FALLOC_FL_PUNCH_HOLE != 0 {
                let freed = try self.lock.withLock { () throws(Errno) -> Int64 in
                    if self.fileSeals.forbidsWriting { throw .EPERM }
                    let freed = self.punchLocked(from: offset, to: end)      // past the size too (KEEP_SIZE pages)
                    self.meta.blocks = Int64(self.pages.count) * TmpfsFile.sectorsPerPage
                    self.changedLocked(at: time, content: true)
                    return freed
                }
                if freed > 0 { self.superblock.charge(pages: -freed) }
                return
            }
            // F_SEAL_GROW refuses a range past the end even with KEEP_SIZE (shmem_fallocate).
            try self.lock.withLock { () throws(Errno) in
                if end > self.meta.size { try self.fileSeals.checkResize(from: self.meta.size, to: end) }
            }
            // The runs of pages this call added: what goes again if the filesystem fills up.
            var added: [(first: Int64, count: Int64)] = []
            var index = offset / TmpfsFile.page
            while index * TmpfsFile.page < end {
                let allocated = self.lock.withLock { () -> Bool in
                    let before = self.pages.count
                    guard self.pages.page(at: index, mayAllocate: { self.superblock.chargeNewPage() },
                                          undo: { self.superblock.charge(pages: -1) }) != nil else { return false }
                    if self.pages.count > before {
                        if let last = added.last, last.first + last.count == index { added[added.count - 1].count += 1 }
                        else { added.append((index, 1)) }
                    }
                    return true
                }
                guard allocated else {
                    let dropped = self.lock.withLock { () -> Int64 in
                        var n: Int64 = 0
                        for run in added {
                            for i in run.first..<(run.first + run.count) where self.pages.remove(i) { n += 1 }
                        }
                        self.meta.blocks = Int64(self.pages.count) * TmpfsFile.sectorsPerPage
                        return n
                    }
                    self.superblock.charge(pages: -dropped)
                    throw .ENOSPC
                }
                index += 1
            }
            self.lock.withLock {
                if mode & OpenFile.FALLOC_FL_KEEP_SIZE == 0 && end > self.meta.size { self.meta.size = end }
                self.meta.blocks = Int64(self.pages.count) * TmpfsFile.sectorsPerPage
                self.changedLocked(at: time, content: true)       // mtime and ctime (file_modified)
            }
        }
    }

    /// Frees or zeroes [start, stop), visiting only the pages the file has (a hole costs nothing);
    /// returns the pages removed.
    private func punchLocked(from start: Int64, to stop: Int64) -> Int64 {
        var freed: Int64 = 0
        var next = pages.firstIndex(atOrAfter: start / TmpfsFile.page)
        while let index = next, index * TmpfsFile.page < stop {
            let pageStart = index * TmpfsFile.page
            let from = max(start, pageStart), to = min(stop, pageStart + TmpfsFile.page)
            if from == pageStart && to == pageStart + TmpfsFile.page && mappings == 0 {
                if pages.remove(index) { freed += 1 }
            } else if let page = pages.find(index) {
                (page.bytes + Int(from - pageStart)).initializeMemory(as: UInt8.self, repeating: 0, count: Int(to - from))
            }
            next = pages.firstIndex(atOrAfter: index + 1)
        }
        return freed
    }

    override func seekData(from offset: Int64, hole: Bool) async throws(Errno) -> Int64 {
        try lock.withLock { () throws(Errno) -> Int64 in
            let size = meta.size
            if offset < 0 || offset >= size { throw .ENXIO }
            var index = offset / TmpfsFile.page
            if !hole {
                guard let first = pages.firstIndex(atOrAfter: index) else { throw .ENXIO }
                let data = max(offset, first * TmpfsFile.page)
                if data >= size { throw .ENXIO }
                return data
            }
            while pages.find(index) != nil { index += 1 }
            return min(max(offset, index * TmpfsFile.page), size)
        }
    }
}

/// A tmpfs file's pages are the file: mappings map them directly (nothing to read in or write back).
extension TmpfsFile: FilePageCache {
    func mapPage(at index: Int64) -> FilePageLookup {
        lock.withLock { () -> FilePageLookup in
            // The pages covering the file (a size near Int64.max must not overflow rounding up).
            let covered = meta.size / TmpfsFile.page + (meta.size % TmpfsFile.page == 0 ? 0 : 1)
            guard index >= 0, index < covered else { return .beyondEnd }
            var full = false
            guard let page = pages.page(at: index, mayAllocate: {
                full = !superblock.chargeNewPage()
                return !full
            }, undo: { superblock.charge(pages: -1) }) else { return full ? .noSpace : .outOfMemory }
            meta.blocks = Int64(pages.count) * TmpfsFile.sectorsPerPage
            TmpfsPageMemory.retain(page.bytes)
            return .page(page.bytes)
        }
    }

    func mapCachedPage(at index: Int64) -> FilePageLookup {
        lock.withLock { () -> FilePageLookup in
            let covered = meta.size / TmpfsFile.page + (meta.size % TmpfsFile.page == 0 ? 0 : 1)
            guard index >= 0, index < covered else { return .beyondEnd }
            guard let page = pages.find(index) else { return .notCached }      // a hole: not allocated here
            TmpfsPageMemory.retain(page.bytes)
            return .page(page.bytes)
        }
    }

    func mappingAdded(sharedWritable: Bool, writing: Bool) throws(Errno) -> Bool {
        try lock.withLock { () throws(Errno) -> Bool in
            var mayWrite = true
            if sharedWritable || writing {
                mayWrite = try fileSeals.checkSharedMapping(descriptorWritable: sharedWritable, writing: writing)
            }
            mappings += 1
            if sharedWritable { sharedWritableMappings += 1 }
            return mayWrite
        }
    }

    func mappingRemoved(sharedWritable: Bool) {
        lock.withLock {
            mappings -= 1
            if sharedWritable { sharedWritableMappings -= 1 }
        }
    }

    var seals: FileSeals? { lock.withLock { fileSeals } }

    func addSeals(_ seals: UInt64, writable: Bool) throws(Errno) {
        try lock.withLock { () throws(Errno) in
            fileSeals = try fileSeals.adding(seals, writable: writable, writableMappings: sharedWritableMappings)
        }
    }

    /// How many mapping objects refer to the file (tests).
    var mappingCount: Int { lock.withLock { mappings } }
}
