import Foundation
import Testing
@testable import LichenCore

/// ext4 extended attributes set and removed on read-write mounts: in the inode body, in the
/// external block, a shared block copied on write, the flags and limits; judged by e2fsck -fn and
/// debugfs ea_get/ea_list, and read back by Lichen.
@Suite struct Ext4XattrWriteTests {
    func b(_ s: String) -> [UInt8] { Array(s.utf8) }

    func debugfs(_ image: String, _ command: String) -> String {
        Ext4WriteHarness.run("debugfs", ["-R", command, image]).output
    }

    /// What debugfs ea_get -f prints to a file: the value's exact bytes.
    func value(_ image: String, _ path: String, _ name: String) throws -> [UInt8]? {
        let out = NSTemporaryDirectory() + "lichen-ea-\(getpid())-\(UUID().uuidString)"
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = Ext4WriteHarness.run("debugfs", ["-R", "ea_get -f \(out) \(path) \(name)", image])
        guard let data = FileManager.default.contents(atPath: out) else { return nil }
        return [UInt8](data)
    }

    @Test(arguments: ["ext4-nj.img", "ext4-j-1k.img", "ext2.img", "ext3-1k.img"]) func setAndRemove(image: String) async throws {
        let h = try await Ext4WriteHarness(image: image)
        let bs = h.store.blockSize
        try await h.mkdir("w")
        try await h.write("w/f", b("file\n"))
        let f = try await h.node("w/f")
        let before = h.fs.statistics.freeBlocks
        // small ones: in the inode body (no block taken)
        try await Xattrs.set(f, b("user.small"), value: b("tiny"), flags: [], .root)
        try await Xattrs.set(f, b("trusted.t"), value: [], flags: [], .root)
        let body = h.fs.volume.sb.inodeSize > 128              // 128-byte inodes have no body: all in the block
        #expect(((f as! Ext4Node).raw.fileACL == 0) == body)
        #expect(h.fs.statistics.freeBlocks == before - (body ? 0 : 1))
        // flags and missing names
        await #expect(throws: Errno.EEXIST) { try await Xattrs.set(f, b("user.small"), value: b("x"), flags: .create, .root) }
        await #expect(throws: Errno.ENODATA) { try await Xattrs.set(f, b("user.none"), value: b("x"), flags: .replace, .root) }
        await #expect(throws: Errno.ENODATA) { try await Xattrs.remove(f, b("user.none"), .root) }
        try await Xattrs.set(f, b("user.small"), value: b("replaced"), flags: .replace, .root)
        // large ones: the external block
        let big = (0..<(bs / 2)).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try await Xattrs.set(f, b("user.big"), value: big, flags: .create, .root)
        try await Xattrs.set(f, b("security.label"), value: b("a-label-of-some-length-for-the-block"), flags: [], .root)
        #expect((f as! Ext4Node).raw.fileACL != 0)
        #expect(h.fs.statistics.freeBlocks == before - 1)
        // a value no area can hold: ENOSPC, nothing changed
        await #expect(throws: Errno.ENOSPC) { try await Xattrs.set(f, b("user.huge"), value: [UInt8](repeating: 1, count: bs), flags: [], .root) }
        #expect(try await Xattrs.get(f, b("user.big"), .root) == big)
        // another file keeps one attribute in its block
        try await h.write("w/g", b("g\n"))
        var g: (any Inode)? = try await h.node("w/g")
        try await Xattrs.set(g!, b("user.kept"), value: big, flags: [], .root)

        var saved = try await h.saveImage()
        try h.checkWithE2fsprogs(saved)
        #expect(try value(saved, "/w/f", "user.small") == b("replaced"))
        #expect(try value(saved, "/w/f", "trusted.t") == [])
        #expect(try value(saved, "/w/f", "user.big") == big)
        #expect(try value(saved, "/w/g", "user.kept") == big)
        let list = debugfs(saved, "ea_list /w/f")
        #expect(list.contains("user.small") && list.contains("security.label") && list.contains("user.big"), "\(list)")
        try? FileManager.default.removeItem(atPath: saved)

        // removing the block's attributes frees it; the body's go too (its magic cleared)
        try await Xattrs.remove(f, b("user.big"), .root)
        try await Xattrs.remove(f, b("security.label"), .root)
        #expect((f as! Ext4Node).raw.fileACL == 0)
        #expect(h.fs.statistics.freeBlocks == before - 2)          // g's data and xattr blocks
        try await Xattrs.remove(f, b("user.small"), .root)
        try await Xattrs.remove(f, b("trusted.t"), .root)
        #expect(try await Xattrs.list(f, .root) == [])
        g = nil
        try await h.unlink("w/g")                                   // its block goes with it
        saved = try await h.saveImage()                             // frees g, unlinked while held
        #expect(h.fs.statistics.freeBlocks == before)
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
        #expect(!debugfs(saved, "ea_list /w/f").contains("user."))
        try await h.checkReadBack(saved)
    }

    /// Two inodes sharing one block (h_refcount 2, as Linux's mbcache makes them): a change to
    /// one copies the block first; the other keeps the original, its refcount back to 1.
    @Test func sharedBlockIsCopiedOnWrite() async throws {
        var bytes = try Ext4Images.image("ext4.img")
        let ro = try await Ext4Images.mount(bytes)
        let owner = try await Ext4Images.resolve(ro, "xattr/block") as! Ext4Node
        let acl = owner.raw.fileACL
        let path = NSTemporaryDirectory() + "lichen-ea-shared-\(getpid()).img"
        defer { try? FileManager.default.removeItem(atPath: path) }
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let none = try await Ext4Images.resolve(ro, "xattr/none") as! Ext4Node
        for field in ["file_acl \(acl)", "blocks \(none.raw.blocks512 + 8)"] {
            _ = Ext4WriteHarness.run("debugfs", ["-w", "-R", "set_inode_field /xattr/none \(field)", path])
        }
        bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        var block = Array(bytes[Int(acl) * 4096..<Int(acl + 1) * 4096])
        block.put32(4, 2)
        Ext4XattrWriter.seal(&block, number: acl, sb: ro.volume.sb)
        bytes.replaceSubrange(Int(acl) * 4096..<Int(acl + 1) * 4096, with: block)
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        let shared = Ext4WriteHarness.run("e2fsck", ["-fn", path])
        #expect(shared.status == 0, "the shared image itself: \(shared.output)")

        let h = try await Ext4WriteHarness(image: "ext4.img", bytes: bytes)
        let node = try await h.node("xattr/none")
        #expect(try await Xattrs.get(node, b("user.second"), .root) == [UInt8](repeating: UInt8(ascii: "x"), count: 600))
        try await Xattrs.set(node, b("user.second"), value: b("changed"), flags: .replace, .root)
        #expect((node as! Ext4Node).raw.fileACL != acl)
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        try h.checkWithE2fsprogs(saved)
        #expect(try value(saved, "/xattr/none", "user.second") == b("changed"))
        #expect(try value(saved, "/xattr/block", "user.second") == [UInt8](repeating: UInt8(ascii: "x"), count: 600))
        let image = [UInt8](try Data(contentsOf: URL(fileURLWithPath: saved)))
        #expect(image[Int(acl) * 4096 + 4] == 1)                     // the original's refcount
    }

    @Test func layoutMatchesLinux() throws {
        // ext4_xattr_hash_entry of "a" with the value "b": name hash 0x61, then (h << 16) ^ (h >> 16) ^ 0x62
        let e = Ext4XattrEntry(index: 1, suffix: b("a"), value: b("b"))
        #expect(Ext4XattrWriter.entryHash(e) == (0x61 << 16) ^ 0x62)
        #expect(Ext4XattrWriter.split(b("user.")) == nil && Ext4XattrWriter.split(b("system.x")) == nil)
        #expect(Ext4XattrWriter.split(b("security.capability"))?.index == 6)
        let area = Ext4XattrWriter.inodeArea([e], size: 96)
        #expect(try Ext4Xattrs.inodeEntries(area) == [e])
        #expect(Ext4XattrWriter.inodeArea([], size: 96) == [UInt8](repeating: 0, count: 96))
    }
}
