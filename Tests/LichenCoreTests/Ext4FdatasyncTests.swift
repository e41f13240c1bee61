import Testing
@testable import LichenCore

/// fdatasync (and msync, which is one) commits the journal only for what the file's data needs:
/// its creation, a size or block change; not an overwrite that changed timestamps alone (Linux's
/// i_datasync_tid). The overwritten data is durable all the same (written, then the barrier).
@Suite struct Ext4FdatasyncTests {
    @Test func timestampsAloneAreNotCommitted() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-j-1k.img")
        let c = Jbd2BatchTests.committer(h)
        var data = Ext4WriteTests.random(10_000, seed: 3)
        try await h.write("f", data)
        let node = try await h.node("f")
        try await h.fs.sync(file: node, dataOnly: true)                     // a new file: committed
        let afterCreate = c.commits
        #expect(afterCreate >= 1)
        #expect(try await Jbd2BatchTests.afterCrash(h, "f") == data)

        try await h.write("f", [9, 9, 9], at: 100)                            // in place: mtime and ctime only
        data.replaceSubrange(100..<103, with: [9, 9, 9])
        try await h.fs.sync(file: node, dataOnly: true)
        #expect(c.commits == afterCreate, "fdatasync committed a timestamp-only change")
        #expect(try await Jbd2BatchTests.afterCrash(h, "f") == data, "the overwrite is durable without a commit")
        try await h.fs.sync(file: node, dataOnly: false)                     // fsync commits the timestamps
        #expect(c.commits == afterCreate + 1)

        try await h.write("f", [1, 2], at: 10_000)                            // the size changes
        data += [1, 2]
        try await h.fs.sync(file: node, dataOnly: true)
        #expect(c.commits == afterCreate + 2)
        #expect(try await Jbd2BatchTests.afterCrash(h, "f") == data)
    }
}
