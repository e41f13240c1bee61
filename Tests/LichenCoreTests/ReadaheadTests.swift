import Testing
@testable import LichenCore

/// The readahead window (sans-IO: pages read and cached in, pages to read out) and read(2) through
/// the disk page cache over a backing that counts its reads.
@Suite struct ReadaheadTests {
    static let none: Range<Int64> = 0..<0

    @Test func sequentialWindowGrowsToTheMaximum() {
        var ra = ReadaheadState()
        let count: Int64 = 10_000
        // The first read at 0: 4 pages, the marker on the second.
        var plan = ra.plan(reading: 0..<1, firstMissing: 0, pageCount: count)
        #expect(plan.synchronous == 0..<4 && plan.asynchronous == Self.none)
        #expect(ra.marker == 1)
        // Reaching the marker (cached) starts the next window early, twice as large...
        plan = ra.plan(reading: 1..<2, firstMissing: nil, pageCount: count)
        #expect(plan.synchronous == Self.none && plan.asynchronous == 4..<12)
        #expect(ra.plan(reading: 2..<3, firstMissing: nil, pageCount: count) == (Self.none, Self.none))
        // ...whose first page is its marker (the window is all asynchronous)
        plan = ra.plan(reading: 4..<5, firstMissing: nil, pageCount: count)
        #expect(plan.asynchronous == 12..<28)
        plan = ra.plan(reading: 12..<13, firstMissing: nil, pageCount: count)
        #expect(plan.asynchronous == 28..<60)
        plan = ra.plan(reading: 28..<29, firstMissing: nil, pageCount: count)
        #expect(plan.asynchronous == 60..<92)                    // 32 pages = 128 KiB, no more
        #expect(ReadaheadState.defaultMaxPages * pageSize == 128 * 1024)
    }

    @Test func randomReadsReadOnlyTheirPages() {
        var ra = ReadaheadState()
        _ = ra.plan(reading: 0..<1, firstMissing: 0, pageCount: 10_000)
        let plan = ra.plan(reading: 5000..<5001, firstMissing: 5000, pageCount: 10_000)
        #expect(plan.synchronous == 5000..<5001 && plan.asynchronous == Self.none)
        #expect(ra.start == 0 && ra.size == 4)                   // the window is kept
        // POSIX_FADV_RANDOM: not even the first read reads ahead
        var random = ReadaheadState()
        random.advise(.random)
        #expect(random.plan(reading: 0..<2, firstMissing: 1, pageCount: 100).synchronous == 1..<2)
        #expect(random.plan(reading: 2..<3, firstMissing: nil, pageCount: 100) == (Self.none, Self.none))
    }

    @Test func catchingUpEndOfFileLargeRequestsAndSequentialAdvice() {
        // The reader reaches the window's end before the asynchronous read: the next window, read now.
        var ra = ReadaheadState()
        _ = ra.plan(reading: 0..<1, firstMissing: 0, pageCount: 10_000)
        #expect(ra.plan(reading: 4..<5, firstMissing: 4, pageCount: 10_000).synchronous == 4..<12)
        // A sequential read after a random one starts a new stream where it is.
        #expect(ra.plan(reading: 12..<13, firstMissing: 12, pageCount: 10_000).synchronous == 12..<28)
        // Clipped at the end of the file.
        var small = ReadaheadState()
        #expect(small.plan(reading: 0..<1, firstMissing: 0, pageCount: 3).synchronous == 0..<3)
        // A request larger than the window is read whole.
        var large = ReadaheadState()
        #expect(large.plan(reading: 0..<100, firstMissing: 0, pageCount: 1000).synchronous == 0..<100)
        // POSIX_FADV_SEQUENTIAL doubles the maximum.
        var sequential = ReadaheadState()
        sequential.advise(.sequential)
        #expect(sequential.maxPages == 2 * ReadaheadState.defaultMaxPages)
        #expect(sequential.plan(reading: 0..<16, firstMissing: 0, pageCount: 1000).synchronous == 0..<32)
        #expect(sequential.plan(reading: 32..<33, firstMissing: 32, pageCount: 1000).synchronous == 32..<96)
    }

    /// A file in memory that counts the reads reaching it.
    final class CountingFile: DiskPageCacheBacking, @unchecked Sendable {
        var bytes: [UInt8]
        /// (Readahead tasks read concurrently with the reader.)
        let log = SpinLock<[(offset: Int64, count: Int)]>([])
        var reads: [(offset: Int64, count: Int)] { log.withLock { $0 } }
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var cachedFileSize: Int64 { Int64(bytes.count) }
        func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
            let count = buffer.count
            log.withLock { $0.append((offset, count)) }
            guard offset < bytes.count else { return 0 }
            let n = min(buffer.count, bytes.count - Int(offset))
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset) + n])) }
            return n
        }
        func writeUncached(at offset: Int64, from buffer: UnsafeRawBufferPointer) async throws(Errno) {
            bytes.replaceSubrange(Int(offset)..<Int(offset) + buffer.count, with: buffer)
        }
    }

    static func read(_ cache: DiskPageCache, _ count: Int, at offset: Int64, _ ra: SpinLock<ReadaheadState>) async throws -> [UInt8] {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { b.deallocate() }
        let n = try await cache.read(at: offset, into: b, readahead: ra)
        return Array(b[0..<n])
    }

    @Test func readThroughTheCacheIsCoherentAndBatched() async throws {
        let size = 64 * pageSize + 123
        let file = CountingFile((0..<size).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ $0 / 4096) })
        let cache = DiskPageCache(file: file, owner: ObjectIdentifier(file))
        let ra = SpinLock(ReadaheadState())
        ra.withLock { $0.advise(.random) }                        // synchronous only: deterministic reads
        #expect(try await Self.read(cache, 100, at: 5, ra) == Array(file.bytes[5..<105]))
        #expect(file.reads.count == 1 && cache.counts.cached == 1)
        // the pages read are the ones mmap maps, and write(2)'s bytes reach them
        guard case .page(let p0) = cache.mapPage(at: 0) else { Issue.record("page 0 not cached"); return }
        #expect(p0.load(fromByteOffset: 5, as: UInt8.self) == file.bytes[5])
        file.bytes[6] = 0xAB
        [UInt8(0xAB)].withUnsafeBytes { cache.absorb(at: 6, from: $0) }
        #expect(try await Self.read(cache, 2, at: 5, ra) == [file.bytes[5], 0xAB])
        #expect(file.reads.count == 1)                            // from the cache
        #expect(cache.counts.dirty == 0)                          // nothing maps it: a clean copy
        // sequential reads: the whole file in few large reads, the end of the file too
        let seq = SpinLock(ReadaheadState())
        var all: [UInt8] = []
        var offset: Int64 = 0
        while true {
            let chunk = try await Self.read(cache, 4096, at: offset, seq)
            if chunk.isEmpty { break }
            all += chunk
            offset += Int64(chunk.count)
            try await cache.fill(0..<0)                          // (no-op)
        }
        #expect(all == file.bytes)
        #expect(file.reads.count < 20)
        #expect(file.reads.allSatisfy { $0.count <= DiskPageCache.runPages * pageSize })
        // reclaim takes the clean pages; reading again reads them back
        #expect(cache.reclaim(pages: 1000) > 0)
        #expect(try await Self.read(cache, 10, at: Int64(size - 10), seq) == Array(file.bytes[(size - 10)...]))
        cache.release()
        #expect(cache.counts.cached == 0)
    }

    @Test func aWriteDuringTheReadInIsNotLost() async throws {
        let file = CountingFile([UInt8](repeating: 1, count: 2 * pageSize))
        let cache = DiskPageCache(file: file, owner: ObjectIdentifier(file))
        let generation = cache.state.withLock { $0.generation }
        // the write lands after the read-in took its snapshot: the page read is not kept
        file.bytes[0] = 2
        [UInt8(2)].withUnsafeBytes { cache.absorb(at: 0, from: $0) }
        let page = UnsafeMutableRawPointer.allocate(byteCount: pageSize, alignment: 16)
        #expect(!cache.insert(page, at: 0, size: Int64(file.bytes.count), generation: generation))
        page.deallocate()
        let ra = SpinLock(ReadaheadState())
        #expect(try await Self.read(cache, 1, at: 0, ra) == [2])
    }
}
