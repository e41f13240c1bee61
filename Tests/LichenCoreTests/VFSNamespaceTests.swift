import Testing
@testable import LichenCore

extension VFSTests {
    /// Creating, looking up, removing names; directories; hard links.
    @Suite struct NamespaceTests {
        @Test func createLookupUnlink() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/a", "hello")
            let st = try await fx.stat("/a")
            #expect(st.type == .regular)
            #expect(st.mode & 0o7777 == 0o644)
            #expect(st.size == 5)
            #expect(st.nlink == 1)
            #expect(st.device == DeviceNumber(major: 0, minor: 20))
            #expect(try await fx.readFile("/a") == "hello")
            #expect(try await fx.list("/") == ["a"])
            try await fx.vfs.unlink(vfsBytes("/a"), context: fx.context)
            #expect(await vfsError { _ = try await fx.stat("/a") } == .ENOENT)
            #expect(await vfsError { try await fx.vfs.unlink(vfsBytes("/a"), context: fx.context) } == .ENOENT)
            #expect(try await fx.list("/") == [])
        }

        @Test func unlinkedFileStaysReadableWhileOpen() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "data")
            let f = try await fx.open("/f", .O_RDONLY)
            try await fx.vfs.unlink(vfsBytes("/f"), context: fx.context)
            #expect(f.status.nlink == 0)
            #expect(try await vfsReadAll(f) == vfsBytes("data"))
            // A file without names cannot get one back.
            #expect(await vfsError { try await f.inode.link(vfsBytes("g"), to: f.inode) } == .ENOTDIR)
            #expect(await vfsError { try await fx.vfs.root.inode.link(vfsBytes("g"), to: f.inode) } == .ENOENT)
        }

        @Test func mkdirRmdirAndErrors() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/d")
            try await fx.writeFile("/d/f", "x")
            try await fx.writeFile("/file", "x")
            let ctx = fx.context
            let vfs = fx.vfs
            #expect(await vfsError { try await fx.mkdir("/d") } == .EEXIST)
            #expect(await vfsError { try await fx.mkdir("/file") } == .EEXIST)
            #expect(await vfsError { try await fx.mkdir("/") } == .EEXIST)
            #expect(await vfsError { try await fx.mkdir("/d/.") } == .EEXIST)
            #expect(await vfsError { try await fx.mkdir("/nope/x") } == .ENOENT)
            #expect(await vfsError { try await fx.mkdir("/file/x") } == .ENOTDIR)
            #expect(await vfsError { try await vfs.rmdir(vfsBytes("/d"), context: ctx) } == .ENOTEMPTY)
            #expect(await vfsError { try await vfs.rmdir(vfsBytes("/file"), context: ctx) } == .ENOTDIR)
            #expect(await vfsError { try await vfs.rmdir(vfsBytes("/d/."), context: ctx) } == .EINVAL)
            #expect(await vfsError { try await vfs.rmdir(vfsBytes("/d/.."), context: ctx) } == .ENOTEMPTY)
            #expect(await vfsError { try await vfs.rmdir(vfsBytes("/"), context: ctx) } == .EBUSY)
            #expect(await vfsError { try await vfs.unlink(vfsBytes("/d"), context: ctx) } == .EISDIR)
            #expect(await vfsError { try await vfs.unlink(vfsBytes("/d/f/"), context: ctx) } == .ENOTDIR)
            #expect(await vfsError { try await vfs.unlink(vfsBytes("/d/"), context: ctx) } == .EISDIR)
            #expect(await vfsError { _ = try await fx.open("/d", .O_WRONLY) } == .EISDIR)
            #expect(await vfsError { _ = try await fx.open("/d", .O_RDWR) } == .EISDIR)
            #expect(await vfsError { _ = try await fx.open("/d", [.O_CREAT, .O_WRONLY]) } == .EISDIR)
            let d = try await fx.open("/d", .O_RDONLY)
            #expect(await vfsError { _ = try await vfsRead(d, count: 10) } == .EISDIR)
            try await vfs.unlink(vfsBytes("/d/f"), context: ctx)
            try await vfs.rmdir(vfsBytes("/d/"), context: ctx)
            #expect(try await fx.list("/") == ["file"])
            // The removed directory, still open, is empty and accepts nothing new.
            #expect(d.status.nlink == 0)
            #expect(await vfsError { _ = try await d.inode.create(vfsBytes("x"), mode: 0o644, owner: .root) } == .ENOENT)
            #expect(try await vfsGetdents(d, size: 4096).isEmpty)
        }

        @Test func directoryLinkCountsAndSizes() async throws {
            let fx = VFSFixture()
            #expect(try await fx.stat("/").nlink == 2)
            try await fx.mkdir("/a")
            try await fx.mkdir("/a/b")
            try await fx.mkdir("/a/c")
            try await fx.writeFile("/a/f", "")
            #expect(try await fx.stat("/").nlink == 3)
            #expect(try await fx.stat("/a").nlink == 4)
            #expect(try await fx.stat("/a/b").nlink == 2)
            #expect(try await fx.stat("/a").size == 40 + 3 * 20)  // Linux tmpfs directory sizes
            try await fx.vfs.rmdir(vfsBytes("/a/b"), context: fx.context)
            #expect(try await fx.stat("/a").nlink == 3)
            try await fx.vfs.rename(vfsBytes("/a/c"), to: vfsBytes("/c"), context: fx.context)
            #expect(try await fx.stat("/a").nlink == 2)
            #expect(try await fx.stat("/").nlink == 4)
            #expect(try await fx.stat("/a").size == 40 + 20)
        }

        @Test func hardLinks() async throws {
            let fx = VFSFixture()
            let ctx = fx.context
            try await fx.writeFile("/f", "one")
            try await fx.mkdir("/d")
            try await fx.vfs.link(vfsBytes("/f"), to: vfsBytes("/d/g"), context: ctx)
            #expect(try await fx.stat("/f").nlink == 2)
            #expect(try await fx.stat("/d/g").ino == fx.stat("/f").ino)
            try await fx.writeFile("/d/g", "two")
            #expect(try await fx.readFile("/f") == "two")
            #expect(await vfsError { try await fx.vfs.link(vfsBytes("/f"), to: vfsBytes("/d/g"), context: ctx) } == .EEXIST)
            #expect(await vfsError { try await fx.vfs.link(vfsBytes("/d"), to: vfsBytes("/e"), context: ctx) } == .EPERM)
            #expect(await vfsError { try await fx.vfs.link(vfsBytes("/nope"), to: vfsBytes("/e"), context: ctx) } == .ENOENT)
            #expect(await vfsError { try await fx.vfs.link(vfsBytes("/f"), to: vfsBytes("/e/"), context: ctx) } == .ENOENT)
            try await fx.vfs.unlink(vfsBytes("/f"), context: ctx)
            #expect(try await fx.stat("/d/g").nlink == 1)
            #expect(try await fx.readFile("/d/g") == "two")
            // link() does not follow a symlink unless asked (AT_SYMLINK_FOLLOW).
            try await fx.vfs.symlink(vfsBytes("/d/g"), at: vfsBytes("/s"), context: ctx)
            try await fx.vfs.link(vfsBytes("/s"), to: vfsBytes("/s2"), context: ctx)
            #expect(try await fx.stat("/s2", follow: false).type == .symbolicLink)
            try await fx.vfs.link(vfsBytes("/s"), to: vfsBytes("/g2"), followOld: true, context: ctx)
            #expect(try await fx.stat("/g2", follow: false).type == .regular)
            #expect(try await fx.stat("/d/g").nlink == 2)
        }

        @Test func mknodTypes() async throws {
            let fx = VFSFixture()
            let ctx = fx.context
            try await fx.vfs.mknod(vfsBytes("/fifo"), mode: FileMode.S_IFIFO | 0o600, context: ctx)
            try await fx.vfs.mknod(vfsBytes("/plain"), mode: 0o600, context: ctx)
            try await fx.vfs.mknod(vfsBytes("/c"), mode: FileMode.S_IFCHR | 0o600, device: DeviceNumber(major: 4, minor: 300), context: ctx)
            #expect(try await fx.stat("/fifo").type == .fifo)
            #expect(try await fx.stat("/plain").type == .regular)
            let c = try await fx.stat("/c")
            #expect(c.type == .characterDevice)
            #expect(c.rdev == DeviceNumber(major: 4, minor: 300))
            #expect(DeviceNumber(encoded: c.rdev.encoded) == c.rdev)
            #expect(DeviceNumber.null.encoded == 0x103)
            #expect(await vfsError { try await fx.vfs.mknod(vfsBytes("/x"), mode: FileMode.S_IFDIR | 0o755, context: ctx) } == .EPERM)
            #expect(await vfsError { try await fx.vfs.mknod(vfsBytes("/x"), mode: 0o170000, context: ctx) } == .EINVAL)
            // Only the superuser makes device nodes; no driver means ENXIO on open.
            var user = fx.user(1000)
            user.cwd = fx.vfs.root
            try await fx.mkdir("/tmp", 0o1777)
            #expect(try await fx.stat("/tmp").mode & 0o7777 == 0o1755)  // the umask applies
            try await fx.vfs.chmod(vfsBytes("/tmp"), mode: 0o1777, context: ctx)
            #expect(await vfsError {
                try await fx.vfs.mknod(vfsBytes("/tmp/c"), mode: FileMode.S_IFCHR | 0o600, device: .null, context: user)
            } == .EPERM)
            #expect(await vfsError { _ = try await fx.open("/c", .O_RDONLY) } == .ENXIO)
            // A FIFO with no reader: a non-blocking writer gets ENXIO (PipeTests has the rest).
            #expect(await vfsError { _ = try await fx.open("/fifo", [.O_WRONLY, .O_NONBLOCK]) } == .ENXIO)
        }
    }
}

extension VFSTests.NamespaceTests {
    /// Dropping a whole tmpfs frees every inode and page, however deep the tree.
    @Test func droppingATmpfsFreesItsTree() async throws {
        let clock = VFSTestClock()
        var fs: Tmpfs? = Tmpfs(device: DeviceNumber(major: 0, minor: 40), clock: clock.clock)
        let superblock = fs!.superblock
        var directory = fs!.root
        for i in 0..<3000 {  // deep enough to overflow the stack if freed recursively
            directory = try await directory.mkdir(vfsBytes("d\(i % 10)"), mode: 0o755, owner: .root)
            if i % 500 == 0 {
                let file = try await directory.create(vfsBytes("f"), mode: 0o644, owner: .root)
                let data = UnsafeMutableRawBufferPointer.allocate(byteCount: 10, alignment: 1)
                defer { data.deallocate() }
                data.initializeMemory(as: UInt8.self, repeating: 1)
                _ = try await file.write(at: 0, from: UnsafeRawBufferPointer(data), append: false)
            }
        }
        #expect(superblock.usage.inodes == 3001 + 6)
        #expect(superblock.usage.pages == 6)
        directory = fs!.root  // keep only the root
        fs = nil
        #expect(directory.metadata.ino == 1)
        #expect(superblock.usage.inodes == 1)  // the root, still held here
        #expect(superblock.usage.pages == 0)
    }
}
