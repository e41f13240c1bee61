import Testing
@testable import LichenCore

/// tmpfs as a page cache (mmap's view of a file), file seals and memfd's argument rules.
@Suite struct FilePageCacheTests {
    private func file(_ sizeLimit: Int64? = nil) async throws -> (OpenFile, TmpfsFile) {
        let clock = VFSTestClock()
        let fs = Tmpfs(device: DeviceNumber(major: 0, minor: 31), clock: clock.clock, sizeLimit: sizeLimit)
        let vfs = VFS(root: fs)
        let f = try await vfs.open(vfsBytes("/f"), flags: [.O_CREAT, .O_RDWR], mode: 0o644, context: vfs.context())
        return (f, f.inode as! TmpfsFile)
    }

    @Test func mapPageIsTheFileData() async throws {
        let (f, cache) = try await file()
        #expect(try await vfsWrite(f, Array("hello".utf8)) == 5)
        guard case .page(let p) = cache.mapPage(at: 0) else { Issue.record("no page"); return }
        #expect(p.load(as: UInt8.self) == UInt8(ascii: "h"))
        p.storeBytes(of: UInt8(ascii: "j"), as: UInt8.self)          // a write through a mapping
        #expect(try await vfsRead(f, count: 5, at: 0) == Array("jello".utf8))
        #expect(try await vfsWrite(f, Array("y".utf8), at: 1) == 1)    // and the reverse
        #expect((p + 1).load(as: UInt8.self) == UInt8(ascii: "y"))
        // Past the end of the file (rounded up to a page): SIGBUS.
        guard case .beyondEnd = cache.mapPage(at: 1) else { Issue.record("page 1 exists"); return }
        guard case .beyondEnd = cache.mapPage(at: -1) else { Issue.record("negative index"); return }
        // The largest file size: rounding it up to pages must not overflow.
        try await f.truncate(to: Int64.max)
        guard case .beyondEnd = cache.mapPage(at: Int64.max) else { Issue.record("page past Int64.max"); return }
        try await f.truncate(to: Int64.max - 1)
    }

    @Test func holesAreAllocatedAndChargedWhenMapped() async throws {
        let (f, cache) = try await file(4096)
        try await f.truncate(to: 3 * 4096)
        guard case .page = cache.mapPage(at: 2) else { Issue.record("hole not allocated"); return }
        #expect(cache.metadata.blocks == 8)
        // The filesystem is full now: another hole cannot be filled (SIGBUS on Linux too).
        guard case .noSpace = cache.mapPage(at: 0) else { Issue.record("expected noSpace"); return }
    }

    @Test func shrinkingAMappedFileTellsTheMappings() async throws {
        let (f, cache) = try await file()
        try await f.truncate(to: 3 * 4096)
        let seen = SpinLock<[Int64]>([])
        FilePageCacheEvents.truncated = { c, size in if c === cache { seen.withLock { $0.append(size) } } }
        try await f.truncate(to: 4096)                      // not mapped: nobody to tell
        #expect(try cache.mappingAdded(sharedWritable: true, writing: true))
        try await f.truncate(to: 100)
        try await f.truncate(to: 8192)                      // growing unmaps nothing
        cache.mappingRemoved(sharedWritable: true)
        try await f.truncate(to: 0)
        #expect(seen.withLock { $0 } == [100])
        #expect(cache.mappingCount == 0)
    }

    @Test func sealRules() throws {
        var seals = FileSeals()
        #expect(throws: Errno.EPERM) { try seals.adding(0x8, writable: false, writableMappings: 0) }
        #expect(throws: Errno.EINVAL) { try seals.adding(0x20, writable: true, writableMappings: 0) }
        #expect(throws: Errno.EBUSY) { try seals.adding(0x8, writable: true, writableMappings: 1) }
        seals = try seals.adding(0x2 | 0x4, writable: true, writableMappings: 1)
        #expect(seals == [.shrink, .grow])
        #expect(throws: Errno.EPERM) { try seals.checkResize(from: 10, to: 5) }
        #expect(throws: Errno.EPERM) { try seals.checkResize(from: 10, to: 11) }
        try seals.checkResize(from: 10, to: 10)
        // F_SEAL_GROW: a write stops at the last page boundary before the end of the file.
        #expect(try seals.allowedWrite(start: 0, count: 10, size: 100) == 10)
        #expect(throws: Errno.EPERM) { try seals.allowedWrite(start: 0, count: 200, size: 100) }
        #expect(try seals.allowedWrite(start: 0, count: 9000, size: 5000) == 4096)
        #expect(throws: Errno.EPERM) { try seals.allowedWrite(start: 100, count: 1, size: 100) }
        seals = try seals.adding(0x8, writable: true, writableMappings: 0)
        #expect(throws: Errno.EPERM) { try seals.allowedWrite(start: 0, count: 1, size: 100) }
        #expect(throws: Errno.EPERM) { try seals.checkSharedMapping(descriptorWritable: true, writing: false) }
        #expect(try seals.checkSharedMapping(descriptorWritable: false, writing: false))
        seals = try seals.adding(0x1, writable: true, writableMappings: 0)
        #expect(throws: Errno.EPERM) { try seals.adding(0, writable: true, writableMappings: 0) }
        let future = FileSeals.futureWrite
        #expect(throws: Errno.EPERM) { try future.checkSharedMapping(descriptorWritable: true, writing: true) }
        #expect(try future.checkSharedMapping(descriptorWritable: true, writing: false) == false)
    }

    @Test func sealsOnATmpfsFile() async throws {
        let (f, cache) = try await file()
        #expect(cache.seals == .seal)                        // plain tmpfs files cannot be sealed
        #expect(throws: Errno.EPERM) { try cache.addSeals(0x8, writable: true) }
        cache.fileSeals = []
        try cache.addSeals(0x4, writable: true)              // F_SEAL_GROW
        #expect(await vfsError { _ = try await vfsWrite(f, [1]) } == .EPERM)
        #expect(await vfsError { try await f.truncate(to: 10) } == .EPERM)
        cache.fileSeals = []
        _ = try cache.mappingAdded(sharedWritable: true, writing: true)
        #expect(throws: Errno.EBUSY) { try cache.addSeals(0x8, writable: true) }
        cache.mappingRemoved(sharedWritable: true)
        try cache.addSeals(0x8, writable: true)
        #expect(throws: Errno.EPERM) { _ = try cache.mappingAdded(sharedWritable: true, writing: true) }
        #expect(try cache.mappingAdded(sharedWritable: false, writing: false))
    }

    @Test func memfdArguments() throws {
        try Memfd.checkFlags(Memfd.MFD_CLOEXEC | Memfd.MFD_ALLOW_SEALING)
        #expect(throws: Errno.EINVAL) { try Memfd.checkFlags(Memfd.MFD_HUGETLB) }
        #expect(throws: Errno.EINVAL) { try Memfd.checkFlags(0x8) }
        try Memfd.checkName(Array(repeating: 0x61, count: 249))
        #expect(throws: Errno.EINVAL) { try Memfd.checkName(Array(repeating: 0x61, count: 250)) }
        let fs = MemfdFileSystem(device: DeviceNumber(major: 0, minor: 32), clock: VFSTestClock().clock)
        let sealable = fs.create(name: Array("a".utf8), flags: Memfd.MFD_ALLOW_SEALING, owner: .root)
        #expect(sealable.inode.pageCache?.seals == [])
        let plain = fs.create(name: Array("b".utf8), flags: 0, owner: .root)
        #expect(plain.inode.pageCache?.seals == .seal)
        #expect(plain.pathHint?.path == Array("/memfd:b".utf8))
        #expect(plain.flags.allowsWrite && plain.flags.allowsRead)
    }
}
