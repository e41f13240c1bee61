import Testing
@testable import LichenCore

extension VFSTests {
    @Suite struct RenameTests {
        func rename(_ fx: VFSFixture, _ a: String, _ b: String, _ flags: RenameFlags = []) async throws(Errno) {
            try await fx.vfs.rename(vfsBytes(a), to: vfsBytes(b), flags: flags, context: fx.context)
        }

        @Test func fileOverFile() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/a", "A")
            try await fx.writeFile("/b", "B")
            let held = try await fx.open("/b", .O_RDONLY)
            try await rename(fx, "/a", "/b")
            #expect(try await fx.list("/") == ["b"])
            #expect(try await fx.readFile("/b") == "A")
            #expect(held.status.nlink == 0)  // the replaced file lost its name
            #expect(try await vfsReadAll(held) == vfsBytes("B"))
        }

        @Test func directoryCases() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/a")
            try await fx.mkdir("/a/sub")
            try await fx.mkdir("/empty")
            try await fx.mkdir("/full")
            try await fx.writeFile("/full/x", "")
            try await fx.writeFile("/file", "")
            // A directory over an empty one replaces it.
            try await rename(fx, "/a", "/empty")
            #expect(try await fx.list("/") == ["empty", "file", "full"])
            #expect(try await fx.list("/empty") == ["sub"])
            // Over a non-empty directory: ENOTEMPTY; directory/file mismatches.
            #expect(await vfsError { try await rename(fx, "/empty", "/full") } == .ENOTEMPTY)
            #expect(await vfsError { try await rename(fx, "/empty", "/file") } == .ENOTDIR)
            #expect(await vfsError { try await rename(fx, "/file", "/full") } == .EISDIR)
            // Into its own subtree: EINVAL. Onto an ancestor: ENOTEMPTY.
            #expect(await vfsError { try await rename(fx, "/empty", "/empty/sub/inside") } == .EINVAL)
            #expect(await vfsError { try await rename(fx, "/empty", "/empty/new") } == .EINVAL)
            #expect(await vfsError { try await rename(fx, "/empty/sub", "/empty") } == .ENOTEMPTY)
            // "." and "..": EBUSY; missing source: ENOENT; trailing slash on a file: ENOTDIR.
            #expect(await vfsError { try await rename(fx, "/empty/.", "/z") } == .EBUSY)
            #expect(await vfsError { try await rename(fx, "/z", "/y") } == .ENOENT)
            #expect(await vfsError { try await rename(fx, "/file/", "/y") } == .ENOTDIR)
            #expect(await vfsError { try await rename(fx, "/file", "/y/") } == .ENOTDIR)
            try await rename(fx, "/empty/", "/moved/")
            #expect(try await fx.list("/moved") == ["sub"])
            // ".." of the moved subdirectory follows it.
            #expect(try await fx.stat("/moved/sub/..").ino == fx.stat("/moved").ino)
            // RENAME_NOREPLACE, and renaming a name onto another name of the same file.
            #expect(await vfsError { try await rename(fx, "/file", "/full/x", .noReplace) } == .EEXIST)
            try await fx.vfs.link(vfsBytes("/file"), to: vfsBytes("/hard"), context: fx.context)
            try await rename(fx, "/file", "/hard")
            #expect(try await fx.list("/") == ["file", "full", "hard", "moved"])
            #expect(await vfsError { try await rename(fx, "/file", "/x", .exchange) } == .EINVAL)
        }

        @Test func acrossMountsIsEXDEV() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/mnt")
            try await fx.writeFile("/f", "x")
            let other = Tmpfs(device: DeviceNumber(major: 0, minor: 21), clock: fx.clock.clock)
            try await fx.vfs.mount(other, on: vfsBytes("/mnt"), context: fx.context)
            #expect(await vfsError { try await rename(fx, "/f", "/mnt/f") } == .EXDEV)
            #expect(await vfsError { try await fx.vfs.link(vfsBytes("/f"), to: vfsBytes("/mnt/f"), context: fx.context) } == .EXDEV)
            // The filesystem refuses too if asked directly.
            #expect(await vfsError {
                try await fx.tmpfs.root.rename(vfsBytes("f"), to: other.root, as: vfsBytes("f"), flags: [])
            } == .EXDEV)
            // Renaming a mountpoint is EBUSY.
            #expect(await vfsError { try await rename(fx, "/mnt", "/mnt2") } == .EBUSY)
            #expect(await vfsError { try await fx.vfs.rmdir(vfsBytes("/mnt"), context: fx.context) } == .EBUSY)
        }

        @Test func timestampsChange() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/a")
            try await fx.mkdir("/b")
            try await fx.writeFile("/a/f", "x")
            let a0 = try await fx.stat("/a"), b0 = try await fx.stat("/b"), f0 = try await fx.stat("/a/f")
            try await rename(fx, "/a/f", "/b/f")
            let a1 = try await fx.stat("/a"), b1 = try await fx.stat("/b"), f1 = try await fx.stat("/b/f")
            #expect(a1.mtime > a0.mtime && a1.ctime > a0.ctime)
            #expect(b1.mtime > b0.mtime && b1.ctime > b0.ctime)
            #expect(f1.ctime > f0.ctime)
            #expect(f1.mtime == f0.mtime)  // the contents did not change
        }
    }
}
