import Foundation
import Testing
@testable import LichenCore

/// The running transaction (Jbd2Transaction) and ext4's batched commits (Ext4JournalCommitter):
/// many operations in one transaction, a block changed twice logged once, freed blocks kept
/// from reuse until their transaction commits and revoked when logged before, a commit while
/// operations change the same blocks, fsync committing only what it must.
@Suite struct Jbd2BatchTests {
    static func block(_ byte: UInt8) -> [UInt8] { [UInt8](repeating: byte, count: 16) }

    @Test func blockChangedTwiceIsKeptOnceWithItsLatestImage() {
        var t = Jbd2Transaction()
        #expect(t.isEmpty)
        t.put(30, Self.block(1))
        t.put(10, Self.block(2))
        t.put(30, Self.block(3))
        #expect(t.homes == [10, 30])
        #expect(t.image(30) == Self.block(3))
        #expect(t.blocks.map(\.home) == [10, 30])
        #expect(t.newHomes([10, 20, 30, 40]) == 2)
    }

    @Test func freeingForgetsLoggedBlocksAndMergesRanges() {
        var t = Jbd2Transaction()
        for home: UInt64 in [5, 10, 11, 12, 20] { t.put(home, Self.block(UInt8(home))) }
        t.free(10, count: 2)
        #expect(t.homes == [5, 12, 20])
        t.free(12, count: 1)                  // touches 10..<12: one range
        t.free(30, count: 5)
        t.free(8, count: 2)                   // touches 10: one range 8..<13
        #expect(t.freed.map(\.start) == [8, 30])
        #expect(t.freed.map(\.count) == [5, 5])
        #expect(t.homes == [5, 20])
        #expect(t.isFreed(8) && t.isFreed(12) && t.isFreed(34))
        #expect(!t.isFreed(7) && !t.isFreed(13) && !t.isFreed(35) && !t.isFreed(0))
    }

    @Test func ownersAndMergeOverAnOlderTransaction() {
        var older = Jbd2Transaction()
        older.put(1, Self.block(1))
        older.put(2, Self.block(2))
        older.own(12)
        var newer = Jbd2Transaction()
        newer.put(2, Self.block(9))
        newer.free(1, count: 1)
        newer.own(13)
        newer.own(11)
        #expect(newer.owners == [11, 13] && newer.owns(13) && !newer.owns(12))
        let merged = newer.over(older)
        #expect(merged.homes == [2] && merged.image(2) == Self.block(9))
        #expect(merged.isFreed(1) && merged.owners == [11, 12, 13])
    }

    static func committer(_ h: Ext4WriteHarness) -> Ext4JournalCommitter {
        h.fs.volume.writer!.committer as! Ext4JournalCommitter
    }

    /// What a crash now would leave, replayed: the file's contents, or nil if it is not there.
    static func afterCrash(_ h: Ext4WriteHarness, _ path: String) async throws -> [UInt8]? {
        let (replayed, _, _) = try await Jbd2Images.recover(h.store.durable)
        let fs = try await Ext4Images.mount(replayed.image)
        return try? await Ext4Images.contents(try await Ext4Images.resolve(fs, path))
    }

    @Test func manyOperationsOneTransactionAndFsyncWithNothingPending() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        let c = Self.committer(h)
        let syncs = h.store.syncs
        try await h.mkdir("d")
        for i in 0..<20 { try await h.write("d/f\(i)", Ext4WriteTests.random(700 + i, seed: UInt64(i))) }
        try await h.write("g", [1, 2, 3])
        #expect(c.commits == 0 && h.store.syncs == syncs, "operations do not wait for a commit")
        #expect(try await Self.afterCrash(h, "d/f3") == nil)
        // fsync of a file the running transaction holds: one commit with all 22 operations
        try await h.fs.sync(file: try await h.node("d/f3"))
        #expect(c.commits == 1)
        #expect(try await Self.afterCrash(h, "d/f3") == Ext4WriteTests.random(703, seed: 3))
        #expect(try await Self.afterCrash(h, "g") == [1, 2, 3])
        // nothing pending: no commit, no journal write (one barrier for the data, as Linux's flush)
        let journalBlocks = try await Self.journalImage(h)
        try await h.fs.sync(file: try await h.node("d/f3"))
        try await h.fs.sync(file: try await h.node("g"))
        #expect(c.commits == 1)
        #expect(try await Self.journalImage(h) == journalBlocks)
        // pending changes of another file: an fsync of this one commits nothing either
        try await h.write("d/f4", [7], at: 3)
        try await h.fs.sync(file: try await h.node("g"))
        #expect(c.commits == 1)
        try await h.fs.sync(file: try await h.node("d/f4"))
        #expect(c.commits == 2)
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }

    static func journalImage(_ h: Ext4WriteHarness) async throws -> [UInt8] {
        var reason = ""
        let sb = try Ext4Superblock.parse(Array(h.store.image[1024..<2048]), pageSize: 4096, reason: &reason)
        let log = try await Ext4Journal.log(sb, source: h.store) { _ in }
        var out: [UInt8] = []
        for i in 0..<log.length { out += try await h.store.block(try log.device(i)) }
        return out
    }

    @Test func freedBlocksWaitForTheirCommitAndAreRevoked() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        let c = Self.committer(h)
        try await h.mkdir("d")
        try await h.write("d/f", [1])
        let dirBlock = try await (h.node("d") as! Ext4Node).firstBlock()
        try await h.fs.sync(file: try await h.node("d/f"))      // logs the directory block
        do {
            let (dir, name) = try await h.parent("d/f")
            try await dir.unlink(name)
        }
        try await h.fs.root.rmdir(Array("d".utf8))
        h.expected["d"] = nil
        h.expected["d/f"] = nil
        try await h.write("x", [1])           // a removed directory cached while in use is freed by the next change
        #expect(c.isFreeing(dirBlock), "freed in the running transaction")
        // not reused before the commit that frees it
        try await h.write("e", Ext4WriteTests.random(40_000, seed: 5))
        let eBlocks = try await (h.node("e") as! Ext4Node).dataBlocks()
        #expect(!eBlocks.contains(dirBlock))
        try await h.fs.sync(file: try await h.node("e"))
        #expect(!c.isFreeing(dirBlock))
        let (_, lines, _) = try await Jbd2Images.recover(h.store.durable)
        #expect(lines.contains { $0.contains("recovery complete") && !$0.contains(" 0 revoked") }, "\(lines)")
        // reused as file data now: a replay must not write the old directory block over it
        try await h.write("r", Ext4WriteTests.random(300_000, seed: 6))
        try await h.fs.sync(file: try await h.node("r"))
        #expect(try await (h.node("r") as! Ext4Node).dataBlocks().contains(dirBlock), "the test reuses the freed block")
        #expect(try await Self.afterCrash(h, "r") == Ext4WriteTests.random(300_000, seed: 6))
    }

    @Test func runningTransactionIsCommittedAtAQuarterOfTheLog() async throws {
        // ext4-j.img: a 1024-block log, 256 blocks a transaction; each directory takes a new block
        let h = try await Ext4WriteHarness(image: "ext4-j.img")
        let c = Self.committer(h)
        try await h.mkdir("m")
        var i = 0
        while c.commits == 0 && i < 1000 {
            try await h.mkdir("m/\(i)")
            i += 1
        }
        #expect(c.commits == 1, "committed without fsync after \(i) directories")
        #expect(i > 150 && i < 260, "\(i) directories")
        let (replayed, _, _) = try await Jbd2Images.recover(h.store.durable)
        let fs = try await Ext4Images.mount(replayed.image)
        #expect(try await Ext4Images.resolve(fs, "m/\(i - 1)").metadata.isDirectory)
        try await h.fs.sync()
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }

    @Test func commitIntervalCountsFromTheFirstChange() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        let c = Self.committer(h)
        try await h.fs.commitIfDue()
        #expect(c.commits == 0, "nothing to commit")
        try await h.write("f", [1, 2])
        h.fs.commitInterval = 1000
        try await h.fs.commitIfDue()
        #expect(c.commits == 0)
        h.fs.commitInterval = 1                 // the test clock moves a second per reading
        try await h.fs.commitIfDue()
        #expect(c.commits == 1)
        #expect(try await Self.afterCrash(h, "f") == [1, 2])
    }

    /// Unlink frees the inode in the same transaction: a crash after the directory's fsync finds
    /// neither the name nor an unlinked, still allocated inode.
    @Test func unlinkedInodeIsFreedInTheSameTransaction() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        try await h.write("f", Ext4WriteTests.random(20_000, seed: 9))
        try await h.fs.sync(file: try await h.node("f"))
        try await h.fs.root.unlink(Array("f".utf8))
        h.expected["f"] = nil
        try await h.fs.sync(file: h.fs.root)
        let (replayed, _, _) = try await Jbd2Images.recover(h.store.durable)
        var output = ""
        let (status, _) = Jbd2Images.e2fsprogs(["e2fsck", "-fn"], on: replayed.image, output: &output)
        #expect(status == 0, "\(output)")
    }

    @Test func commitOption() {
        func parse(_ s: String) -> Int64? { Ext4FileSystem.commitInterval(Array(s.utf8)) }
        #expect(parse("") == nil && parse("noatime,ro") == nil)
        #expect(parse("commit=30") == 30 && parse("ro,commit=1,noatime") == 1)
        #expect(parse("commit=0") == 5, "0 is the default")
        #expect(parse("commit=8589934") == 8_589_934 && parse("commit=8589935") == -1)
        #expect(parse("commit=") == -1 && parse("commit=x") == -1 && parse("commit=-1") == -1)
        #expect(parse("commit=5,commit=7") == 7, "the last one counts")
    }

    @Test func procMountsShowsOnlyANonDefaultInterval() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        #expect(h.fs.fileSystemOptions == "")
        h.fs.commitInterval = 30
        #expect(h.fs.fileSystemOptions == "commit=30")
    }

    /// A store whose barriers can be held: a commit stops at its first barrier while the test
    /// changes the blocks it is writing.
    final class GatedStore: BlockStore, @unchecked Sendable {
        let inner: MemoryBlockStore
        var armed = false
        var waiting: CheckedContinuation<Void, Never>?
        init(_ inner: MemoryBlockStore) { self.inner = inner }
        var blockSize: Int { inner.blockSize }
        var blockCount: UInt64 { inner.blockCount }
        func block(_ number: UInt64) async throws(Errno) -> [UInt8] { try await inner.block(number) }
        func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) { try await inner.write(number, data) }
        func sync() async throws(Errno) {
            if armed {
                armed = false
                await withCheckedContinuation { waiting = $0 }
            }
            try await inner.sync()
        }
    }

    @Test func commitWhileOperationsChangeItsBlocks() async throws {
        var gate: GatedStore?
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img") { store in
            let g = GatedStore(store)
            gate = g
            return g
        }
        let g = gate!
        let c = Self.committer(h)
        try await h.mkdir("d")
        try await h.write("d/a", [1])
        g.armed = true
        let a = try await h.node("d/a")
        let fs = h.fs
        let fsync = Task { try await fs.sync(file: a) }
        while g.waiting == nil { await Task.yield() }
        // the commit of {d, d/a} is under way: change its directory and inode blocks meanwhile
        try await h.write("d/b", [2])
        try await h.write("d/a", [3], at: 1)
        #expect(try await Ext4Images.contents(try await h.node("d/b")) == [2], "readers see the newest blocks")
        g.waiting!.resume()
        try await fsync.value
        #expect(c.commits == 1)
        // the commit wrote the blocks as they were when it began
        #expect(try await Self.afterCrash(h, "d/a") == [1])
        #expect(try await Self.afterCrash(h, "d/b") == nil)
        try await h.fs.sync(file: try await h.node("d/b"))
        #expect(c.commits == 2)
        #expect(try await Self.afterCrash(h, "d/a") == [1, 3])
        #expect(try await Self.afterCrash(h, "d/b") == [2])
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }
}

extension Ext4Node {
    /// The physical blocks of the file's data, in order (host tests).
    func dataBlocks() async throws(Errno) -> [UInt64] {
        let raw = self.raw
        let map = Ext4BlockMap(volume: volume, ino: ino, raw: raw)
        let bs = Int64(volume.sb.blockSize)
        var out: [UInt64] = []
        for l in 0..<UInt32((raw.size + bs - 1) / bs) { if let p = try await map.physical(l) { out.append(p) } }
        return out
    }

    func firstBlock() async throws(Errno) -> UInt64 { try await dataBlocks()[0] }
}
