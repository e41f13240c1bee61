import Testing
@testable import LichenCore

/// Damaged images: errors (EUCLEAN, EBADMSG, EINVAL), never a trap.
@Suite struct Ext4CorruptionTests {
    static func superblockChecksum(_ image: inout [UInt8]) {
        let crc = image.withUnsafeBytes { CRC32C.raw(0xffff_ffff, UnsafeRawBufferPointer(rebasing: $0[1024..<2044])) }
        for i in 0..<4 { image[2044 + i] = UInt8(truncatingIfNeeded: crc >> (8 * UInt32(i))) }
    }

    @Test func badSuperblockChecksum() async throws {
        var image = try Ext4Images.image("ext4.img")
        image[1024 + 0x78] ^= 0xff                             // the volume name
        await #expect(throws: Errno.EBADMSG) { _ = try await Ext4Images.mount(image) }
    }

    @Test func unsupportedIncompatibleFeature() async throws {
        var image = try Ext4Images.image("ext4.img")
        image[1024 + 0x61] |= 0x80                              // INCOMPAT_INLINE_DATA (0x8000)
        Self.superblockChecksum(&image)
        var reason = ""
        let sb = try Ext4Superblock.parse(Array(image[1024..<2048]), pageSize: 4096, reason: &reason)
        #expect(sb.refusal(as: .ext4)?.contains("unsupported optional features (8000)") == true)
    }

    @Test func corruptedInodeTable() async throws {
        let clean = try Ext4Images.image("ext4.img")
        let fs = try await Ext4Images.mount(clean)
        // The inode table of group 0: flip one byte of small.txt's inode.
        let small = try await Ext4Images.resolve(fs, "small.txt")
        let table = fs.volume.groups[0].inodeTable
        let at = Int(table) * 4096 + Int(small.metadata.ino - 1) * 256 + 4
        var image = clean
        image[at] ^= 0x55
        let damaged = try await Ext4Images.mount(image)
        await #expect(throws: Errno.EBADMSG) { _ = try await Ext4Images.resolve(damaged, "small.txt") }
        _ = try await Ext4Images.resolve(damaged, "multi")     // the others still read
    }

    /// Every byte of the metadata region flipped in turn (a sample): mount and walk, errors only.
    @Test func flippedMetadataNeverTraps() async throws {
        let clean = try Ext4Images.image("ext2-1k.img")
        var rng = SystemRandomNumberGenerator()
        for _ in 0..<150 {
            var image = clean
            for _ in 0..<8 { image[Int.random(in: 1024..<200_000, using: &rng)] ^= UInt8.random(in: 1...255, using: &rng) }
            guard let fs = try? await Ext4Images.mount(image, as: .ext2) else { continue }
            await Self.walk(fs.root, depth: 0)
        }
    }

    static func walk(_ node: any Inode, depth: Int) async {
        guard depth < 4 else { return }
        var entries: [DirectoryEntry] = []
        try? await node.readdir(from: 0) { e in entries.append(e); return entries.count < 64 }
        for e in entries where e.name != Array(".".utf8) && e.name != Array("..".utf8) {
            guard let child = try? await node.lookup(e.name) else { continue }
            if child.metadata.isDirectory { await walk(child, depth: depth + 1) }
            if child.metadata.isSymbolicLink { _ = try? await child.readlink() }
            if child.metadata.isRegular { _ = try? await Ext4Images.contents(child, limit: 1 << 20) }
        }
    }
}
