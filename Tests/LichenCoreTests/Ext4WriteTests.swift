import Foundation
import Testing
@testable import LichenCore

/// ext4 written through the FileSystem/Inode API on journal-less images made by mke2fs, then
/// judged by the host's e2fsck -fn (clean) and debugfs (exact contents), and read back by
/// Lichen's read path.
@Suite struct Ext4WriteTests {
    static func random(_ count: Int, seed: UInt64) -> [UInt8] {
        var x = seed | 1
        return (0..<count).map { _ in
            x ^= x << 13; x ^= x >> 7; x ^= x << 17
            return UInt8(truncatingIfNeeded: x)
        }
    }

    @Test(arguments: ["ext4-nj.img", "ext4-nj-1k.img"]) func workload(image: String) async throws {
        try await Self.workload(image: image)
    }

    /// The workload on `image`, judged by e2fsprogs and the read path (also run on journaled images).
    static func workload(image: String) async throws {
        let h = try await Ext4WriteHarness(image: image)
        let bs = h.store.blockSize
        try await h.mkdir("w")
        try await h.mkdir("w/a")
        try await h.mkdir("w/a/b")
        try await h.mkdir("w/c")
        try await h.mkdir("w/many")
        for i in 0..<300 { try await h.write("w/many/file-\(i)", Array("content \(i)\n".utf8)) }
        for i in stride(from: 0, to: 300, by: 3) { try await h.unlink("w/many/file-\(i)") }
        // a large file in odd pieces, then overwritten in the middle and cut
        try await h.write("w/big", Self.random(3_000_000, seed: 1), chunk: 65_537)
        try await h.write("w/big", Self.random(10_000, seed: 2), at: 1_000_001)
        try await h.truncate("w/big", 1_500_123)
        // fragmented: one block in every other, more extents than a leaf holds on 1 KiB blocks
        for k in 0..<400 { try await h.write("w/frag", Self.random(bs, seed: UInt64(k + 10)), at: Int64(2 * k * bs)) }
        let frag = try await h.node("w/frag")
        #expect(frag.metadata.blocks >= Int64(400 * bs / 512))
        // fill some holes (merging extents), then cut most of it
        for k in 0..<50 { try await h.write("w/frag", Self.random(bs, seed: UInt64(k + 1000)), at: Int64((2 * k + 1) * bs)) }
        try await h.truncate("w/frag", 150 * bs + 77)
        // sparse
        try await h.write("w/sparse", Array("far away\n".utf8), at: 5 << 20)
        try await h.truncate("w/sparse", 8 << 20)
        try await h.write("w/sparse", Array("start".utf8))
        // links and symlinks
        try await h.link("w/a/hard", to: "w/big")
        try await h.symlink("w/fast", "a/b/../hard")
        try await h.symlink("w/slow", String(repeating: "long/", count: 30) + "end")
        // renames: within a directory, across, over a file, a directory across parents, over an empty directory
        try await h.rename("w/many/file-1", "w/many/renamed-1")
        try await h.rename("w/many/file-2", "w/a/moved-2")
        try await h.rename("w/many/file-4", "w/many/file-5")
        try await h.mkdir("w/c/empty")
        try await h.rename("w/a/b", "w/c/b")
        try await h.mkdir("w/a/d")
        try await h.rename("w/c/empty", "w/a/d")
        try await h.rmdir("w/a/d")
        // special files, attributes
        _ = try await h.fs.root.lookup(Array("w".utf8)).mknod(Array("fifo".utf8), mode: FileMode.S_IFIFO | 0o600,
                                                               device: .none, owner: .root)
        let small = try await h.node("w/many/renamed-1")
        try await small.setattr(AttributeChanges(mode: 0o600, uid: 1000, gid: 100,
                                                 mtime: .time(Timespec(seconds: 1_600_000_000, nanoseconds: 987_654_321))))
        #expect(small.metadata.mode == FileMode.S_IFREG | 0o600 && small.metadata.uid == 1000)
        #expect(small.metadata.mtime == Timespec(seconds: 1_600_000_000, nanoseconds: 987_654_321))
        // the image's own files: appended to, and the indexed directory changed through its index
        h.expected["multi"] = .file(try Ext4Images.tree("multi"))
        try await h.write("multi", Array("appended".utf8), at: 100_000)
        for i in 0..<20 { try await h.unlink("bigdir/entry-\(String(format: "%04d", i))") }
        try await h.write("bigdir/new-entry", Array("new\n".utf8))
        // an unlinked file still open is freed when its last user lets go
        try await h.write("w/open", Self.random(50_000, seed: 99))
        var held: (any Inode)? = try await h.node("w/open")
        try await h.unlink("w/open")
        let n = try await held!.write(at: 50_000, from: UnsafeRawBufferPointer(start: nil, count: 0), append: false)
        #expect(n.count == 0)
        #expect(try await Ext4Images.contents(held!).count == 50_000)
        held = nil
        // statfs follows the writes
        #expect(h.fs.statistics.freeBlocks < (try await Ext4Images.mount(try Ext4Images.image(image))).statistics.freeBlocks)

        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
        try await h.checkReadBack(saved)
        let dump = Ext4WriteHarness.run("debugfs", ["-R", "cat /bigdir/new-entry", saved])
        #expect(dump.output.hasSuffix("new\n"), "\(dump.output)")
    }

    @Test func deleteEverythingGivesTheSpaceBack() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-nj.img")
        let before = h.fs.statistics
        try await h.mkdir("w")
        try await h.write("w/big", Self.random(2_000_000, seed: 5), chunk: 100_000)
        for k in 0..<30 { try await h.write("w/frag", [UInt8(k)], at: Int64(k * 8192)) }
        try await h.symlink("w/slow", String(repeating: "x", count: 200))
        try await h.unlink("w/big")
        try await h.unlink("w/frag")
        try await h.unlink("w/slow")
        try await h.rmdir("w")
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        #expect(h.fs.statistics.freeBlocks == before.freeBlocks && h.fs.statistics.freeInodes == before.freeInodes)
        try h.checkWithE2fsprogs(saved)
    }

    @Test func errorsLikeLinux() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-nj.img")
        let root = h.fs.root
        try await h.mkdir("w")
        try await h.mkdir("w/d")
        try await h.write("w/d/f", [1, 2, 3])
        let w = try await h.node("w")
        await #expect(throws: Errno.EEXIST) { _ = try await w.mkdir(Array("d".utf8), mode: 0o755, owner: .root) }
        await #expect(throws: Errno.ENOTEMPTY) { try await w.rmdir(Array("d".utf8)) }
        await #expect(throws: Errno.EISDIR) { try await w.unlink(Array("d".utf8)) }
        await #expect(throws: Errno.ENOENT) { try await w.unlink(Array("nothing".utf8)) }
        let d = try await h.node("w/d")
        await #expect(throws: Errno.ENOTDIR) { try await d.rmdir(Array("f".utf8)) }
        await #expect(throws: Errno.EINVAL) { try await root.rename(Array("w".utf8), to: d, as: Array("loop".utf8), flags: []) }
        await #expect(throws: Errno.EEXIST) {
            try await w.rename(Array("d".utf8), to: d, as: Array("f".utf8), flags: .noReplace)
        }
        await #expect(throws: Errno.EINVAL) { try await w.rename(Array("d".utf8), to: w, as: Array("e".utf8), flags: .exchange) }
        let f = try await h.node("w/d/f")
        await #expect(throws: Errno.EOPNOTSUPP) {         // no handler stores other system.* names
            try await (f as! Ext4Node).setXattr(Array("system.x".utf8), value: [1], flags: [])
        }
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }
}

extension Ext4WriteTests {
    /// 400 one-block extents on 1 KiB blocks: 5 leaves of 84 under an index block (depth 2).
    @Test func deepExtentTree() async throws {
        let h = try await Ext4WriteHarness(image: "ext4-nj-1k.img")
        try await h.mkdir("w")
        for k in 0..<400 { try await h.write("w/deep", Self.random(1024, seed: UInt64(k)), at: Int64(2 * k * 1024)) }
        let deep = try await h.node("w/deep") as! Ext4Node
        #expect(deep.raw.blockArea[6] == 2)              // eh_depth of the root
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
        try await h.checkReadBack(saved)
    }
}
