import Testing
@testable import LichenCore

/// A commit that fails with an I/O error aborts the journal, as Linux's jbd2 (and ext4's
/// errors=remount-ro): the abort handler runs once, later changes are EROFS, readers still see
/// what the operations did, nothing more is logged, and the log keeps what was committed.
@Suite struct Jbd2AbortTests {
    /// The image's store, whose writes fail with EIO while `failing` is set.
    final class FailingStore: BlockStore, @unchecked Sendable {
        let base: MemoryBlockStore
        var failing = false
        var writesWhileFailing = 0
        init(_ base: MemoryBlockStore) { self.base = base }
        var blockSize: Int { base.blockSize }
        var blockCount: UInt64 { base.blockCount }
        func block(_ number: UInt64) async throws(Errno) -> [UInt8] { try await base.block(number) }
        func write(_ number: UInt64, _ data: [UInt8]) async throws(Errno) {
            if failing { writesWhileFailing += 1; throw .EIO }
            try await base.write(number, data)
        }
        func sync() async throws(Errno) {
            if failing { throw .EIO }
            try await base.sync()
        }
    }

    @Test func failedCommitAbortsTheJournal() async throws {
        var failing: FailingStore? = nil
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img") { store in
            let f = FailingStore(store)
            failing = f
            return f
        }
        let store = try #require(failing)
        let aborts = SpinLock(0)
        h.fs.onJournalAbort { aborts.withLock { $0 += 1 } }
        try await h.write("kept", [1, 2, 3])
        try await h.fs.sync(file: try await h.node("kept"))                  // committed before the failure
        try await h.write("lost", [4, 5, 6])
        store.failing = true
        await #expect(throws: Errno.EIO) { try await h.fs.sync(file: try await h.node("lost")) }
        #expect(h.fs.isJournalAborted)
        #expect(aborts.withLock { $0 } == 1)
        // read-only from now on; readers keep the newest images
        await #expect(throws: Errno.EROFS) { try await h.write("after", [7]) }
        await #expect(throws: Errno.EROFS) { _ = try await h.fs.root.mkdir(Array("d".utf8), mode: 0o755, owner: .root) }
        #expect(try await Ext4Images.contents(try await h.node("lost")) == [4, 5, 6])
        // an fsync cannot make the lost changes durable; the timer does not try again
        await #expect(throws: Errno.EIO) { try await h.fs.sync(file: try await h.node("lost")) }
        store.failing = false
        let log = try await Jbd2BatchTests.journalImage(h)
        try await h.fs.commitIfDue()
        #expect(aborts.withLock { $0 } == 1)
        // unmount logs nothing more: the log stays for e2fsck or the next mount's replay (the data
        // the lost file wrote into blocks its uncommitted transaction allocated may reach them:
        // free blocks as far as the disk's metadata knows)
        try await h.fs.unmount()
        #expect(try await Jbd2BatchTests.journalImage(h) == log)
        #expect(try await Jbd2BatchTests.afterCrash(h, "kept") == [1, 2, 3])
        #expect(try await Jbd2BatchTests.afterCrash(h, "lost") == nil)
    }
}
