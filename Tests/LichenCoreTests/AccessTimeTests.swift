import Testing
@testable import LichenCore

extension VFSTests {
    /// Access times as Linux keeps them: relatime by default, strictatime, noatime, nodiratime,
    /// read-only mounts and O_NOATIME (atime_needs_update), decided once in the VFS.
    @Suite struct AccessTimeTests {
        let day: Int64 = 86_400

        @Test func relativeRule() {
            let t = Timespec(seconds: 10 * day)
            let r = AccessTimeUpdate.relative
            // Not after mtime or ctime: due.
            #expect(r.isDue(atime: t, mtime: t, ctime: Timespec(seconds: 0), now: Timespec(seconds: t.seconds + 5)))
            #expect(r.isDue(atime: t, mtime: Timespec(seconds: 0), ctime: Timespec(seconds: t.seconds + 1), now: Timespec(seconds: t.seconds + 5)))
            // After both and younger than a day: not due; a day old: due.
            let old = Timespec(seconds: 0)
            #expect(!r.isDue(atime: t, mtime: old, ctime: old, now: Timespec(seconds: t.seconds + day - 1)))
            #expect(r.isDue(atime: t, mtime: old, ctime: old, now: Timespec(seconds: t.seconds + day)))
            // strictatime: always, unless the time would not change.
            #expect(AccessTimeUpdate.always.isDue(atime: t, mtime: old, ctime: old, now: Timespec(seconds: t.seconds + 1)))
            #expect(!AccessTimeUpdate.always.isDue(atime: t, mtime: old, ctime: old, now: t))
        }

        @Test func mountOptionsPickTheRule() {
            func rule(_ f: MountFlags, dir: Bool = false) -> AccessTimeUpdate? { AccessTimeUpdate.forMount(f, directory: { dir }) }
            #expect(rule([.relAtime]) == .relative)
            #expect(rule([]) == .always)                     // MS_STRICTATIME leaves relatime out
            #expect(rule([.noAtime]) == nil)
            #expect(rule([.relAtime, .readOnly]) == nil)
            #expect(rule([.relAtime, .noDirAtime]) == .relative)
            #expect(rule([.relAtime, .noDirAtime], dir: true) == nil)
        }

        @Test func readsThroughTheMount() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            try await fx.mkdir("/d")
            let f = try await fx.open("/f", .O_RDONLY)
            // relatime: the first read after the change moves atime, a second one does not.
            let a0 = try await fx.stat("/f").atime
            _ = try await vfsRead(f, count: 1, at: 0)
            let a1 = try await fx.stat("/f").atime
            #expect(a1 > a0)
            _ = try await vfsRead(f, count: 1, at: 0)
            #expect(try await fx.stat("/f").atime == a1)
            // An empty read is not an access.
            fx.vfs.rootMount.setFlags([])                    // strictatime
            _ = try await vfsRead(f, count: 0, at: 0)
            #expect(try await fx.stat("/f").atime == a1)
            _ = try await vfsRead(f, count: 1, at: 0)
            let a2 = try await fx.stat("/f").atime
            #expect(a2 > a1)
            // O_NOATIME and noatime record nothing.
            let n = try await fx.open("/f", [.O_RDONLY, .O_NOATIME])
            _ = try await vfsRead(n, count: 1, at: 0)
            #expect(try await fx.stat("/f").atime == a2)
            fx.vfs.rootMount.setFlags([.noAtime])
            _ = try await vfsRead(f, count: 1, at: 0)
            #expect(try await fx.stat("/f").atime == a2)
            // nodiratime: getdents leaves the directory alone, file reads still count.
            fx.vfs.rootMount.setFlags([.noDirAtime])
            let d = try await fx.open("/d", [.O_RDONLY, .O_DIRECTORY])
            let d0 = try await fx.stat("/d").atime
            _ = try await vfsGetdents(d, size: 4096)
            #expect(try await fx.stat("/d").atime == d0)
            _ = try await vfsRead(f, count: 1, at: 0)
            #expect(try await fx.stat("/f").atime > a2)
            fx.vfs.rootMount.setFlags([])
            let d2 = try await fx.open("/d", [.O_RDONLY, .O_DIRECTORY])
            _ = try await vfsGetdents(d2, size: 4096)
            #expect(try await fx.stat("/d").atime > d0)
            // A read-only mount records nothing; ctime never moves with atime.
            let c = try await fx.stat("/f").ctime
            fx.vfs.rootMount.setFlags([.readOnly])
            let a3 = try await fx.stat("/f").atime
            _ = try await vfsRead(f, count: 1, at: 0)
            #expect(try await fx.stat("/f").atime == a3)
            #expect(try await fx.stat("/f").ctime == c)
        }

        @Test func readlinkAndFollowing() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            try await fx.vfs.symlink(vfsBytes("f"), at: vfsBytes("/l"), context: fx.context)
            fx.vfs.rootMount.setFlags([])
            let l0 = try await fx.stat("/l", follow: false).atime
            _ = try await fx.vfs.readlink(vfsBytes("/l"), context: fx.context)
            let l1 = try await fx.stat("/l", follow: false).atime
            #expect(l1 > l0)
            _ = try await fx.open("/l", .O_RDONLY)            // following the link reads it
            #expect(try await fx.stat("/l", follow: false).atime > l1)
        }
    }
}
