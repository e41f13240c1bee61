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
    }
}
