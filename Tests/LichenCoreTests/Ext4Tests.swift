import Testing
@testable import LichenCore

/// ext2/ext4 images made by mke2fs -d, read through the sans-IO parsers and the read-only filesystem.
@Suite struct Ext4Tests {
    @Test func crc32cVector() {
        let bytes = Array("123456789".utf8)
        #expect(bytes.withUnsafeBytes { CRC32C.checksum($0) } == 0xe306_9283)
    }

    /// Slicing-by-8 against the bitwise definition: every length 0...40 at every start 0...7, and
    /// a whole 4 KiB block, chained from an arbitrary register as ext4 chains it.
    @Test func crc32cSlicingMatchesBitwise() {
        func bitwise(_ crc: UInt32, _ bytes: ArraySlice<UInt8>) -> UInt32 {
            var c = crc
            for b in bytes {
                c ^= UInt32(b)
                for _ in 0..<8 { c = c & 1 != 0 ? 0x82f6_3b78 ^ (c >> 1) : c >> 1 }
            }
            return c
        }
        var x: UInt32 = 12345
        let data = (0..<4096).map { _ -> UInt8 in x = x &* 1_103_515_245 &+ 12345; return UInt8(truncatingIfNeeded: x >> 16) }
        for start in 0..<8 {
            for length in 0...40 {
                let slice = data[start..<start + length]
                let fast = Array(slice).withUnsafeBytes { CRC32C.raw(0x1234_5678, $0) }
                #expect(fast == bitwise(0x1234_5678, slice), "start \(start) length \(length)")
            }
        }
        #expect(CRC32C.raw(0xffff_ffff, data) == bitwise(0xffff_ffff, data[...]))
    }

    /// The allocators' bitmap search against a bit-by-bit scan: sparse clear bits in words of set
    /// ones, starts inside and at the edges of words, limits short of the bitmap's end.
    @Test func bitmapFirstClearMatchesScan() {
        var bitmap = [UInt8](repeating: 0xff, count: 512)
        for bit in [3, 64, 65, 200, 1000, 2047, 3000, 4095] { Ext4Allocator.clear(&bitmap, bit) }
        for from in [0, 1, 4, 63, 64, 66, 129, 201, 1001, 2048, 3001, 4095, 4096] {
            for limit in [4096, 3000, 2048, 100] {
                var scan = from
                while scan < limit && Ext4Allocator.test(bitmap, scan) { scan += 1 }
                #expect(Ext4Allocator.firstClear(bitmap, from: from, limit: limit) == min(scan, limit),
                        "from \(from) limit \(limit)")
            }
        }
    }

    @Test func ext4FilesMatchTheTree() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        for name in ["small.txt", "empty", "one-block", "multi", "big", "sparse", "fragmented", "dir/sub/deeper/file", "dir/owned",
                     "bigdir/entry-2900"] {
            let inode = try await Ext4Images.resolve(fs, name)
            let expected = try Ext4Images.tree(name)
            #expect(inode.metadata.size == Int64(expected.count), "\(name)")
            #expect(try await Ext4Images.contents(inode) == expected, "\(name)")
        }
    }

    @Test func ext4Metadata() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        let small = try await Ext4Images.resolve(fs, "small.txt")
        #expect(small.metadata.mtime == Timespec(seconds: 1_600_000_000, nanoseconds: 987_654_321))
        #expect(small.metadata.mode == 0o100644)
        #expect(small.metadata.nlink == 2)
        let hard = try await Ext4Images.resolve(fs, "hard")
        #expect(hard === small)                              // one object per inode
        let owned = try await Ext4Images.resolve(fs, "dir/owned")
        #expect(owned.metadata.uid == 1000 && owned.metadata.gid == 1000 && owned.metadata.mode == 0o100640)
        let sparse = try await Ext4Images.resolve(fs, "sparse")
        #expect(sparse.metadata.blocks == 8)                 // one 4 KiB block holds data
        #expect(fs.root.metadata.ino == 2 && fs.root.metadata.isDirectory)
        #expect(fs.typeName == Array("ext4".utf8))
        #expect(fs.statistics.magic == 0xef53 && fs.statistics.blockSize == 4096 && fs.statistics.totalInodes == 4096)
        #expect(fs.preferredBlockSize == 4096)
        // As Linux's statfs on this image (checked by tests/boot/test_ext4.py): 4096 blocks less
        // the overhead mke2fs also wrote in s_overhead_clusters.
        let overhead = try Ext4Images.image("ext4.img").withUnsafeBytes { $0.le32(1024 + 0x248) }
        #expect(fs.statistics.totalBlocks == 4096 - UInt64(overhead))
    }

    @Test func symlinks() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        let fast = try await Ext4Images.resolve(fs, "link-fast")
        #expect(try await fast.readlink() == Array("small.txt".utf8))
        let slow = try await Ext4Images.resolve(fs, "dir/link-slow")
        #expect(try await slow.readlink() == Array(("dir/sub/" + String(repeating: "x", count: 70) + "/../deeper/file").utf8))
    }

    @Test func largeIndexedDirectory() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        let dir = try await Ext4Images.resolve(fs, "bigdir")
        let names = try await Ext4Images.names(dir)
        #expect(names.count == 3002)
        #expect(Set(names).count == 3002 && names.contains("entry-2999") && names.contains(".."))
        await #expect(throws: Errno.ENOENT) { _ = try await dir.lookup(Array("entry-3000".utf8)) }
        // resuming from a cookie continues after the entry it came with
        var cookies: [Int64] = []
        try await dir.readdir(from: 0) { e in cookies.append(e.nextCookie); return cookies.count < 1500 }
        var rest = 0
        try await dir.readdir(from: cookies.last!) { _ in rest += 1; return true }
        #expect(rest == 3002 - 1500)
    }

    @Test(arguments: ["ext2.img", "ext2-1k.img"]) func ext2IndirectBlocks(image: String) async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image(image), as: .ext2)
        for name in ["big", "multi", "sparse", "fragmented", "small.txt"] {
            let inode = try await Ext4Images.resolve(fs, name)
            #expect(try await Ext4Images.contents(inode) == (try Ext4Images.tree(name)), "\(image) \(name)")
        }
        let slow = try await Ext4Images.resolve(fs, "dir/link-slow")
        #expect(try await slow.readlink().count == 93)
    }

    @Test func typesRefused() async throws {
        let ext4 = try Ext4Images.image("ext4.img")
        await #expect(throws: Errno.EINVAL) { _ = try await Ext4Images.mount(ext4, as: .ext2) }
        await #expect(throws: Errno.EINVAL) { _ = try await Ext4Images.mount(ext4, as: .ext3) }   // extents
        let ext2 = try Ext4Images.image("ext2.img")
        await #expect(throws: Errno.EINVAL) { _ = try await Ext4Images.mount(ext2, as: .ext3) }   // no journal
        _ = try await Ext4Images.mount(ext2, as: .ext4)
    }
}
