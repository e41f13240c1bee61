import Foundation
import Testing
@testable import LichenCore

/// htree directories: the name hashes against debugfs's dx_hash, and large directories written
/// through the index, judged by e2fsck -fn (which checks every htree) and debugfs.
@Suite struct Ext4HashTreeTests {
    /// debugfs -R "dx_hash -h ALG [-s 0b7ae5f5-4d4e-4b2a-9a0f-1234567890ab] NAME" (e2fsprogs 1.47).
    @Test func hashesMatchE2fsprogs() {
        let uuid: [UInt8] = [0x0b, 0x7a, 0xe5, 0xf5, 0x4d, 0x4e, 0x4b, 0x2a, 0x9a, 0x0f, 0x12, 0x34, 0x56, 0x78, 0x90, 0xab]
        var s: [UInt32] = []
        for i in 0..<4 {
            var word: UInt32 = 0
            for k in 0..<4 { word |= UInt32(uuid[4 * i + k]) << UInt32(8 * k) }
            s.append(word)
        }
        let long = Array("abcdefghijklmnopqrstuvwxyz0123456789ABCDEFGH".utf8) + [0xe9]
        let cases: [([UInt8], UInt8, [UInt32], UInt32)] = [
            (Array("entry-0001".utf8), 0, s, 0x0c6a_80c4), (Array("a".utf8), 0, s, 0xe74b_53e2), (long, 0, s, 0x4752_3c94),
            (Array("hello".utf8), 0, [], 0x3225_2546),
            (Array("entry-0001".utf8), 1, s, 0xcadc_bc62), (Array("a".utf8), 1, s, 0xda5c_ea0a), (long, 1, s, 0x017e_e692),
            (Array("hello".utf8), 1, [], 0x1746_da32),
            (Array("entry-0001".utf8), 2, s, 0xc7e8_c282), (Array("a".utf8), 2, s, 0x921a_ae14), (long, 2, s, 0x6450_4ad0),
            (Array("hello".utf8), 2, [], 0x6f5b_b1a8),
            (long, 3, s, 0x719c_5292), (long, 4, s, 0xc7e2_a968), (long, 5, s, 0xaada_c4b6),
        ]
        for (name, version, seed, want) in cases {
            #expect(Ext4DirectoryHash.hash(name, version: version, seed: seed) == want,
                    "\(String(decoding: name, as: UTF8.self)) v\(version)")
        }
    }

    static func count(_ dir: any Inode) async throws -> Int {
        var n = 0
        try await dir.readdir(from: 0) { _ in n += 1; return true }
        return n
    }

    /// 20,000 names in one directory (hard links to one file: the small images have fewer
    /// inodes), then every other one removed: the directory is indexed at its second block,
    /// leaves and (on 1 KiB blocks) index nodes split; e2fsck -fn must pass its htree check.
    @Test(arguments: ["ext4-nj.img", "ext4-nj-1k.img", "ext4-j-1k.img"]) func twentyThousandEntries(image: String) async throws {
        let h = try await Ext4WriteHarness(image: image)
        try await h.mkdir("huge")
        try await h.write("huge/target", Array("x\n".utf8))
        let dir = try await h.node("huge")
        let target = try await h.node("huge/target")
        let total = 20_000
        for i in 0..<total {
            do { try await dir.link(Array("name-\(i)-\(i * 7919 % 10007)".utf8), to: target) } catch {
                Issue.record("link \(i): \(error)")
                throw error
            }
        }
        #expect((dir as! Ext4Node).raw.flags & Ext4RawInode.flagIndex != 0)
        await #expect(throws: Errno.EEXIST) { try await dir.link(Array("name-77-\(77 * 7919 % 10007)".utf8), to: target) }
        for i in stride(from: 0, to: total, by: 2) {
            do { try await dir.unlink(Array("name-\(i)-\(i * 7919 % 10007)".utf8)) } catch {
                Issue.record("unlink \(i): \(error)")
                throw error
            }
        }
        await #expect(throws: Errno.ENOENT) { _ = try await dir.lookup(Array("name-0-0".utf8)) }
        #expect(try await Self.count(dir) == total / 2 + 3)
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        let fsck = Ext4WriteHarness.run("e2fsck", ["-fn", saved])
        #expect(fsck.status == 0, "e2fsck -fn:\n\(fsck.output)")
        let htree = Ext4WriteHarness.run("debugfs", ["-R", "htree_dump /huge", saved])
        #expect(htree.output.contains("Number of entries"), "\(htree.output.prefix(2000))")
        // read back by the read-only path: every odd name through the index, no even one
        let fs = try await Ext4Images.mount([UInt8](try Data(contentsOf: URL(fileURLWithPath: saved))))
        let back = try await Ext4Images.resolve(fs, "huge")
        for i in stride(from: 1, to: total, by: 194) {
            do {
                #expect(try await back.lookup(Array("name-\(i)-\(i * 7919 % 10007)".utf8)).metadata.ino == target.metadata.ino)
            } catch {
                Issue.record("lookup \(i): \(error)")
                throw error
            }
        }
        await #expect(throws: Errno.ENOENT) { _ = try await back.lookup(Array("name-2-\(2 * 7919 % 10007)".utf8)) }
        #expect(try await Self.count(back) == total / 2 + 3)
    }

    /// The image's own indexed directory (mke2fs made it) gains names through its index.
    @Test func addToLinuxIndexedDirectory() async throws {
        // e2fsck -D indexes every directory of more than one block (mke2fs -d leaves them linear)
        let linear = NSTemporaryDirectory() + "lichen-ext4-dx-\(getpid())-\(UUID().uuidString).img"
        try Data(try Ext4Images.image("ext4-nj.img")).write(to: URL(fileURLWithPath: linear))
        defer { try? FileManager.default.removeItem(atPath: linear) }
        let optimize = Ext4WriteHarness.run("e2fsck", ["-fyD", linear])
        #expect(optimize.status == 0 || optimize.status == 1, "e2fsck -fyD: \(optimize.output)")
        let h = try await Ext4WriteHarness(bytes: [UInt8](try Data(contentsOf: URL(fileURLWithPath: linear))))
        let dir = try await h.node("bigdir")
        #expect((dir as! Ext4Node).raw.flags & Ext4RawInode.flagIndex != 0)
        let file = try await h.node("small.txt")
        for i in 0..<2000 { try await dir.link(Array("added-\(i)".utf8), to: file) }
        #expect((dir as! Ext4Node).raw.flags & Ext4RawInode.flagIndex != 0)
        for i in 0..<3000 where i % 3 == 0 { try await dir.unlink(Array("entry-\(String(format: "%04d", i))".utf8)) }
        #expect(try await dir.lookup(Array("added-1999".utf8)).metadata.ino == file.metadata.ino)
        #expect(try await dir.lookup(Array("entry-2999".utf8)).metadata.isRegular)
        let saved = try await h.saveImage()
        defer { try? FileManager.default.removeItem(atPath: saved) }
        let fsck = Ext4WriteHarness.run("e2fsck", ["-fn", saved])
        #expect(fsck.status == 0, "e2fsck -fn:\n\(fsck.output)")
        let ls = Ext4WriteHarness.run("debugfs", ["-R", "ls /bigdir", saved])
        #expect(ls.output.contains("added-1999") && !ls.output.contains("entry-0000 "))
    }
}
