import Testing
@testable import LichenCore

extension VFSTests {
    /// Credentials, access checks, umask, ownership rules.
    @Suite struct PermissionTests {
        @Test func permitsFollowsLinuxClasses() {
            let user = Credentials(uid: 1000, gid: 100, groups: [20])
            #expect(user.permits(.read, mode: 0o400, uid: 1000, gid: 0))
            #expect(!user.permits(.write, mode: 0o477, uid: 1000, gid: 0))  // no fall-through to group/other
            #expect(user.permits([.read, .write], mode: 0o060, uid: 0, gid: 100))
            #expect(user.permits(.execute, mode: 0o010, uid: 0, gid: 20))  // supplementary group
            #expect(!user.permits(.read, mode: 0o704, uid: 0, gid: 20))  // group class chosen: no read
            #expect(user.permits(.read, mode: 0o004, uid: 0, gid: 0))
            #expect(!user.permits(.read, mode: 0o770, uid: 0, gid: 0))
            let root = Credentials.root
            #expect(root.permits([.read, .write], mode: 0o000, uid: 5, gid: 5))
            #expect(root.permits(.execute, mode: FileMode.S_IFDIR, uid: 5, gid: 5))  // search any directory
            #expect(!root.permits(.execute, mode: FileMode.S_IFREG | 0o600, uid: 5, gid: 5))  // no x bit at all
            #expect(root.permits(.execute, mode: FileMode.S_IFREG | 0o001, uid: 5, gid: 5))
            var setfs = Credentials.root
            _ = setfs.setFSUID(1000)
            #expect(!setfs.has(.CAP_DAC_OVERRIDE) && !setfs.permits(.read, mode: 0o600, uid: 5, gid: 5))
            #expect(setfs.forRealIDs.has(.CAP_DAC_OVERRIDE))      // access(): the real uid is root
        }

        @Test func privateDirectoryAndRootBypass() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/secret", 0o700)
            try await fx.writeFile("/secret/f", "s")
            let user = fx.user(1000)
            #expect(await vfsError { _ = try await fx.stat("/secret/f", context: user) } == .EACCES)
            #expect(await vfsError { _ = try await fx.open("/secret", .O_RDONLY, context: user) } == .EACCES)
            #expect(await vfsError { _ = try await fx.vfs.chdir(vfsBytes("/secret"), context: user) } == .EACCES)
            #expect(await vfsError { try await fx.mkdir("/secret/x", context: user) } == .EACCES)
            #expect(await vfsError { try await fx.vfs.unlink(vfsBytes("/secret/f"), context: user) } == .EACCES)
            #expect(await vfsError { try await fx.writeFile("/x", "x", context: user) } == .EACCES)  // / is 0755
            // The directory itself can be stat'ed (search on "/" suffices).
            #expect(try await fx.stat("/secret", context: user).mode & 0o777 == 0o700)
            // Root passes regardless.
            try await fx.vfs.chmod(vfsBytes("/secret/f"), mode: 0, context: fx.context)
            #expect(try await fx.readFile("/secret/f") == "s")
            // Owned by the user: the user gets in, others do not.
            try await fx.vfs.chown(vfsBytes("/secret"), uid: 1000, gid: nil, context: fx.context)
            _ = try await fx.stat("/secret/f", context: user)
            #expect(await vfsError { _ = try await fx.readFile("/secret/f", context: user) } == .EACCES)  // mode 0
            #expect(await vfsError { _ = try await fx.stat("/secret/f", context: fx.user(1001)) } == .EACCES)
            // A read-only file cannot be opened for writing or truncated by its owner.
            try await fx.writeFile("/secret/ro", "r", context: user)
            try await fx.vfs.chmod(vfsBytes("/secret/ro"), mode: 0o444, context: user)
            #expect(await vfsError { _ = try await fx.open("/secret/ro", .O_WRONLY, context: user) } == .EACCES)
            #expect(await vfsError { _ = try await fx.open("/secret/ro", [.O_RDONLY, .O_TRUNC], context: user) } == .EACCES)
            #expect(await vfsError { try await fx.vfs.truncate(vfsBytes("/secret/ro"), size: 0, context: user) } == .EACCES)
        }

        @Test func accessUsesRealIDs() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            try await fx.vfs.chmod(vfsBytes("/f"), mode: 0o600, context: fx.context)
            var setuid = fx.user(1000)
            setuid.credentials.euid = 0
            setuid.credentials.fsuid = 0
            _ = try await fx.open("/f", .O_RDWR, context: setuid)  // effective root
            #expect(await vfsError { try await fx.vfs.access(vfsBytes("/f"), mode: .read, context: setuid) } == .EACCES)
            try await fx.vfs.access(vfsBytes("/f"), mode: .read, effectiveIDs: true, context: setuid)
            try await fx.vfs.access(vfsBytes("/f"), mode: [], context: fx.user(1000))  // F_OK
            #expect(await vfsError { try await fx.vfs.access(vfsBytes("/f"), mode: .execute, context: fx.context) } == .EACCES)
            #expect(await vfsError { try await fx.vfs.access(vfsBytes("/g"), mode: [], context: fx.context) } == .ENOENT)
        }

        @Test func umaskAndModes() async throws {
            var fx = VFSFixture(umask: 0o027)
            _ = try await fx.open("/f", [.O_CREAT, .O_WRONLY], mode: 0o666)
            #expect(try await fx.stat("/f").mode == FileMode.S_IFREG | 0o640)
            try await fx.mkdir("/d", 0o777)
            #expect(try await fx.stat("/d").mode == FileMode.S_IFDIR | 0o750)
            fx.context.umask = 0
            try await fx.mkdir("/s", 0o1777)
            #expect(try await fx.stat("/s").mode == FileMode.S_IFDIR | 0o1777)
            try await fx.vfs.symlink(vfsBytes("f"), at: vfsBytes("/l"), context: fx.context)
            #expect(try await fx.stat("/l", follow: false).mode == FileMode.S_IFLNK | 0o777)
            // A new file is opened as asked even if its mode forbids it.
            let f = try await fx.open("/ro", [.O_CREAT, .O_RDWR], mode: 0o444)
            #expect(try await vfsWrite(f, vfsBytes("ok")) == 2)
            #expect(try await fx.stat("/ro").mode & 0o777 == 0o444)
        }

        @Test func ownershipRules() async throws {
            let fx = VFSFixture()
            let ctx = fx.context
            try await fx.mkdir("/home", 0o777)
            try await fx.vfs.chmod(vfsBytes("/home"), mode: 0o777, context: ctx)
            let user = fx.user(1000, gid: 100, groups: [20])
            try await fx.writeFile("/home/f", "x", context: user)
            var st = try await fx.stat("/home/f")
            #expect(st.uid == 1000 && st.gid == 100)
            // chmod: owner or root; others EPERM.
            try await fx.vfs.chmod(vfsBytes("/home/f"), mode: 0o4755, context: user)
            #expect(await vfsError { try await fx.vfs.chmod(vfsBytes("/home/f"), mode: 0o777, context: fx.user(1001)) } == .EPERM)
            // chown: only root gives files away; the owner may change the group to one of its own.
            #expect(await vfsError { try await fx.vfs.chown(vfsBytes("/home/f"), uid: 1001, gid: nil, context: user) } == .EPERM)
            #expect(await vfsError { try await fx.vfs.chown(vfsBytes("/home/f"), uid: nil, gid: 30, context: user) } == .EPERM)
            try await fx.vfs.chown(vfsBytes("/home/f"), uid: 1000, gid: 20, context: user)
            st = try await fx.stat("/home/f")
            #expect(st.gid == 20)
            #expect(st.mode & FileMode.S_ISUID == 0)  // chown drops setuid
            // setgid: dropped by chmod unless in the group.
            try await fx.vfs.chown(vfsBytes("/home/f"), uid: nil, gid: 50, context: ctx)
            try await fx.vfs.chmod(vfsBytes("/home/f"), mode: 0o2755, context: user)
            #expect(try await fx.stat("/home/f").mode & 0o7777 == 0o755)
            // A setgid directory passes its group on, and its setgid bit to subdirectories.
            try await fx.mkdir("/shared")
            try await fx.vfs.chown(vfsBytes("/shared"), uid: nil, gid: 77, context: ctx)
            try await fx.vfs.chmod(vfsBytes("/shared"), mode: 0o2777, context: ctx)
            try await fx.writeFile("/shared/f", "", context: user)
            try await fx.mkdir("/shared/d", 0o755, context: user)
            #expect(try await fx.stat("/shared/f").gid == 77)
            #expect(try await fx.stat("/shared/d").gid == 77)
            #expect(try await fx.stat("/shared/d").mode & FileMode.S_ISGID != 0)
        }

        @Test func stickyDirectory() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/tmp")
            try await fx.vfs.chmod(vfsBytes("/tmp"), mode: 0o1777, context: fx.context)
            let alice = fx.user(1000), bob = fx.user(1001)
            try await fx.writeFile("/tmp/a", "a", context: alice)
            #expect(await vfsError { try await fx.vfs.unlink(vfsBytes("/tmp/a"), context: bob) } == .EPERM)
            #expect(await vfsError { try await fx.vfs.rename(vfsBytes("/tmp/a"), to: vfsBytes("/tmp/b"), context: bob) } == .EPERM)
            try await fx.vfs.rename(vfsBytes("/tmp/a"), to: vfsBytes("/tmp/b"), context: alice)
            try await fx.vfs.unlink(vfsBytes("/tmp/b"), context: alice)
        }

        @Test func utimensPermissions() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            try await fx.vfs.chmod(vfsBytes("/f"), mode: 0o666, context: fx.context)
            let user = fx.user(1000)
            let t = Timespec(seconds: 42, nanoseconds: 7)
            #expect(await vfsError {
                try await fx.vfs.utimens(vfsBytes("/f"), atime: .time(t), mtime: nil, context: user)
            } == .EPERM)
            try await fx.vfs.utimens(vfsBytes("/f"), atime: .now, mtime: .now, context: user)  // write permission suffices
            try await fx.vfs.utimens(vfsBytes("/f"), atime: .time(t), mtime: nil, context: fx.context)
            let st = try await fx.stat("/f")
            #expect(st.atime == t)
            #expect(st.mtime != t)
            try await fx.vfs.chmod(vfsBytes("/f"), mode: 0o644, context: fx.context)
            #expect(await vfsError { try await fx.vfs.utimens(vfsBytes("/f"), atime: .now, mtime: nil, context: user) } == .EACCES)
        }
    }
}
