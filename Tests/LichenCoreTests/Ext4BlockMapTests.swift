import Foundation
import Testing
@testable import LichenCore

/// Block-mapped files written (ext2, ext3 with its journal, ext2 given the extents feature):
/// the write workload, the indirect levels, the size limit, freeing; judged by e2fsck -fn,
/// debugfs and Lichen's read path.
@Suite struct Ext4BlockMapTests {
    @Test(arguments: ["ext2.img", "ext2-1k.img", "ext3.img", "ext3-1k.img", "ext2-extents.img"])
    func workload(image: String) async throws {
        try await Ext4WriteTests.workload(image: image)
    }

    @Test func ext2AndExt3AreWritable() throws {
        for name in ["ext2.img", "ext2-1k.img", "ext3.img", "ext2-extents.img"] {
            let bytes = try Ext4Images.image(name)
            var reason = ""
            let sb = try Ext4Superblock.parse(Array(bytes[1024..<2048]), pageSize: 4096, reason: &reason)
            #expect(Ext4FileSystem.writableRefusal(sb) == nil, "\(name)")
        }
    }

    /// On 1 KiB blocks: direct (0-11), single (12-267), double (268-65803), triple indirect
    /// (65804 on) blocks; a cut into the double range frees the triple tree, a cut to zero all.
    @Test(arguments: ["ext2-1k.img", "ext3-1k.img"]) func everyIndirectLevel(image: String) async throws {
        let h = try await Ext4WriteHarness(image: image)
        let before = h.fs.statistics.freeBlocks
        try await h.mkdir("w")
        for (k, block) in [0, 11, 12, 267, 268, 300, 65_803, 65_804, 70_000].enumerated() {
            try await h.write("w/levels", Ext4WriteTests.random(1500, seed: UInt64(k + 1)), at: Int64(block) * 1024 + 100)
        }
        do {
            let levels = try await h.node("w/levels") as! Ext4Node
            #expect(levels.raw.blockArea.get32(14 * 4) != 0)            // a triple indirect block
            #expect(levels.raw.flags & Ext4RawInode.flagExtents == 0)
        }
        // (past Ext4Images.contents' 64 MiB: debugfs rdump compares the contents)
        var saved = try await h.saveImage()
        try h.checkWithE2fsprogs(saved)
        try? FileManager.default.removeItem(atPath: saved)

        try await h.truncate("w/levels", 300 * 1024 + 5)
        do {
            let cut = try await h.node("w/levels") as! Ext4Node
            #expect(cut.raw.blockArea.get32(14 * 4) == 0 && cut.raw.blockArea.get32(13 * 4) != 0)
        }
        saved = try await h.saveImage()
        try h.checkWithE2fsprogs(saved)
        try await h.checkReadBack(saved)
        try? FileManager.default.removeItem(atPath: saved)

        try await h.unlink("w/levels")
        try await h.rmdir("w")
        _ = try await h.saveImage()
        #expect(h.fs.statistics.freeBlocks == before)
    }

    /// s_bitmap_maxbytes as Linux computes it: 16 GiB and a bit on 1 KiB blocks (the pointer
    /// tree), 2 TiB less the indirect blocks on 4 KiB ones (i_blocks without huge_file).
    @Test func sizeLimit() async throws {
        let h = try await Ext4WriteHarness(image: "ext2-1k.img")
        let limit = Ext4ExtentList.maxBlockMappedBytes(h.fs.volume.sb)
        #expect(limit == (12 + 256 + 65_536 + 16_777_216) * 1024)
        let file = try await h.fs.root.create(Array("big-end".utf8), mode: 0o644, owner: .root)
        let one = UnsafeMutableRawBufferPointer.allocate(byteCount: 2, alignment: 1)
        defer { one.deallocate() }
        one.initializeMemory(as: UInt8.self, repeating: 7)
        // the last byte a block-mapped file can hold: a short write of one byte of two
        #expect(try await file.write(at: limit - 1, from: UnsafeRawBufferPointer(one), append: false).count == 1)
        #expect(file.metadata.size == limit)
        await #expect(throws: Errno.EFBIG) { try await file.write(at: limit, from: UnsafeRawBufferPointer(rebasing: one[0..<1]), append: false) }
        await #expect(throws: Errno.EFBIG) { try await file.truncate(to: limit + 1) }
        let h4 = try await Ext4WriteHarness(image: "ext2.img")
        #expect(Ext4ExtentList.maxBlockMappedBytes(h4.fs.volume.sb) == 2_196_873_666_560)
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
    }
}
