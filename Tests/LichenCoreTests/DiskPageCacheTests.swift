import Foundation
import Testing
@testable import LichenCore

/// The disk page cache's bookkeeping: read-in, dirty pages and their writeback order, coherence
/// with read/write, truncation, eviction; over a recording backing, and over ext4 and FAT images
/// in memory (what writeback leaves must be the filesystem's data).
@Suite struct DiskPageCacheTests {
    /// A file in memory that records the writes reaching it.
    final class RecordingFile: DiskPageCacheBacking, @unchecked Sendable {
        var bytes: [UInt8]
        var writes: [Int64] = []
        init(_ bytes: [UInt8]) { self.bytes = bytes }
        var cachedFileSize: Int64 { Int64(bytes.count) }
        func readUncached(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
            guard offset < bytes.count else { return 0 }
            let n = min(buffer.count, bytes.count - Int(offset))
            bytes.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[Int(offset)..<Int(offset) + n])) }
            return n
        }
        func writeUncached(at offset: Int64, from buffer: UnsafeRawBufferPointer) async throws(Errno) {
            writes.append(offset)
            bytes.replaceSubrange(Int(offset)..<Int(offset) + buffer.count, with: buffer)
        }
    }

    static func write(_ node: any Inode, _ bytes: [UInt8], at offset: Int64) async throws {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: bytes.count, alignment: 1)
        defer { b.deallocate() }
        b.copyBytes(from: bytes)
        _ = try await node.write(at: offset, from: UnsafeRawBufferPointer(b), append: false)
    }

    /// `count` bytes at `offset` through `read` (the bytes it returned).
    static func read(_ count: Int, _ read: (UnsafeMutableRawBufferPointer) async throws -> Int) async throws -> [UInt8] {
        let b = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 1)
        defer { b.deallocate() }
        let n = try await read(b)
        return Array(b[0..<n])
    }

    static func page(_ cache: DiskPageCache, _ index: Int64) async -> UnsafeMutableRawPointer? {
        if case .page(let p) = cache.mapPage(at: index) { return p }
        guard await cache.readIn(at: index) == .ready, case .page(let p) = cache.mapPage(at: index) else { return nil }
        return p
    }

    @Test func readInDirtyWritebackOrder() async throws {
        let file = RecordingFile((0..<(3 * pageSize + 100)).map { UInt8(truncatingIfNeeded: $0 % 251) })
        let cache = DiskPageCache(file: file, owner: ObjectIdentifier(file))
        _ = try cache.mappingAdded(sharedWritable: true, writing: true)
        #expect(cache.mapPage(at: 1) == .notCached)
        #expect(cache.mapPage(at: 4) == .beyondEnd)
        #expect(await cache.readIn(at: 4) == .beyondEnd)
        let p3 = try #require(await Self.page(cache, 3))
        #expect(p3.load(fromByteOffset: 99, as: UInt8.self) == file.bytes[3 * pageSize + 99])
        #expect(p3.load(fromByteOffset: 100, as: UInt8.self) == 0)              // past EOF: zeros
        let p0 = try #require(await Self.page(cache, 0))
        let p2 = try #require(await Self.page(cache, 2))
        p3.storeBytes(of: 7, toByteOffset: 0, as: UInt8.self)
        p3.storeBytes(of: 9, toByteOffset: 200, as: UInt8.self)                // past EOF: never written
        p0.storeBytes(of: 5, toByteOffset: 1, as: UInt8.self)
        cache.pageDirtied(at: 3)
        cache.pageDirtied(at: 0)
        #expect(cache.pageStates.map { $0.index } == [0, 2, 3])
        #expect(cache.pageStates.map { $0.dirty } == [true, false, true])
        #expect(cache.counts == (cached: 3, dirty: 2))
        try await cache.writeBack()
        #expect(file.writes == [0, Int64(3 * pageSize)])                      // in file order, dirty only
        #expect(file.bytes.count == 3 * pageSize + 100)
        #expect(file.bytes[1] == 5 && file.bytes[3 * pageSize] == 7)
        #expect(cache.counts == (cached: 3, dirty: 0))
        // write(2) and read(2) around the cache
        var buffer = [UInt8](repeating: 0, count: 4)
        file.bytes[2 * pageSize] = 1                                          // the fs wrote it...
        [UInt8(42)].withUnsafeBytes { cache.absorb(at: Int64(2 * pageSize), from: $0) }
        #expect(p2.load(as: UInt8.self) == 42)                               // ...and the page took it
        p2.storeBytes(of: 43, toByteOffset: 1, as: UInt8.self)
        buffer.withUnsafeMutableBytes { cache.overlay(at: Int64(2 * pageSize), into: $0, count: 2) }
        #expect(buffer[0] == 42 && buffer[1] == 43)
        file.writes = []
        try await cache.writeBack()
        #expect(file.writes == [Int64(2 * pageSize)])                         // absorb dirtied it
        _ = p0
    }

    @Test func truncateAndEviction() async throws {
        let file = RecordingFile([UInt8](repeating: 1, count: 4 * pageSize))
        let cache = DiskPageCache(file: file, owner: ObjectIdentifier(file))
        _ = try cache.mappingAdded(sharedWritable: true, writing: true)
        for i: Int64 in [2, 0, 3, 1] { _ = await Self.page(cache, i) }        // mapped in this order
        cache.pageDirtied(at: 2)
        // eviction: clean pages, least recently mapped first; the dirty one stays
        #expect(cache.reclaim(pages: 2) == 2)
        #expect(cache.pageStates.map { $0.index } == [1, 2])
        #expect(cache.reclaim(pages: 5) == 1)
        #expect(cache.pageStates.map { $0.index } == [2])
        // truncation: pages wholly past the new end go, the partial page's tail reads zeros
        let p1 = try #require(await Self.page(cache, 1))
        cache.sizeChanging(from: Int64(4 * pageSize), to: Int64(pageSize + 50))
        file.bytes.removeSubrange((pageSize + 50)...)
        #expect(cache.pageStates.map { $0.index } == [1])
        #expect(p1.load(fromByteOffset: 49, as: UInt8.self) == 1 && p1.load(fromByteOffset: 50, as: UInt8.self) == 0)
        #expect(cache.mapPage(at: 2) == .beyondEnd)
        // the last mapping gone: clean pages stay (the next exec finds them), reclaimable, and
        // the file is no longer held
        cache.mappingRemoved(sharedWritable: true)
        #expect(cache.counts.cached == 1)
        #expect(cache.state.withLock { $0.pinned == nil && $0.registered })
        #expect(cache.reclaim(pages: 5) == 1)
        #expect(cache.counts.cached == 0)
        #expect(cache.state.withLock { !$0.registered })
    }

    /// ext4 and FAT: what a mapping stored reaches the filesystem through writeback (and sync).
    static func roundTrip(_ node: any Inode, sync: () async throws -> Void) async throws {
        let data = (0..<(2 * pageSize + 10)).map { UInt8(truncatingIfNeeded: $0 % 253) }
        try await write(node, data, at: 0)
        let cache = try #require(node.pageCache as? DiskPageCache)
        _ = try cache.mappingAdded(sharedWritable: true, writing: true)
        let p0 = try #require(await Self.page(cache, 0))
        let p2 = try #require(await Self.page(cache, 2))
        #expect(p2.load(fromByteOffset: 9, as: UInt8.self) == data[2 * pageSize + 9] && p2.load(fromByteOffset: 10, as: UInt8.self) == 0)
        p0.storeBytes(of: 0xEE, toByteOffset: 3, as: UInt8.self)
        p2.storeBytes(of: 0xDD, toByteOffset: 100, as: UInt8.self)            // past EOF
        cache.pageDirtied(at: 0)
        cache.pageDirtied(at: 2)
        let byte = try await read(1) { try await node.read(at: 3, into: $0) }
        #expect(byte == [0xEE])                                             // read sees the store
        try await write(node, [0x77], at: 4)
        #expect(p0.load(fromByteOffset: 4, as: UInt8.self) == 0x77)         // the mapping sees the write
        try await sync()
        #expect(cache.counts.dirty == 0)
        #expect(node.metadata.size == Int64(2 * pageSize + 10))
        let uncached = try #require(node as? any DiskCachedFile)
        let back = try await read(2 * pageSize + 100) { try await uncached.readUncached(at: 0, into: $0) }
        #expect(back.count == 2 * pageSize + 10)
        #expect(back[3] == 0xEE && back[4] == 0x77 && back[5] == data[5] && back[2 * pageSize + 9] == data[2 * pageSize + 9])
        // truncation through setattr drops the page past the end
        try await node.truncate(to: Int64(pageSize))
        #expect(cache.pageStates.map { $0.index } == [0])
        #expect(cache.mapPage(at: 1) == .beyondEnd)
        cache.mappingRemoved(sharedWritable: true)
        #expect(cache.counts.cached == 1)                                    // kept for the next mapping
        #expect(cache.reclaim(pages: 1) == 1)
        #expect(cache.counts.cached == 0)
    }

    @Test(arguments: ["ext4-nj.img", "ext4-nj-1k.img"]) func ext4(image: String) async throws {
        let h = try await Ext4WriteHarness(image: image)
        let node = try await h.fs.root.create(Array("mapped".utf8), mode: 0o644, owner: .root)
        try await Self.roundTrip(node) { try await h.fs.sync() }
    }

    @Test func fat() async throws {
        let store = try FatImages.store("fat16.img")
        let fs = try await FatImages.mount(store)
        let node = try await fs.root.create(Array("MAPPED.BIN".utf8), mode: 0o644, owner: .root)
        try await Self.roundTrip(node) { try await fs.sync() }
        // after unmount and a new mount, the data is on the volume
        try await fs.unmount()
        let again = try await FatImages.mount(store)
        let file = try await FatImages.resolve(again, "MAPPED.BIN")
        let back = try await Self.read(8) { try await file.read(at: 0, into: $0) }
        #expect(back[3] == 0xEE && back[4] == 0x77)
    }
}

extension FilePageLookup: Equatable {
    public static func == (a: FilePageLookup, b: FilePageLookup) -> Bool {
        switch (a, b) {
        case (.page(let x), .page(let y)): return x == y
        case (.beyondEnd, .beyondEnd), (.noSpace, .noSpace), (.outOfMemory, .outOfMemory), (.notCached, .notCached): return true
        default: return false
        }
    }
}
