import Foundation
import Testing
@testable import LichenCore

/// FAT12/16/32 images made by mkfs.fat and filled by mtools, read through Lichen's vfat; and
/// workloads written through it, then checked by fsck.fat -n and read back with mtools.
@Suite struct FatTests {
    static let treeFiles = ["hello.txt", "README", "MixedCase.Txt", "A long file name with spaces.txt",
                            "\u{dc}n\u{ef}c\u{f6}d\u{e9} name.txt", "empty", "big.bin", "dir/sub/deeper/file", "many/entry-077"]

    @Test(arguments: [12, 16, 32]) func bootSectorGeometry(bits: Int) throws {
        let image = try FatImages.image("fat\(bits).img")
        var reason = ""
        let boot = try FatBootSector.parse(Array(image[0..<512]), reason: &reason)
        #expect(boot.kind == (bits == 12 ? .fat12 : bits == 16 ? .fat16 : .fat32))
        #expect(boot.bytesPerSector == 512 && boot.fatCount == 2)
        #expect(boot.stateOffset == (bits == 32 ? 65 : 37))
        #expect(boot.dataStart + UInt64(boot.clusterCount) * UInt64(boot.sectorsPerCluster) <= UInt64(image.count / 512))
    }

    @Test(arguments: [12, 16, 32]) func readsWhatMtoolsWrote(bits: Int) async throws {
        let fs = try await FatImages.mount(try FatImages.store("fat\(bits).img"), writable: false)
        for name in Self.treeFiles {
            let inode = try await FatImages.resolve(fs, name)
            let expected = try FatImages.tree(name)
            #expect(inode.metadata.size == Int64(expected.count), "\(name)")
            #expect(try await Ext4Images.contents(inode) == expected, "\(name)")
            #expect(inode.metadata.mtime == Timespec(seconds: 1_700_000_000), "\(name)")
            #expect(inode.metadata.mode == 0o100755 && inode.metadata.nlink == 1, "\(name)")
        }
        let root = try await FatImages.names(fs.root)
        #expect(root.sorted() == [".", "..", "A long file name with spaces.txt", "MixedCase.Txt", "README", "big.bin", "dir", "empty",
                                  "hello.txt", "many", "\u{dc}n\u{ef}c\u{f6}d\u{e9} name.txt"].sorted())
        #expect(try await FatImages.names(try await FatImages.resolve(fs, "many")).count == 122)
        // Names match without regard to ASCII case, and trailing dots are ignored, as vfat.
        let upper = try await FatImages.resolve(fs, "HELLO.TXT")
        #expect(upper === (try await FatImages.resolve(fs, "hello.txt...")))
        let dir = try await FatImages.resolve(fs, "dir")
        #expect(dir.metadata.isDirectory && dir.metadata.nlink == 3 && dir.metadata.mode == 0o40755)
        #expect(try await dir.lookup(Array("..".utf8)) === fs.root)
        #expect(fs.root.metadata.ino == 1 && fs.root.metadata.mtime == Timespec(seconds: 0))
        #expect(fs.statistics.magic == 0x4d44 && fs.statistics.maxNameLength == 1530)
        #expect(fs.typeName == Array("vfat".utf8))
        await #expect(throws: Errno.EROFS) { _ = try await fs.root.create(Array("x".utf8), mode: 0o644, owner: .root) }
    }

    @Test func shortAliases() throws {
        func alias(_ s: String, taken: [String] = []) throws -> (String, Bool) {
            let r = try FatNames.shortAlias(try FatNames.creatable(Array(s.utf8))) { c in taken.contains(String(decoding: c, as: UTF8.self)) }
            return (String(decoding: r.name, as: UTF8.self), r.alone)
        }
        #expect(try alias("README") == ("README     ", true))
        #expect(try alias("FOO.TXT") == ("FOO     TXT", true))
        #expect(try alias("hello.txt") == ("HELLO   TXT", false))
        #expect(try alias("A long file name.txt") == ("ALONGF~1TXT", false))
        #expect(try alias("A long file name.txt", taken: ["ALONGF~1TXT"]) == ("ALONGF~2TXT", false))
        #expect(try alias(".profile") == ("PROFIL~1   ", false))
        #expect(try alias("a+b.c") == ("A_B~1   C  ", false))
        #expect(try alias("archive.tar.gz") == ("ARCHIV~1GZ ", false))
        #expect(throws: Errno.EINVAL) { try FatNames.creatable(Array("a:b".utf8)) }
        #expect(throws: Errno.EINVAL) { try FatNames.creatable(Array("trailing ".utf8)) }
        #expect(throws: Errno.ENAMETOOLONG) { try FatNames.creatable([UInt8](repeating: 0x61, count: 256)) }
        #expect(FatShortEntry.checksum(Array("HELLO   TXT".utf8)) == FatShortEntry.checksum(Array("HELLO   TXT".utf8)))
        #expect(FatNames.display(Array("HELLO   TXT".utf8), lowerCase: 0x18) == Array("hello.txt".utf8))
    }

    @Test func timestamps() {
        let t = Timespec(seconds: 1_700_000_001, nanoseconds: 990_000_000)
        #expect(FatTime.mtime(t) == Timespec(seconds: 1_700_000_000))
        #expect(FatTime.ctime(t) == Timespec(seconds: 1_700_000_001, nanoseconds: 990_000_000))
        #expect(FatTime.atime(t) == Timespec(seconds: 1_699_920_000))
        #expect(FatTime.mtime(Timespec(seconds: 0)) == Timespec(seconds: 315_532_800))      // clamped to 1980
    }

    @Test func fat12Entries() {
        var boot = try! FatBootSector.parse(Array(try! FatImages.image("fat12.img")[0..<512]), reason: &dummy)
        boot.kind = .fat12
        var table = FatTable([UInt8](repeating: 0, count: 6 * 512), boot: boot)
        table.set(2, 0xabc)
        table.set(3, 0x123)
        #expect(table.entry(2) == 0xabc && table.entry(3) == 0x123)
        table.set(2, 3)
        table.set(3, 2)                              // a loop
        #expect(throws: Errno.EIO) { try table.chain(from: 2) }
    }

    @Test func badBootSectors() throws {
        let good = Array(try FatImages.image("fat16.img")[0..<512])
        var reason = ""
        for (offset, value, expected) in [(14, 0, "bogus number of reserved sectors"), (16, 0, "bogus number of FAT structure"),
                                          (21, 0x12, "invalid media value (0x12)"), (13, 3, "bogus sectors per cluster 3"),
                                          (12, 1, "bogus logical sector size 256")] {
            var b = good
            b[offset] = UInt8(value)
            #expect(throws: Errno.EINVAL) { try FatBootSector.parse(b, reason: &reason) }
            #expect(reason == expected)
        }
    }

    @Test func permissionsAsLinux() async throws {
        let fs = try await FatImages.mount(try FatImages.store("fat16.img"), options: FatMountOptions(uid: 1000, gid: 100, umask: 0o022))
        let file = try await FatImages.resolve(fs, "hello.txt")
        #expect(file.metadata.uid == 1000 && file.metadata.gid == 100)
        await #expect(throws: Errno.EPERM) { try await file.setattr(AttributeChanges(uid: 0)) }
        try await file.setattr(AttributeChanges(uid: 1000))
        try await file.setattr(AttributeChanges(mode: 0o644))          // x bits cannot go: dropped without an error, as Linux
        try await file.setattr(AttributeChanges(mode: 0o735))          // nor some w bits only
        #expect(file.metadata.mode == 0o100755)
        await #expect(throws: Errno.EPERM) { try await file.setattr(AttributeChanges(mode: 0o4755)) }
        try await file.setattr(AttributeChanges(mode: 0o555))                                           // read-only
        #expect(file.metadata.mode == 0o100555)
        try await file.setattr(AttributeChanges(mode: 0o755))
        #expect(file.metadata.mode == 0o100755)
        await #expect(throws: Errno.EPERM) { try await fs.root.symlink(Array("l".utf8), target: Array("x".utf8), owner: .root) }
        await #expect(throws: Errno.EPERM) { try await fs.root.link(Array("l".utf8), to: file) }
        let dir = try await FatImages.resolve(fs, "dir")
        try await dir.setattr(AttributeChanges(mode: 0o555))
        #expect(dir.metadata.mode == 0o40755)
    }

    /// A workload through the API, then fsck.fat -n and mtools on the result.
    @Test(arguments: [12, 16, 32]) func workloadIsCleanAndReadableByMtools(bits: Int) async throws {
        let store = try FatImages.store("fat\(bits).img")
        var expected: [String: [UInt8]] = [:]
        for name in Self.treeFiles + (0..<120).map({ String(format: "many/entry-%03d", $0) }) where name != "many/entry-077" || true {
            expected[name] = try FatImages.tree(name)
        }
        for d in ["dir/", "dir/sub/", "dir/sub/deeper/", "many/"] { expected[d] = [] }
        let fs = try await FatImages.mount(store)
        let root = fs.root
        func make(_ dir: any Inode, _ name: String, _ data: [UInt8]) async throws {
            let f = try await dir.create(Array(name.utf8), mode: 0o644, owner: .root)
            try await FatImages.write(f, data)
        }
        try await make(root, "notes.txt", Array("first\n".utf8))
        let long = (0..<10_000).map { UInt8(truncatingIfNeeded: $0 * 7) }
        try await make(root, "A much longer name than eight dot three.text", long)
        expected["A much longer name than eight dot three.text"] = long
        let projects = try await root.mkdir(Array("Projects".utf8), mode: 0o755, owner: .root)
        let lichen = try await projects.mkdir(Array("lichen".utf8), mode: 0o755, owner: .root)
        for i in 0..<200 {
            let data = Array("file \(i)\n".utf8)
            try await make(lichen, String(format: "file-%03d.dat", i), data)
            expected[String(format: "lichen-moved/file-%03d.dat", i)] = data
        }
        let big = (0..<700_000).map { UInt8(truncatingIfNeeded: $0 &* 2654435761 >> 13) }
        try await make(root, "big file.bin", big)
        try await make(root, "zero", [])
        expected["zero"] = []
        // Renames: a file, a file across directories, a directory to the root.
        try await root.rename(Array("notes.txt".utf8), to: root, as: Array("Renamed Notes.txt".utf8), flags: [])
        expected["Renamed Notes.txt"] = Array("first\n".utf8)
        try await lichen.rename(Array("file-000.dat".utf8), to: root, as: Array("moved.dat".utf8), flags: [])
        expected["moved.dat"] = expected.removeValue(forKey: "lichen-moved/file-000.dat")
        try await projects.rename(Array("lichen".utf8), to: root, as: Array("lichen-moved".utf8), flags: [])
        #expect(try await lichen.lookup(Array("..".utf8)) === root)
        try await root.rename(Array("README".utf8), to: root, as: Array("hello.txt".utf8), flags: [])     // replaces
        expected["hello.txt"] = expected.removeValue(forKey: "README")
        // Deletions.
        for i in stride(from: 1, to: 200, by: 4) {
            try await lichen.unlink(Array(String(format: "file-%03d.dat", i).utf8))
            expected[String(format: "lichen-moved/file-%03d.dat", i)] = nil
        }
        try await root.rmdir(Array("Projects".utf8))
        await #expect(throws: Errno.ENOTEMPTY) { try await root.rmdir(Array("dir".utf8)) }
        let manyDir = try await root.lookup(Array("many".utf8))
        for i in 0..<60 {
            try await manyDir.unlink(Array(String(format: "entry-%03d", i).utf8))
            expected[String(format: "many/entry-%03d", i)] = nil
        }
        // Sizes: truncate down, up (zeros), a write past the end (zeros in the gap), an overwrite.
        let bigNode = try await root.lookup(Array("big file.bin".utf8))
        try await bigNode.truncate(to: 100_000)
        try await bigNode.truncate(to: 150_000)
        expected["big file.bin"] = Array(big[0..<100_000]) + [UInt8](repeating: 0, count: 50_000)
        let gap = try await root.create(Array("gap".utf8), mode: 0o644, owner: .root)
        try await FatImages.write(gap, Array("x".utf8), at: 5000)
        expected["gap"] = [UInt8](repeating: 0, count: 5000) + Array("x".utf8)
        let bin = try await root.lookup(Array("big.bin".utf8))
        try await FatImages.write(bin, [UInt8](repeating: 0x55, count: 3000), at: 1000)
        var b = expected["big.bin"]!
        b.replaceSubrange(1000..<4000, with: [UInt8](repeating: 0x55, count: 3000))
        expected["big.bin"] = b
        // An unlinked file stays readable while held; its clusters go when it is let go.
        do {
            let held = try await root.lookup(Array("empty".utf8))
            try await FatImages.write(held, Array("still here".utf8))
            try await root.unlink(Array("empty".utf8))
            expected["empty"] = nil
            #expect(try await Ext4Images.contents(held) == Array("still here".utf8))
            #expect(held.metadata.nlink == 0)
        }
        await #expect(throws: Errno.EEXIST) { _ = try await root.create(Array("HELLO.TXT".utf8), mode: 0o644, owner: .root) }
        await #expect(throws: Errno.EINVAL) { _ = try await root.create(Array("bad?name".utf8), mode: 0o644, owner: .root) }
        expected["lichen-moved/"] = []
        try await fs.unmount()

        let checked = try FatImages.fsck(store.image, name: "workload\(bits)")
        #expect(checked.status == 0, "\(checked.output)")
        #expect(!checked.output.contains("Dirty bit"), "\(checked.output)")
        let found = try FatImages.extract(checked.path)
        #expect(Set(found.keys) == Set(expected.keys))
        for (path, data) in expected where found[path] != data {
            Issue.record("\(path): \(found[path]?.count ?? -1) bytes, expected \(data.count)")
        }
        #expect(store.durable == store.image)
        // The free count statfs gives is what fsck counts.
        let free = fs.statistics.freeBlocks
        let used = UInt64(checked.output.split(separator: " ").last { $0.contains("/") }!.split(separator: "/")[0])!
        #expect(free + used == fs.statistics.totalBlocks)
    }
}

nonisolated(unsafe) private var dummy = ""
