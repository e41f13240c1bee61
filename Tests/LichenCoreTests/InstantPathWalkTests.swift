import Testing
@testable import LichenCore

extension VFSTests {
    /// The instant walk (stat and open without an async frame) finds what PathResolver finds, or
    /// declines (nil) and leaves the path to it; it never gives another answer.
    @Suite struct InstantPathWalkTests {
        func instant(_ fx: VFSFixture, _ path: String, from start: Location? = nil, follow: Bool = true,
                     context: FSContext? = nil) -> Location? {
            let bytes = vfsBytes(path)
            return bytes.withUnsafeBytes { (b: UnsafeRawBufferPointer) -> Location? in
                InstantPathWalk.resolve(b, from: start ?? fx.vfs.root, context: context ?? fx.context, mounts: fx.vfs.mounts,
                                        followLast: follow)?.location
            }
        }

        @Test func findsWhatTheFullWalkFinds() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/tmp")
            try await fx.mkdir("/tmp/d")
            try await fx.writeFile("/tmp/d/f", "x")
            try await fx.writeFile("/tmp/file", "y")
            for path in ["/tmp/file", "/tmp//d/./f", "tmp/d/f", "/", "/tmp/", "/tmp/d/.", "///tmp///file"] {
                var r = fx.vfs.resolver(fx.context)
                let full = try await r.resolve(vfsBytes(path), from: fx.vfs.root)
                let fast = instant(fx, path)
                #expect(fast.map { $0 == full } == true, "\(path)")
            }
            var r = fx.vfs.resolver(fx.context)
            let d = try await r.resolve(vfsBytes("/tmp/d"), from: fx.vfs.root)
            let f = try await r.resolve(vfsBytes("/tmp/d/f"), from: fx.vfs.root)
            #expect(instant(fx, "f", from: d).map { $0 == f } == true)
        }

        @Test func declinesWhatNeedsTheFullWalk() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/tmp")
            try await fx.mkdir("/tmp/private", 0o700)
            try await fx.writeFile("/tmp/file", "y")
            try await fx.writeFile("/tmp/private/secret", "z")
            try await fx.vfs.symlink(vfsBytes("/tmp/file"), at: vfsBytes("/tmp/link"), context: fx.context)
            #expect(instant(fx, "/tmp/missing") == nil)                   // ENOENT: the full walk says so
            #expect(instant(fx, "/tmp/file/x") == nil)                    // ENOTDIR
            #expect(instant(fx, "/tmp/file/") == nil)                     // a trailing slash on a file
            #expect(instant(fx, "/tmp/../tmp/file") == nil)               // ".."
            #expect(instant(fx, "/tmp/link") == nil)                      // a symlink to follow
            #expect(instant(fx, "") == nil)
            #expect(instant(fx, "/tmp/private/secret", context: fx.user(1000)) == nil)   // EACCES
            #expect(instant(fx, "/tmp/" + String(repeating: "n", count: 256)) == nil)    // ENAMETOOLONG
            // Not followed, a symlink is the answer.
            let link = instant(fx, "/tmp/link", follow: false)
            #expect(link?.metadata.isSymbolicLink == true)
        }

        /// The metadata it returns is the final inode's whole snapshot, whichever component was last
        /// (directories on the way are read only for their permissions).
        @Test func returnsTheLastInodesMetadata() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/tmp")
            try await fx.mkdir("/tmp/d")
            try await fx.writeFile("/tmp/d/f", "hello")
            for path in ["/tmp/d/f", "/", "/tmp/", "/tmp/d/.", "tmp/d"] {
                let found = vfsBytes(path).withUnsafeBytes { (b: UnsafeRawBufferPointer) in
                    InstantPathWalk.resolve(b, from: fx.vfs.root, context: fx.context, mounts: fx.vfs.mounts, followLast: true)
                }
                #expect(found.map { $0.metadata == $0.location.metadata } == true, "\(path)")
            }
            let file = instant(fx, "/tmp/d/f")
            #expect(file?.metadata.size == 5)
        }

        /// A directory's permissions are read at each walk, not remembered: a chmod or chown of a
        /// directory on the way changes the answer at once.
        @Test func directoryPermissionsAreCurrent() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/tmp")
            try await fx.mkdir("/tmp/d", 0o755)
            try await fx.writeFile("/tmp/d/f", "x")
            let user = fx.user(1000)
            #expect(instant(fx, "/tmp/d/f", context: user) != nil)
            try await fx.vfs.chmod(vfsBytes("/tmp/d"), mode: 0o700, context: fx.context)
            #expect(instant(fx, "/tmp/d/f", context: user) == nil)        // EACCES: the full walk says so
            try await fx.vfs.chown(vfsBytes("/tmp/d"), uid: 1000, gid: nil, context: fx.context)
            #expect(instant(fx, "/tmp/d/f", context: user) != nil)        // now the owner's bits apply
            let d = instant(fx, "/tmp/d")
            #expect(d.map { $0.inode.permissions == InodePermissions($0.metadata) } == true)
        }
    }
}
