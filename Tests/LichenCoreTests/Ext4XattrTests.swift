import Testing
@testable import LichenCore

/// ext4's extended attributes (tests/ext4/make_images.py sets them with debugfs ea_set): in the
/// inode, in the external block, file capabilities, corruption.
@Suite struct Ext4XattrTests {
    func b(_ s: String) -> [UInt8] { Array(s.utf8) }
    let user = Credentials(uid: 1000, gid: 1000)

    @Test func inodeAndBlockAttributes() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        let inline = try await Ext4Images.resolve(fs, "xattr/inline")
        #expect(try await Xattrs.list(inline, .root) == b("user.comment\0security.label\0trusted.t\0"))
        #expect(try await Xattrs.list(inline, user) == b("user.comment\0security.label\0"))
        #expect(try await Xattrs.get(inline, b("user.comment"), .root) == b("hello"))
        #expect(try await Xattrs.get(inline, b("trusted.t"), .root) == b("tv"))
        await #expect(throws: Errno.ENODATA) { try await Xattrs.get(inline, b("trusted.t"), user) }
        await #expect(throws: Errno.ENODATA) { try await Xattrs.get(inline, b("user.absent"), .root) }
        await #expect(throws: Errno.ENODATA) { try await Xattrs.get(inline, b("system.posix_acl_access"), .root) }
        await #expect(throws: Errno.EOPNOTSUPP) { try await Xattrs.get(inline, b("other.x"), .root) }
        await #expect(throws: Errno.EROFS) { try await Xattrs.set(inline, b("user.comment"), value: [], flags: [], .root) }
        await #expect(throws: Errno.EROFS) { try await Xattrs.remove(inline, b("user.comment"), .root) }

        let block = try await Ext4Images.resolve(fs, "xattr/block")
        let names = try await Xattrs.list(block, .root)
        #expect(names.split(separator: 0).map { Array($0) }.sorted { $0.lexicographicallyPrecedes($1) }
                == [b("user.big"), b("user.second"), b("user.small")])
        #expect(try await Xattrs.get(block, b("user.big"), .root) == Array((0..<1024).map { UInt8($0 & 0xff) }))
        #expect(try await Xattrs.get(block, b("user.second"), .root) == [UInt8](repeating: UInt8(ascii: "x"), count: 600))
        #expect(try await Xattrs.get(block, b("user.small"), .root) == b("s"))

        let dir = try await Ext4Images.resolve(fs, "xattr/dir")
        #expect(try await Xattrs.get(dir, b("user.d"), .root) == [])
        let link = try await Ext4Images.resolve(fs, "link-fast")
        await #expect(throws: Errno.EOPNOTSUPP) { try await Xattrs.get(link, b("system.posix_acl_access"), .root) }
        let none = try await Ext4Images.resolve(fs, "xattr/none")
        #expect(try await Xattrs.list(none, .root) == [])
    }

    @Test func fileCapabilitiesOnExt4() async throws {
        let fs = try await Ext4Images.mount(try Ext4Images.image("ext4.img"))
        let caps = try await Ext4Images.resolve(fs, "xattr/caps")
        let stored = await Xattrs.storedCapabilities(of: caps)
        let parsed = try FileCapabilities.forExec(stored)
        #expect(parsed == FileCapabilities(permitted: CapabilitySet([.CAP_NET_RAW, .CAP_SYS_NICE]), effective: true))
        #expect(try await Xattrs.get(caps, XattrNames.capability, user).count == 20)
    }

    @Test func corruptedBlockIsRefused() async throws {
        var image = try Ext4Images.image("ext4.img")
        let fs = try await Ext4Images.mount(image)
        let block = try await Ext4Images.resolve(fs, "xattr/block") as! Ext4Node
        let at = Int(block.raw.fileACL) * 4096
        image[at + 4000] ^= 0x55                      // inside user.big's value: the checksum no longer matches
        var lines: [String] = []
        let log = SpinLock<[String]>([])
        let damaged = try await Ext4Images.mount(image, log: { line in log.withLock { $0.append(line) } })
        let node = try await Ext4Images.resolve(damaged, "xattr/block")
        await #expect(throws: Errno.EBADMSG) { try await Xattrs.list(node, .root) }
        lines = log.withLock { $0 }
        #expect(lines.contains { $0.contains("xattr block checksum") })
        image[at] ^= 0xff                              // the magic
        let bad = try await Ext4Images.mount(image)
        await #expect(throws: Errno.EUCLEAN) { try await Xattrs.get(try await Ext4Images.resolve(bad, "xattr/block"), b("user.small"), .root) }
    }

    @Test func parserBounds() throws {
        // An entry whose value runs past the area, one whose name does, a missing terminator.
        var area: [UInt8] = [0, 0, 2, 0xEA]
        area += [1, 1, 0, 0, 0, 0, 0, 0, 200, 0, 0, 0, 0, 0, 0, 0, UInt8(ascii: "a"), 0, 0, 0] + [0, 0, 0, 0]
        #expect(throws: Errno.EUCLEAN) { try Ext4Xattrs.inodeEntries(area) }
        area[4 + 8] = 1                                 // value size 1 at offset 0: the entry itself
        #expect(try Ext4Xattrs.inodeEntries(area).first?.name == b("user.a"))
        #expect(throws: Errno.EUCLEAN) { try Ext4Xattrs.inodeEntries(Array(area.prefix(22))) }
        area[4] = 200                                   // name length past the end
        #expect(throws: Errno.EUCLEAN) { try Ext4Xattrs.inodeEntries(area) }
        area[4] = 1
        area[8] = 1                                     // e_value_inum
        #expect(throws: Errno.EOPNOTSUPP) { try Ext4Xattrs.inodeEntries(area) }
        #expect(try Ext4Xattrs.inodeEntries([0, 0, 0, 0, 1, 2, 3, 4]).isEmpty)   // no magic: none
    }
}
