import Testing
@testable import LichenCore

/// openat2's RESOLVE_* restrictions in the path walk.
@Suite struct ResolveFlagsTests {
    func open(_ fx: VFSFixture, _ path: String, at dir: Location, _ r: ResolveFlags) async throws(Errno) -> OpenFile {
        try await fx.vfs.open(vfsBytes(path), flags: .O_RDONLY, at: dir, context: fx.context, restrictions: r)
    }

    @Test func restrictions() async throws {
        let fx = VFSFixture()
        try await fx.mkdir("/d")
        try await fx.mkdir("/d/sub")
        try await fx.writeFile("/d/sub/f", "x")
        try await fx.writeFile("/top", "y")
        try await fx.vfs.symlink(vfsBytes("sub/f"), at: vfsBytes("/d/rel"), context: fx.context)
        try await fx.vfs.symlink(vfsBytes("/top"), at: vfsBytes("/d/abs"), context: fx.context)
        let d = try await fx.vfs.resolve(vfsBytes("/d"), context: fx.context)
        _ = try await open(fx, "rel", at: d, [])
        #expect(await vfsError { _ = try await open(fx, "rel", at: d, .noSymlinks) } == .ELOOP)
        _ = try await open(fx, "sub/../sub/f", at: d, .beneath)
        #expect(await vfsError { _ = try await open(fx, "../top", at: d, .beneath) } == .EXDEV)
        #expect(await vfsError { _ = try await open(fx, "/top", at: d, .beneath) } == .EXDEV)
        #expect(await vfsError { _ = try await open(fx, "abs", at: d, .beneath) } == .EXDEV)
        // In root: "/" and ".." are the start directory.
        _ = try await open(fx, "/sub/f", at: d, .inRoot)
        _ = try await open(fx, "../../sub/f", at: d, .inRoot)
        #expect(await vfsError { _ = try await open(fx, "abs", at: d, .inRoot) } == .ENOENT)
        _ = try await open(fx, "/d/sub/f", at: d, .noXdev)
    }
}
