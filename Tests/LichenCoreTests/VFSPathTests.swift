import Testing
@testable import LichenCore

extension VFSTests {
    /// Path walk: symlinks, "..", mounts, trailing slashes, limits, the working directory.
    @Suite struct PathTests {
        func symlink(_ fx: VFSFixture, _ target: String, _ path: String) async throws(Errno) {
            try await fx.vfs.symlink(vfsBytes(target), at: vfsBytes(path), context: fx.context)
        }

        @Test func containingDirectoryFollowsLinksInTheLastComponent() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/bin")
            try await fx.mkdir("/w")
            try await fx.writeFile("/bin/busybox", "elf")
            try await symlink(fx, "busybox", "/bin/sh")
            try await symlink(fx, "../bin/sh", "/w/sh")
            var r = fx.vfs.resolver(fx.context)
            let found = try await r.containingDirectory(vfsBytes("/w/sh"), from: fx.vfs.root)
            #expect(found?.name == vfsBytes("busybox"))
            if let found { #expect(try await fx.vfs.path(of: found.directory, context: fx.context) == vfsBytes("/bin")) }
            let plain = try await r.containingDirectory(vfsBytes("/bin/busybox"), from: fx.vfs.root)
            #expect(plain?.name == vfsBytes("busybox"))
            #expect(try await r.containingDirectory(vfsBytes("/bin/.."), from: fx.vfs.root) == nil)
        }

        @Test func symlinksAbsoluteRelativeAndChained() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/a")
            try await fx.mkdir("/a/b")
            try await fx.writeFile("/a/b/f", "target")
            try await symlink(fx, "b/f", "/a/rel")  // relative to the link's directory
            try await symlink(fx, "/a/b", "/abs")
            try await symlink(fx, "../../a/rel", "/a/b/up")
            try await symlink(fx, "abs", "/chain")
            #expect(try await fx.readFile("/a/rel") == "target")
            #expect(try await fx.readFile("/abs/f") == "target")
            #expect(try await fx.readFile("/a/b/up") == "target")
            #expect(try await fx.readFile("/chain/f") == "target")
            #expect(try await fx.vfs.readlink(vfsBytes("/a/rel"), context: fx.context) == vfsBytes("b/f"))
            #expect(await vfsError { _ = try await fx.vfs.readlink(vfsBytes("/a/b/f"), context: fx.context) } == .EINVAL)
            let l = try await fx.stat("/a/rel", follow: false)
            #expect(l.type == .symbolicLink && l.size == 3 && l.mode & 0o777 == 0o777)
            #expect(try await fx.stat("/a/rel").type == .regular)
            // Dangling links: ENOENT when followed; O_CREAT creates the target.
            try await symlink(fx, "/a/new", "/dangling")
            #expect(await vfsError { _ = try await fx.stat("/dangling") } == .ENOENT)
            _ = try await fx.open("/dangling", [.O_CREAT, .O_WRONLY])
            #expect(try await fx.stat("/a/new").type == .regular)
            // O_NOFOLLOW on a symlink: ELOOP; O_CREAT|O_EXCL on one: EEXIST.
            #expect(await vfsError { _ = try await fx.open("/a/rel", [.O_RDONLY, .O_NOFOLLOW]) } == .ELOOP)
            #expect(await vfsError { _ = try await fx.open("/a/rel", [.O_CREAT, .O_EXCL, .O_WRONLY]) } == .EEXIST)
            #expect(await vfsError { try await symlink(fx, "", "/empty") } == .ENOENT)
            #expect(await vfsError { try await symlink(fx, "x", "/a/rel") } == .EEXIST)
        }

        @Test func symlinkLoopsAndTheFortyLimit() async throws {
            let fx = VFSFixture()
            try await symlink(fx, "/loop2", "/loop1")
            try await symlink(fx, "/loop1", "/loop2")
            try await symlink(fx, "self", "/self")
            #expect(await vfsError { _ = try await fx.stat("/loop1") } == .ELOOP)
            #expect(await vfsError { _ = try await fx.stat("/self/x") } == .ELOOP)
            #expect(await vfsError { _ = try await fx.open("/loop1", [.O_CREAT, .O_WRONLY]) } == .ELOOP)
            // lstat does not follow the last link.
            #expect(try await fx.stat("/loop1", follow: false).type == .symbolicLink)
            // A chain of 40 links resolves; 41 is too many.
            try await fx.writeFile("/end", "x")
            try await symlink(fx, "/end", "/l0")
            for i in 1...40 { try await symlink(fx, "/l\(i - 1)", "/l\(i)") }
            #expect(try await fx.stat("/l39").type == .regular)  // 40 links
            #expect(await vfsError { _ = try await fx.stat("/l40") } == .ELOOP)  // 41 links
        }

        @Test func dotDotAcrossMountsAndAtRoot() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/mnt")
            try await fx.mkdir("/mnt/hidden")
            try await fx.writeFile("/top", "top")
            let other = Tmpfs(device: DeviceNumber(major: 0, minor: 21), clock: fx.clock.clock)
            try await fx.vfs.mount(other, on: vfsBytes("/mnt"), context: fx.context)
            try await fx.mkdir("/mnt/inner")
            // The mount covers the directory's old contents.
            #expect(try await fx.list("/mnt") == ["inner"])
            #expect(try await fx.stat("/mnt").device == DeviceNumber(major: 0, minor: 21))
            #expect(try await fx.stat("/mnt/inner").device == DeviceNumber(major: 0, minor: 21))
            // ".." from the mount root goes to the parent mount.
            #expect(try await fx.readFile("/mnt/../top") == "top")
            #expect(try await fx.readFile("/mnt/inner/../../top") == "top")
            #expect(try await fx.stat("/mnt/..").ino == fx.stat("/").ino)
            // ".." at the root stays at the root.
            #expect(try await fx.stat("/../../..").ino == fx.stat("/").ino)
            #expect(try await fx.readFile("/../top") == "top")
            // getcwd through the mount.
            var ctx = fx.context
            ctx.cwd = try await fx.vfs.chdir(vfsBytes("/mnt/inner"), context: ctx)
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/mnt/inner"))
            #expect(try await fx.vfs.resolve(vfsBytes("../../top"), context: ctx).metadata.isRegular)
            #expect(fx.vfs.mounts.all.count == 2)
            #expect(try await fx.vfs.path(of: fx.vfs.mounts.all[1], context: fx.context) == vfsBytes("/mnt"))
            #expect(try await fx.vfs.path(of: fx.vfs.rootMount, context: fx.context) == vfsBytes("/"))
            // Busy: a mount under it. Not a mount root: EINVAL.
            try await fx.vfs.mount(Tmpfs(device: DeviceNumber(major: 0, minor: 22), clock: fx.clock.clock),
                                   on: vfsBytes("/mnt/inner"), context: fx.context)
            #expect(await vfsError { try await fx.vfs.unmount(vfsBytes("/mnt"), context: fx.context) } == .EBUSY)
            #expect(await vfsError { try await fx.vfs.unmount(vfsBytes("/top"), context: fx.context) } == .EINVAL)
            #expect(await vfsError { try await fx.vfs.unmount(vfsBytes("/"), context: fx.context) } == .EINVAL)
            try await fx.vfs.unmount(vfsBytes("/mnt/inner"), context: fx.context)
            try await fx.vfs.unmount(vfsBytes("/mnt"), context: fx.context)
            #expect(try await fx.list("/mnt") == ["hidden"])
            #expect(await vfsError { try await fx.vfs.unmount(vfsBytes("/mnt"), context: fx.user(5)) } == .EPERM)
        }

        @Test func chrootLikeContextRoot() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/jail")
            try await fx.writeFile("/jail/in", "in")
            try await fx.writeFile("/out", "out")
            var ctx = fx.context
            ctx.root = try await fx.vfs.resolve(vfsBytes("/jail"), context: ctx)
            ctx.cwd = ctx.root
            #expect(try await fx.vfs.resolve(vfsBytes("/../../in"), context: ctx).metadata.isRegular)
            #expect(await vfsError { _ = try await fx.vfs.resolve(vfsBytes("../out"), context: ctx) } == .ENOENT)
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/"))
        }

        @Test func trailingSlashRules() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/d")
            try await fx.writeFile("/f", "x")
            try await symlink(fx, "d", "/ld")
            try await symlink(fx, "f", "/lf")
            #expect(try await fx.stat("/d/").type == .directory)
            #expect(await vfsError { _ = try await fx.stat("/f/") } == .ENOTDIR)
            #expect(await vfsError { _ = try await fx.open("/f/", .O_RDONLY) } == .ENOTDIR)
            // A trailing slash follows a final symlink even without following (lstat "ld/").
            #expect(try await fx.stat("/ld/", follow: false).type == .directory)
            #expect(try await fx.stat("/ld", follow: false).type == .symbolicLink)
            #expect(await vfsError { _ = try await fx.stat("/lf/", follow: false) } == .ENOTDIR)
            // Creation: mkdir accepts it; a new file does not.
            try await fx.mkdir("/new/")
            #expect(await vfsError { _ = try await fx.open("/g/", [.O_CREAT, .O_WRONLY]) } == .EISDIR)
            #expect(await vfsError { try await fx.vfs.mknod(vfsBytes("/g/"), mode: 0o644, context: fx.context) } == .ENOENT)
            #expect(await vfsError { try await symlink(fx, "x", "/g/") } == .ENOENT)
            #expect(await vfsError { _ = try await fx.open("/lf/", [.O_CREAT, .O_WRONLY]) } == .ENOTDIR)
            #expect(await vfsError { _ = try await fx.open("/ld/", [.O_CREAT, .O_RDONLY]) } == .EISDIR)
            #expect(await vfsError { _ = try await fx.open("/f/", [.O_CREAT, .O_WRONLY]) } == .ENOTDIR)
            // O_DIRECTORY wants a directory.
            #expect(await vfsError { _ = try await fx.open("/f", [.O_RDONLY, .O_DIRECTORY]) } == .ENOTDIR)
            _ = try await fx.open("/ld", [.O_RDONLY, .O_DIRECTORY])
            #expect(try await fx.stat("/d/.").ino == fx.stat("/d").ino)
            #expect(try await fx.stat("//d//.//").ino == fx.stat("/d").ino)
        }

        @Test func componentErrorsAndLimits() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            #expect(await vfsError { _ = try await fx.stat("") } == .ENOENT)
            #expect(await vfsError { _ = try await fx.stat("/f/x") } == .ENOTDIR)
            #expect(await vfsError { _ = try await fx.stat("/nope/x") } == .ENOENT)
            let long = String(repeating: "n", count: 256)
            #expect(await vfsError { _ = try await fx.stat("/" + long) } == .ENAMETOOLONG)
            #expect(await vfsError { _ = try await fx.open("/" + long, [.O_CREAT, .O_WRONLY]) } == .ENAMETOOLONG)
            try await fx.writeFile("/" + String(repeating: "n", count: 255), "ok")
            // PATH_MAX counts the NUL: 4095 bytes is the longest path.
            let deep = String(repeating: "./", count: 2046) + "f"  // 4093 bytes
            #expect(try await fx.stat(deep).type == .regular)
            #expect(await vfsError { _ = try await fx.stat(String(repeating: "/", count: 4095) + "f") } == .ENAMETOOLONG)
            // A relative path needs a directory to start from.
            let file = try await fx.vfs.resolve(vfsBytes("/f"), context: fx.context)
            #expect(await vfsError { _ = try await fx.vfs.resolve(vfsBytes("x"), at: file, context: fx.context) } == .ENOTDIR)
        }

        @Test func getcwdAndChdir() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/a")
            try await fx.mkdir("/a/b")
            try await fx.writeFile("/a/f", "")
            var ctx = fx.context
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/"))
            ctx.cwd = try await fx.vfs.chdir(vfsBytes("/a/b"), context: ctx)
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/a/b"))
            ctx.cwd = try await fx.vfs.chdir(vfsBytes(".."), context: ctx)
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/a"))
            #expect(await vfsError { _ = try await fx.vfs.chdir(vfsBytes("f"), context: ctx) } == .ENOTDIR)
            // Relative names resolve from the cwd; renaming the cwd is seen by getcwd.
            try await fx.vfs.rename(vfsBytes("/a"), to: vfsBytes("/z"), context: ctx)
            #expect(try await fx.vfs.path(context: ctx) == vfsBytes("/z"))
            #expect(try await fx.vfs.resolve(vfsBytes("f"), context: ctx).metadata.isRegular)
            // A removed cwd: ENOENT.
            ctx.cwd = try await fx.vfs.chdir(vfsBytes("/z/b"), context: ctx)
            try await fx.vfs.rmdir(vfsBytes("/z/b"), context: ctx)
            #expect(await vfsError { _ = try await fx.vfs.path(context: ctx) } == .ENOENT)
            #expect(await vfsError { _ = try await fx.vfs.resolve(vfsBytes("x"), context: ctx) } == .ENOENT)
            #expect(try await fx.vfs.resolve(vfsBytes(".."), context: ctx).inode === fx.vfs.resolve(vfsBytes("/z"), context: ctx).inode)
        }
    }
}
