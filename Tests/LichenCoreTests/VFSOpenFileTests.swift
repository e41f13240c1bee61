import Testing
@testable import LichenCore

extension VFSTests {
    /// Open file descriptions: flags, positions, reads and writes, getdents64.
    @Suite struct OpenFileTests {
        @Test func exclusiveAndTruncate() async throws {
            let fx = VFSFixture()
            _ = try await fx.open("/f", [.O_CREAT, .O_EXCL, .O_WRONLY])
            #expect(await vfsError { _ = try await fx.open("/f", [.O_CREAT, .O_EXCL, .O_WRONLY]) } == .EEXIST)
            try await fx.writeFile("/f", "some contents")
            let before = try await fx.stat("/f")
            _ = try await fx.open("/f", .O_WRONLY)  // no O_TRUNC: kept
            #expect(try await fx.stat("/f").size == 13)
            _ = try await fx.open("/f", [.O_WRONLY, .O_TRUNC])
            let after = try await fx.stat("/f")
            #expect(after.size == 0)
            #expect(after.mtime > before.mtime && after.ctime > before.ctime)
            #expect(fx.tmpfs.bytesUsed == 0)
            #expect(await vfsError { _ = try await fx.open("/missing", .O_RDONLY) } == .ENOENT)
        }

        /// The F_SETOWN state, the readahead window and the FASYNC watcher are made on first use:
        /// each is one lock per description from then on, its state kept.
        @Test func rarelyUsedStateIsMadeOnce() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            let file = try await fx.open("/f", .O_RDONLY)
            #expect(file.asyncNotifierIfCreated == nil)
            try file.signalOwner.withLock { (o: inout FileSignalOwner) throws(Errno) in try o.setOwner(42) }
            #expect(file.signalOwner === file.signalOwner)
            #expect(file.signalOwner.withLock { $0.pid } == 42)
            #expect(file.readahead === file.readahead)
            #expect(file.asyncNotifier === file.asyncNotifierIfCreated)
        }

        @Test func fallocateModes() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "abcdef")
            let w = try await fx.open("/f", .O_RDWR)
            try await w.allocate(mode: 0, offset: 4, length: 8192)
            #expect(try await fx.stat("/f").size == 8196)
            let sectors = Int64(pageSize / 512)
            #expect(try await fx.stat("/f").blocks == Int64(8196 + pageSize - 1) / Int64(pageSize) * sectors)  // reserved
            try await w.allocate(mode: OpenFile.FALLOC_FL_KEEP_SIZE, offset: 0, length: 100_000)
            #expect(try await fx.stat("/f").size == 8196)
            let pagesReserved = Int64(100_000 + pageSize - 1) / Int64(pageSize)
            #expect(try await fx.stat("/f").blocks == pagesReserved * sectors)
            // Punching whole pages frees them, past the size too.
            try await w.allocate(mode: OpenFile.FALLOC_FL_KEEP_SIZE | OpenFile.FALLOC_FL_PUNCH_HOLE,
                                 offset: Int64(pageSize) * 3, length: Int64(pageSize) * 2)
            #expect(try await fx.stat("/f").blocks == (pagesReserved - 2) * sectors)
            try await w.allocate(mode: OpenFile.FALLOC_FL_KEEP_SIZE | OpenFile.FALLOC_FL_PUNCH_HOLE, offset: 1, length: 2)
            #expect(try await vfsRead(w, count: 6, at: 0) == [UInt8(ascii: "a"), 0, 0] + vfsBytes("def"))
            // A punch over the whole possible range visits only the pages the file has.
            try await w.allocate(mode: OpenFile.FALLOC_FL_KEEP_SIZE | OpenFile.FALLOC_FL_PUNCH_HOLE, offset: 0, length: .max)
            let punched = try await fx.stat("/f")
            #expect(punched.blocks == 0 && punched.size == 8196)
            #expect(await vfsError { try await w.allocate(mode: OpenFile.FALLOC_FL_PUNCH_HOLE, offset: 0, length: 1) } == .EOPNOTSUPP)
            #expect(await vfsError { try await w.allocate(mode: 0x10, offset: 0, length: 1) } == .EOPNOTSUPP)
            #expect(await vfsError { try await w.allocate(mode: 0, offset: -1, length: 1) } == .EINVAL)
            #expect(await vfsError { try await w.allocate(mode: 0, offset: 0, length: 0) } == .EINVAL)
            #expect(await vfsError { try await w.allocate(mode: 0, offset: .max, length: 2) } == .EFBIG)
            let r = try await fx.open("/f", .O_RDONLY)
            #expect(await vfsError { try await r.allocate(mode: 0, offset: 0, length: 1) } == .EBADF)
        }

        @Test func accessModesAndStatusFlags() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "abc")
            let r = try await fx.open("/f", [.O_RDONLY, .O_CLOEXEC, .O_NONBLOCK])
            #expect(await vfsError { _ = try await vfsWrite(r, vfsBytes("x")) } == .EBADF)
            #expect(await vfsError { try await r.truncate(to: 0) } == .EINVAL)
            #expect(!r.flags.contains(.O_CLOEXEC))  // per descriptor, not kept in the description
            #expect(r.flags.contains(.O_NONBLOCK) && r.isNonBlocking)
            r.setStatusFlags([.O_APPEND, .O_WRONLY])  // the access mode cannot change
            #expect(r.flags.contains(.O_APPEND) && !r.flags.contains(.O_NONBLOCK) && r.flags.accessMode == .O_RDONLY)
            let w = try await fx.open("/f", .O_WRONLY)
            #expect(await vfsError { _ = try await vfsRead(w, count: 1) } == .EBADF)
            #expect(await vfsError { _ = try await vfsRead(w, count: 1, at: -1) } == .EBADF)
            let rw = try await fx.open("/f", .O_RDWR)
            #expect(await vfsError { _ = try await vfsRead(rw, count: 1, at: -1) } == .EINVAL)
            #expect(try await vfsWrite(rw, vfsBytes("XY")) == 2)
            #expect(try await vfsRead(rw, count: 10) == vfsBytes("c"))
            #expect(try await vfsRead(rw, count: 10, at: 0) == vfsBytes("XYc"))
            #expect(await rw.offset == 3)  // pread leaves it
        }

        @Test func appendWritesGoToTheEndWithASharedOffset() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/log", "start;")
            let a = try await fx.open("/log", [.O_WRONLY, .O_APPEND])
            let b = try await fx.open("/log", .O_RDWR)  // another description, not appending
            #expect(try await vfsWrite(a, vfsBytes("one;")) == 4)
            #expect(await a.offset == 10)
            _ = try await b.seek(0, whence: SeekWhence.SEEK_SET)
            #expect(try await vfsWrite(b, vfsBytes("S")) == 1)  // overwrites at 0
            _ = try await a.seek(0, whence: SeekWhence.SEEK_SET)
            #expect(try await vfsWrite(a, vfsBytes("two;")) == 4)  // still at the end
            #expect(await a.offset == 14)
            // pwrite with O_APPEND appends too (as on Linux).
            #expect(try await vfsWrite(a, vfsBytes("3;"), at: 0) == 2)
            #expect(try await fx.readFile("/log") == "Start;one;two;3;")
            // A shared description (dup/fork) shares the position.
            var fds = FileDescriptorTable<OpenFile>()
            let fd = try fds.install(a)
            let dup = try fds.dup(fd)
            let forked = fds  // fork copies the table, sharing the descriptions
            #expect(try forked.get(dup) === fds.get(fd))
            _ = try await vfsWrite(try forked.get(dup), vfsBytes("4;"))
            #expect(await a.offset == 18)
            let plain = try await fx.open("/log", .O_RDWR)
            _ = try await plain.seek(3, whence: SeekWhence.SEEK_SET)
            let shared = try fds.install(plain)
            _ = try await vfsRead(try fds.get(shared), count: 2)
            #expect(await plain.offset == 5)
        }

        @Test func seekRules() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "0123456789")
            let f = try await fx.open("/f", .O_RDWR)
            #expect(try await f.seek(4, whence: SeekWhence.SEEK_SET) == 4)
            #expect(try await f.seek(2, whence: SeekWhence.SEEK_CUR) == 6)
            #expect(try await vfsRead(f, count: 2) == vfsBytes("67"))
            #expect(try await f.seek(-1, whence: SeekWhence.SEEK_END) == 9)
            #expect(try await f.seek(100, whence: SeekWhence.SEEK_END) == 110)  // past the end is fine
            #expect(try await vfsRead(f, count: 5).isEmpty)
            #expect(await vfsError { _ = try await f.seek(-11, whence: SeekWhence.SEEK_END) } == .EINVAL)
            #expect(await vfsError { _ = try await f.seek(0, whence: 7) } == .EINVAL)
            #expect(await vfsError { _ = try await f.seek(Int64.max, whence: SeekWhence.SEEK_END) } == .EINVAL)
            #expect(await f.offset == 110)  // failed seeks leave it
            let d = try await fx.open("/", .O_RDONLY)
            #expect(await vfsError { _ = try await d.seek(0, whence: SeekWhence.SEEK_END) } == .EINVAL)
        }

        @Test func sparseFilesAndHoles() async throws {
            let fx = VFSFixture()
            let f = try await fx.open("/sparse", [.O_CREAT, .O_RDWR])
            let far: Int64 = 10 * 4096 + 100
            #expect(try await vfsWrite(f, vfsBytes("end"), at: far) == 3)
            var st = try await fx.stat("/sparse")
            #expect(st.size == far + 3)
            #expect(st.blocks == 8)  // one page
            #expect(fx.tmpfs.bytesUsed == 4096)
            let head = try await vfsRead(f, count: 5000, at: 0)
            #expect(head.count == 5000 && head.allSatisfy { $0 == 0 })
            #expect(try await vfsRead(f, count: 10, at: far - 2) == [0, 0] + vfsBytes("end"))
            #expect(try await f.seek(0, whence: SeekWhence.SEEK_DATA) == 10 * 4096)
            #expect(try await f.seek(0, whence: SeekWhence.SEEK_HOLE) == 0)
            #expect(try await f.seek(far, whence: SeekWhence.SEEK_HOLE) == far + 3)
            #expect(await vfsError { _ = try await f.seek(far + 3, whence: SeekWhence.SEEK_DATA) } == .ENXIO)
            // Extending with truncate adds a hole; shrinking frees pages and zeroes the tail.
            try await f.truncate(to: far + 1)
            try await f.truncate(to: far + 4096)
            #expect(try await vfsRead(f, count: 3, at: far) == [UInt8(ascii: "e"), 0, 0])
            try await f.truncate(to: 5)
            st = try await fx.stat("/sparse")
            #expect(st.size == 5 && st.blocks == 0)
            #expect(fx.tmpfs.bytesUsed == 0)
        }

        @Test func largeWritesSpanPages() async throws {
            let fx = VFSFixture()
            let f = try await fx.open("/big", [.O_CREAT, .O_RDWR])
            var pattern: [UInt8] = []
            for i in 0..<(3 * 4096 + 777) { pattern.append(UInt8(truncatingIfNeeded: i &* 31 &+ i >> 8)) }
            #expect(try await vfsWrite(f, pattern, at: 1000) == pattern.count)  // unaligned start
            #expect(try await fx.stat("/big").size == Int64(1000 + pattern.count))
            #expect(try await vfsRead(f, count: pattern.count + 50, at: 1000) == pattern)
            #expect(fx.tmpfs.bytesUsed == 4 * 4096)
            // Overwrite across a page boundary.
            #expect(try await vfsWrite(f, [1, 2, 3, 4], at: 4094) == 4)
            #expect(try await vfsRead(f, count: 6, at: 4093) == [pattern[3093], 1, 2, 3, 4, pattern[3098]])
            // Dropping the last name and the last reference frees the pages.
            try await fx.vfs.unlink(vfsBytes("/big"), context: fx.context)
            #expect(fx.tmpfs.bytesUsed == 4 * 4096)  // still open
            let inodes = fx.tmpfs.inodeCount
            _ = consume f
            #expect(fx.tmpfs.bytesUsed == 0)
            #expect(fx.tmpfs.inodeCount == inodes - 1)
            let g = try await fx.open("/y", [.O_CREAT, .O_RDWR])
            #expect(await vfsError { _ = try await vfsWrite(g, [1, 2], at: Int64.max - 1) } == .EFBIG)
        }

        @Test func timestampsOnReadWrite() async throws {
            let fx = VFSFixture()
            try await fx.writeFile("/f", "x")
            let s0 = try await fx.stat("/f")
            let f = try await fx.open("/f", .O_RDWR)
            _ = try await vfsRead(f, count: 1)
            let s1 = try await fx.stat("/f")
            #expect(s1.atime > s0.atime)
            #expect(s1.mtime == s0.mtime && s1.ctime == s0.ctime)
            _ = try await vfsWrite(f, vfsBytes("y"))
            let s2 = try await fx.stat("/f")
            #expect(s2.mtime > s1.mtime && s2.ctime > s1.ctime)
            try await fx.vfs.chmod(vfsBytes("/f"), mode: 0o600, context: fx.context)
            let s3 = try await fx.stat("/f")
            #expect(s3.ctime > s2.ctime && s3.mtime == s2.mtime)
            let root0 = try await fx.stat("/")
            try await fx.writeFile("/g", "")
            let root1 = try await fx.stat("/")
            #expect(root1.mtime > root0.mtime && root1.ctime > root0.ctime)
        }

        @Test func getdents64RecordsAndResumption() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/d")
            try await fx.mkdir("/d/sub")
            try await fx.vfs.symlink(vfsBytes("x"), at: vfsBytes("/d/link"), context: fx.context)
            var expected: Set<String> = [".", "..", "sub", "link"]
            for i in 0..<20 {
                let name = "file-" + String(repeating: "x", count: i)
                try await fx.writeFile("/d/" + name, "")
                expected.insert(name)
            }
            let dir = try await fx.open("/d", .O_RDONLY)
            // One large read gets everything.
            let all = vfsParseDirents(try await vfsGetdents(dir, size: 8192))
            #expect(Set(all.map(\.name)) == expected)
            #expect(all.count == expected.count)
            let dIno = try await fx.stat("/d").ino, rootIno = try await fx.stat("/").ino
            let subIno = try await fx.stat("/d/sub").ino
            #expect(all[0].name == "." && all[0].ino == dIno && all[0].type == FileType.directory.rawValue)
            #expect(all[1].name == ".." && all[1].ino == rootIno)
            #expect(all.first { $0.name == "sub" }?.type == FileType.directory.rawValue)
            #expect(all.first { $0.name == "link" }?.type == FileType.symbolicLink.rawValue)
            #expect(all.first { $0.name == "file-" }?.type == FileType.regular.rawValue)
            #expect(all.first { $0.name == "sub" }?.ino == subIno)
            #expect(try await vfsGetdents(dir, size: 8192).isEmpty)  // at the end
            // A small buffer: several calls, each resuming where the last stopped, same records.
            _ = try await dir.seek(0, whence: SeekWhence.SEEK_SET)
            var pieces: [VFSDirent] = []
            var calls = 0
            while true {
                let chunk = try await vfsGetdents(dir, size: 64)
                if chunk.isEmpty { break }
                #expect(chunk.count <= 64)
                pieces += vfsParseDirents(chunk)
                calls += 1
            }
            #expect(pieces == all)
            #expect(calls > 5)
            // Too small for the next record: EINVAL, and the position does not move.
            _ = try await dir.seek(0, whence: SeekWhence.SEEK_SET)
            #expect(await vfsError { _ = try await vfsGetdents(dir, size: 16) } == .EINVAL)
            #expect(await dir.offset == 0)
            // Seeking to a record's d_off resumes after it; entries added or removed meanwhile
            // do not disturb the others.
            let mid = all[10]
            _ = try await dir.seek(mid.off, whence: SeekWhence.SEEK_SET)
            try await fx.vfs.unlink(vfsBytes("/d/" + all[11].name), context: fx.context)
            try await fx.writeFile("/d/later", "")
            let rest = vfsParseDirents(try await vfsGetdents(dir, size: 8192))
            #expect(rest.map(\.name) == all[12...].map(\.name) + ["later"])
            // getdents64 on a file: ENOTDIR.
            let file = try await fx.open("/d/file-", .O_RDONLY)
            #expect(await vfsError { _ = try await vfsGetdents(file, size: 100) } == .ENOTDIR)
        }

        @Test func sizeLimitGivesShortWritesThenENOSPC() async throws {
            let clock = VFSTestClock()
            let fs = Tmpfs(device: DeviceNumber(major: 0, minor: 30), clock: clock.clock, sizeLimit: 3 * 4096)
            let vfs = VFS(root: fs)
            let ctx = vfs.context()
            let f = try await vfs.open(vfsBytes("/f"), flags: [.O_CREAT, .O_RDWR], mode: 0o644, context: ctx)
            #expect(try await vfsWrite(f, Array(repeating: 1, count: 5000)) == 5000)
            var stats = try await vfs.statfs(vfsBytes("/"), context: ctx)
            #expect(stats.magic == 0x0102_1994 && stats.blockSize == 4096)
            #expect(stats.totalBlocks == 3 && stats.freeBlocks == 1)
            #expect(try await vfsWrite(f, Array(repeating: 2, count: 9000)) == 3 * 4096 - 5000)  // short
            #expect(await vfsError { _ = try await vfsWrite(f, [3]) } == .ENOSPC)
            // Overwriting allocated pages still works; freeing space makes room again.
            #expect(try await vfsWrite(f, [4], at: 0) == 1)
            try await f.truncate(to: 4096)
            stats = try await vfs.statfs(vfsBytes("/f"), context: ctx)
            #expect(stats.freeBlocks == 2)
            #expect(try await vfsWrite(f, [5], at: 3 * 4096 - 1) == 1)
        }

        @Test func pathOnlyDescriptors() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/d", 0o711)
            try await fx.writeFile("/d/f", "x")
            try await fx.vfs.chmod(vfsBytes("/d/f"), mode: 0, context: fx.context)
            try await fx.vfs.symlink(vfsBytes("f"), at: vfsBytes("/d/l"), context: fx.context)
            let user = fx.user(1000)
            let p = try await fx.open("/d/f", .O_PATH, context: user)  // no read permission needed
            #expect(p.status.size == 1)
            #expect(await vfsError { _ = try await vfsRead(p, count: 1) } == .EBADF)
            #expect(await vfsError { _ = try await vfsWrite(p, [1]) } == .EBADF)
            #expect(await vfsError { _ = try await p.seek(0, whence: SeekWhence.SEEK_SET) } == .EBADF)
            #expect(await vfsError { _ = try await p.ioctl(request: LinuxIoctl.TCGETS, argument: 0, caller: testIoctlCaller()) } == .EBADF)
            let link = try await fx.open("/d/l", [.O_PATH, .O_NOFOLLOW], context: user)
            #expect(link.status.type == .symbolicLink)
            #expect(await vfsError { _ = try await fx.open("/d/f", [.O_PATH, .O_DIRECTORY]) } == .ENOTDIR)
            let dir = try await fx.open("/d", .O_PATH, context: user)
            #expect(try await fx.vfs.resolve(vfsBytes("f"), at: dir.location, context: user).metadata.size == 1)
            let plain = try await fx.open("/d/f", .O_RDONLY)
            #expect(await vfsError { _ = try await plain.ioctl(request: LinuxIoctl.TCGETS, argument: 0, caller: testIoctlCaller()) } == .ENOTTY)
        }
    }
}
