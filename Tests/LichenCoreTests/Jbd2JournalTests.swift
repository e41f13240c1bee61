import Foundation
import Testing
@testable import LichenCore

/// A store that remembers, at every barrier, what a crash could leave: the durable image before
/// the barrier, and everything written so far (the cache may have written anything back).
final class CrashRecordingStore: BlockStore, @unchecked Sendable {
    let inner: MemoryBlockStore
    var crashImages: [[UInt8]] = []
    init(_ image: [UInt8], blockSize: Int) { inner = MemoryBlockStore(image, blockSize: blockSize) }
    var blockSize: Int { inner.blockSize }
    var blockCount: UInt64 { inner.blockCount }
    func block(_ number: UInt64) async throws(Errno) -> [UInt8] { try await inner.block(number) }
    func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) { try await inner.write(number, data) }
    func sync() async throws(Errno) {
        crashImages.append(inner.durable)
        crashImages.append(inner.image)
        try await inner.sync()
    }
}

@Suite struct Jbd2JournalTests {
    /// The commit writer, checked by crashing at every barrier: after recovery (Lichen's and
    /// e2fsck's), each block holds what some prefix of the committed transactions gave it.
    @Test(arguments: ["empty-ext4-4096", "empty-ext4-1024", "empty-ext3-4096"])
    func crashAtEveryBarrier(_ name: String) async throws {
        let image = try Jbd2Images.file(name + ".img")
        let sb = try Jbd2Images.superblock(image)
        let bs = sb.blockSize
        let store = CrashRecordingStore(image, blockSize: bs)
        let log = try await Ext4Journal.log(sb, source: store) { _ in }
        let journal = try await Jbd2Journal.open(store: store, log: log) { _ in }
        try await Ext4Journal.setNeedsRecovery(true, store: store)
        // Free blocks of the 16 MiB images: transactions of up to 70 blocks, each home block
        // several times; some start with the jbd2 magic (escaped); one is revoked and reused
        // as data. The log (1024 blocks) wraps and is checkpointed several times.
        let base: UInt64 = bs == 1024 ? 12000 : 3000
        var states: [[UInt64: [UInt8]]] = [[:]]          // home contents after each transaction
        var rng = SplitMix64(state: 42)
        let freed = base + 200
        for t in 0..<24 {
            var blocks: [(home: UInt64, data: [UInt8])] = []
            var state = states.last!
            var revokes: [UInt64] = []
            let count = 1 + Int(rng.next() % 70)
            var homes = Set<UInt64>()
            while homes.count < count { homes.insert(base + rng.next() % 120) }
            if t == 3 { homes.insert(freed) }
            if t == 9 {
                homes.remove(freed)
                revokes = [freed]
            }
            for home in homes.sorted() {
                var data = (0..<bs).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
                if rng.next() % 5 == 0 { Jbd2BE.put32(&data, 0, Jbd2Header.magic) }
                blocks.append((home, data))
                state[home] = data
            }
            if t == 9 {
                // Freed and reused as file data (written home, not journaled) before the commit.
                let data = [UInt8](repeating: 0xda, count: bs)
                try await store.write(freed, data)
                state[freed] = data
            }
            try await journal.commit(blocks, revokes: revokes, seconds: 1_700_000_000 + UInt64(t), nanoseconds: 0)
            states.append(state)
        }
        try await journal.close()
        try await Ext4Journal.setNeedsRecovery(false, store: store)
        let crashes = store.crashImages + [store.inner.durable]
        #expect(crashes.count > 100)
        func matchesSomePrefix(_ img: [UInt8]) -> Int? {
            states.indices.reversed().first { k in
                states.last!.keys.allSatisfy { home in
                    let actual = Array(img[Int(home) * bs..<(Int(home) + 1) * bs])
                    return actual == (states[k][home] ?? Array(image[Int(home) * bs..<(Int(home) + 1) * bs]))
                }
            }
        }
        var lastPrefix = 0
        for (i, crash) in crashes.enumerated() {
            let (recovered, _, _) = try await Jbd2Images.recover(crash)
            let prefix = matchesSomePrefix(recovered.image)
            #expect(prefix != nil, "\(name): crash point \(i): Lichen's replay is no prefix of the transactions")
            if let prefix {
                #expect(prefix >= lastPrefix - 1, "\(name): crash point \(i) lost committed transactions")
                lastPrefix = max(lastPrefix, prefix)
            }
            // e2fsck replays the same crash to the same blocks, and finds the result clean.
            if i % 7 == 0 || i == crashes.count - 1 {
                var out = ""
                let (_, fixed) = Jbd2Images.e2fsprogs(["e2fsck", "-fy"], on: crash, output: &out)
                #expect(matchesSomePrefix(fixed) == prefix, "\(name): crash point \(i): e2fsck replayed differently: \(out)")
                let (clean, _) = Jbd2Images.e2fsprogs(["e2fsck", "-fn"], on: recovered.image, output: &out)
                #expect(clean == 0, "\(name): crash point \(i): e2fsck -fn after Lichen's replay: \(out)")
            }
        }
        #expect(lastPrefix == states.count - 1)
    }

    @Test func refusals() async throws {
        let image = try Jbd2Images.file("empty-ext4-4096.img")
        let sb = try Jbd2Images.superblock(image)
        let store = MemoryBlockStore(image, blockSize: 4096)
        let log = try await Ext4Journal.log(sb, source: store) { _ in }
        let journal = try await Jbd2Journal.open(store: store, log: log) { _ in }
        let block = [UInt8](repeating: 1, count: 4096)
        await #expect(throws: Errno.EINVAL) { try await journal.commit([(3000, block)], revokes: [3000], seconds: 0, nanoseconds: 0) }
        await #expect(throws: Errno.EINVAL) { try await journal.commit([(3000, block), (3000, block)], seconds: 0, nanoseconds: 0) }
        await #expect(throws: Errno.EINVAL) { try await journal.commit([(3000, [1, 2])], seconds: 0, nanoseconds: 0) }
        let huge = (0..<1100).map { (UInt64(1000 + $0), block) }
        await #expect(throws: Errno.E2BIG) { try await journal.commit(huge, seconds: 0, nanoseconds: 0) }
        // A live journal cannot be opened again before recovery.
        await #expect(throws: Errno.EINVAL) { _ = try await Jbd2Journal.open(store: store, log: log) { _ in } }
    }
}

