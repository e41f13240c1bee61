import _Concurrency

/// read(2) through the disk page cache (Linux's filemap_read): the pages a read needs are read in
/// (with the readahead its open file asks for, `ReadaheadState`) in runs of up to `runPages`, each
/// run one filesystem read (ext4 makes contiguous blocks one device request), then copied out.
extension DiskPageCache {
    /// Pages read from the filesystem in one call.
    static let runPages = 32

    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer,
                     readahead: SpinLock<ReadaheadState>) async throws(Errno) -> Int {
        let size = file.cachedFileSize
        guard offset >= 0 else { throw .EINVAL }
        if offset >= size || buffer.isEmpty { return 0 }
        let total = Int(min(Int64(buffer.count), size - offset))
        let ps = Int64(pageSize)
        let pages = offset / ps..<(offset + Int64(total) + ps - 1) / ps
        let missing = state.withLock { s in firstAbsent(s, pages) }
        let plan = readahead.withLock { $0.plan(reading: pages, firstMissing: missing, pageCount: (size + ps - 1) / ps) }
        // The window past the pages the reader needs, and the next one at the marker, are read
        // without waiting; the reader reads its own pages (or waits for them if already on the way).
        if plan.synchronous.upperBound > pages.upperBound { startReadahead(pages.upperBound..<plan.synchronous.upperBound) }
        if !plan.asynchronous.isEmpty { startReadahead(plan.asynchronous) }
        do throws(Errno) {
            try await fill(pages)
        } catch {
            if error != .ENOMEM { throw error }
        }
        if copyOut(at: offset, into: buffer, count: total) { return total }
        // A page is missing (memory short, reclaimed, or a write came during its read-in): the
        // filesystem's bytes, with the cached pages over them.
        let n = try await file.readUncached(at: offset, into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<total]))
        overlay(at: offset, into: buffer, count: n)
        return n
    }

    /// Reads the next window without the reader waiting (Linux's async readahead). The task holds
    /// the file and the cache until it is done; errors are dropped (the reader meets them itself).
    /// The pages are claimed (marked being read) before the task starts: a reader that gets there
    /// first waits for them instead of reading them again.
    private func startReadahead(_ pages: Range<Int64>) { startReads(claim(pages)) }

    /// Reads claimed runs in a task of their own.
    private func startReads(_ runs: [(pages: Range<Int64>, generation: UInt64)]) {
        guard !runs.isEmpty else { return }
        let backing = file
        Task {
            withExtendedLifetime(backing) {}
            for (i, run) in runs.enumerated() {
                do throws(Errno) {
                    try await self.readIn(run.pages, generation: run.generation)
                    self.finished(run.pages)
                } catch {
                    for rest in runs[i...] { self.finished(rest.pages) }
                    return
                }
            }
        }
    }

    /// Marks the pages of `pages` neither cached nor being read as being read, in runs.
    private func claim(_ pages: Range<Int64>) -> [(pages: Range<Int64>, generation: UInt64)] {
        state.withLock { s -> [(pages: Range<Int64>, generation: UInt64)] in
            var runs: [(pages: Range<Int64>, generation: UInt64)] = []
            var next = pages.lowerBound
            while let first = firstAbsent(s, next..<pages.upperBound) {
                var end = first + 1
                while end < pages.upperBound, end - first < Int64(Self.runPages), isAbsent(s, end) { end += 1 }
                s.reading.append(first..<end)
                runs.append((first..<end, s.generation))
                next = end
            }
            return runs
        }
    }

    /// Reads the missing pages of `pages` in (those past the end, or read while a write came, are
    /// not kept), then waits for those another task is reading in. ENOMEM when no page could be
    /// had even after reclaiming clean ones.
    /// Runs after the first are read by tasks of their own meanwhile: several requests in flight.
    public func fill(_ pages: Range<Int64>) async throws(Errno) {
        let runs = claim(pages)
        for run in runs.dropFirst() { startReads([run]) }
        if let run = runs.first {
            do throws(Errno) {
                try await readIn(run.pages, generation: run.generation)
            } catch {
                finished(run.pages)
                throw error
            }
            finished(run.pages)
        }
        try? await readDone.wait(until: { state.withLock { s in !s.reading.contains { $0.overlaps(pages) } } }, interruptible: false)
    }

    private func finished(_ run: Range<Int64>) {
        state.withLock { s in s.reading.removeAll { $0 == run } }
        readDone.wakeAll()
    }

    private func readIn(_ run: Range<Int64>, generation: UInt64) async throws(Errno) {
        let count = Int(run.count)
        if !DiskPageCacheHooks.hasRoom(count) { _ = DiskPageCaches.reclaim(pages: max(count, 64)) }
        var frames: [UnsafeMutableRawPointer] = []
        frames.reserveCapacity(count)
        defer { for bytes in frames { TmpfsPageMemory.release(bytes) } }
        for _ in 0..<count {
            guard let bytes = TmpfsPageMemory.allocate() else { break }
            frames.append(bytes)
        }
        guard frames.count == count else { throw .ENOMEM }
        let staging = UnsafeMutableRawBufferPointer.allocate(byteCount: count * pageSize, alignment: 16)
        defer { staging.deallocate() }
        staging.initializeMemory(as: UInt8.self, repeating: 0)
        _ = try await file.readUncached(at: run.lowerBound * Int64(pageSize), into: staging)
        let size = file.cachedFileSize
        var kept: [Int] = []
        for (i, bytes) in frames.enumerated() {
            bytes.copyMemory(from: staging.baseAddress! + i * pageSize, byteCount: pageSize)
            if insert(bytes, at: run.lowerBound + Int64(i), size: size, generation: generation) { kept.append(i) }
        }
        for i in kept.reversed() { frames.remove(at: i) }     // the cache owns them now
    }

    /// Copies `count` bytes at `offset` from the cached pages; false when one is missing.
    private func copyOut(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, count: Int) -> Bool {
        let ps = Int64(pageSize)
        let base = UInt(bitPattern: buffer.baseAddress)      // a plain number may cross into the lock's region
        return state.withLock { s -> Bool in
            var done = 0
            var at = s.position(offset / ps).at
            while done < count {
                let position = offset + Int64(done)
                guard at < s.pages.count, s.pages[at].index == position / ps else { return false }
                let within = Int(position % ps)
                let n = min(count - done, pageSize - within)
                UnsafeMutableRawPointer(bitPattern: base + UInt(done))!.copyMemory(from: s.pages[at].bytes + within, byteCount: n)
                s.clock += 1
                s.pages[at].used = s.clock
                done += n
                at += 1
            }
            return true
        }
    }

    /// Neither cached nor being read in (Linux finds such pages locked in the cache).
    private func isAbsent(_ s: State, _ index: Int64) -> Bool {
        !s.position(index).found && !s.reading.contains { $0.contains(index) }
    }

    private func firstAbsent(_ s: State, _ pages: Range<Int64>) -> Int64? {
        var at = s.position(pages.lowerBound).at
        var index = pages.lowerBound
        while index < pages.upperBound {
            if !(at < s.pages.count && s.pages[at].index == index) {
                if !s.reading.contains(where: { $0.contains(index) }) { return index }
            } else {
                at += 1
            }
            index += 1
        }
        return nil
    }

    /// At most this many pages per willNeed (Linux's force_page_cache_ra caps a request too: 2 MiB).
    static let willNeedPages: Int64 = 512

    public func willNeed(_ pages: Range<Int64>) {
        let count = (file.cachedFileSize + Int64(pageSize) - 1) / Int64(pageSize)
        let low = min(max(pages.lowerBound, 0), count)
        let high = min(pages.upperBound, count, low + Self.willNeedPages)
        if low < high { startReadahead(low..<high) }
    }

    public func dontNeed(_ pages: Range<Int64>) {
        let dropped = locked { s -> [UnsafeMutableRawPointer] in
            var gone: [UnsafeMutableRawPointer] = []
            var at = s.position(pages.lowerBound).at
            while at < s.pages.count, s.pages[at].index < pages.upperBound {
                if s.pages[at].dirtySince == nil && DiskPageCacheHooks.references(s.pages[at].bytes) <= 1 {
                    gone.append(s.pages.remove(at: at).bytes)
                } else {
                    at += 1
                }
            }
            settle(&s)
            return gone
        }
        for bytes in dropped { TmpfsPageMemory.release(bytes) }
    }
}
