import Testing
@testable import LichenCore

extension VFSTests {
    /// Several tasks at once on one directory and one file (the host's real threads).
    @Suite struct ConcurrencyTests {
        @Test func createRenameUnlinkInOneDirectory() async throws {
            let fx = VFSFixture()
            try await fx.mkdir("/d")
            try await fx.mkdir("/e")
            let tasks = 8, files = 40
            let vfs = fx.vfs, ctx = fx.context
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<tasks {
                    group.addTask {
                        do {
                            for i in 0..<files {
                                let name = vfsBytes("/d/t\(t)-\(i)")
                                _ = try await vfs.open(name, flags: [.O_CREAT, .O_EXCL, .O_WRONLY], mode: 0o644, context: ctx)
                                if i % 4 == 1 { try await vfs.unlink(name, context: ctx) }
                                if i % 4 == 2 { try await vfs.rename(name, to: vfsBytes("/e/t\(t)-\(i)"), context: ctx) }
                                if i % 4 == 3 { try await vfs.mkdir(vfsBytes("/d/dir\(t)-\(i)"), mode: 0o755, context: ctx) }
                                // Everyone also contends for one shared name.
                                do {
                                    try await vfs.rename(vfsBytes("/d/t\(t)-0"), to: vfsBytes("/d/shared"), context: ctx)
                                    try await vfs.rename(vfsBytes("/d/shared"), to: vfsBytes("/d/t\(t)-0"), context: ctx)
                                } catch {
                                    // Another task may have taken ours over "shared" meanwhile.
                                    #expect(error as? Errno == .ENOENT)
                                }
                            }
                        } catch {
                            Issue.record("task \(t): \(error)")
                        }
                    }
                }
            }
            let d = try await fx.list("/d")
            let e = try await fx.list("/e")
            #expect(e.count == tasks * files / 4)
            // Each task leaves: its i%4==0 files (possibly one renamed to "shared" and lost by
            // a rename over it), i%4==3 files and directories.
            let dirs = d.filter { $0.hasPrefix("dir") }
            #expect(dirs.count == tasks * files / 4)
            let plain = d.filter { !$0.hasPrefix("dir") }
            #expect(plain.count <= tasks * files / 2 && plain.count >= tasks * files / 2 - tasks)
            // The directory's bookkeeping agrees with its contents.
            let st = try await fx.stat("/d")
            #expect(st.nlink == UInt32(2 + dirs.count))
            #expect(st.size == Int64(40 + 20 * d.count))
            #expect(try await fx.stat("/e").size == Int64(40 + 20 * e.count))
            for name in d { _ = try await fx.stat("/d/" + name) }
            let dir = try await fx.open("/d", .O_RDONLY)
            let records = vfsParseDirents(try await vfsGetdents(dir, size: 65536))
            #expect(records.count == d.count + 2)
        }

        @Test func directoryRenamesNeverMakeLoops() async throws {
            let fx = VFSFixture()
            for name in ["a", "b", "c", "d"] { try await fx.mkdir("/" + name) }
            let vfs = fx.vfs, ctx = fx.context
            let names = ["a", "b", "c", "d"]
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<6 {
                    group.addTask {
                        for i in 0..<60 {
                            // Move one directory into another, wherever they are now.
                            let from = names[(t + i) % 4], to = names[(t * 3 + i + 1) % 4]
                            guard from != to else { continue }
                            if let src = try? await findPath(vfs, from, ctx), let dst = try? await findPath(vfs, to, ctx) {
                                do {
                                    try await vfs.rename(vfsBytes(src), to: vfsBytes(dst + "/" + from), context: ctx)
                                } catch {
                                    #expect([Errno.EINVAL, .ENOENT, .EEXIST, .ENOTEMPTY].contains(error as? Errno ?? Errno(0)), "\(error)")
                                }
                            }
                        }
                    }
                }
            }
            // Still a tree: every directory reachable from the root exactly once, nlinks right.
            var seen: [String] = []
            var stack = ["/"]
            while let path = stack.popLast() {
                let children = try await fx.list(path)
                let st = try await fx.stat(path)
                #expect(st.nlink == UInt32(2 + children.count), "\(path)")
                for c in children {
                    seen.append(c)
                    stack.append((path == "/" ? "" : path) + "/" + c)
                }
            }
            #expect(seen.sorted() == names)
        }

        @Test func appendersOnOneFileNeverOverlap() async throws {
            let fx = VFSFixture()
            _ = try await fx.open("/log", [.O_CREAT, .O_WRONLY])
            let vfs = fx.vfs, ctx = fx.context
            let writers = 6, records = 50, size = 700  // records straddle page boundaries
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<writers {
                    group.addTask {
                        do {
                            // Half share one description, half have their own: all append.
                            let f = try await vfs.open(vfsBytes("/log"), flags: [.O_WRONLY, .O_APPEND], context: ctx)
                            for _ in 0..<records {
                                #expect(try await vfsWrite(f, Array(repeating: UInt8(65 + t), count: size)) == size)
                            }
                        } catch {
                            Issue.record("writer \(t): \(error)")
                        }
                    }
                }
            }
            let data = vfsBytes(try await fx.readFile("/log"))
            #expect(data.count == writers * records * size)
            var counts = [Int](repeating: 0, count: writers)
            for r in stride(from: 0, to: data.count, by: size) {
                let record = data[r..<(r + size)]
                #expect(record.allSatisfy { $0 == record.first }, "torn record at \(r)")
                counts[Int(record.first! - 65)] += 1
            }
            #expect(counts == [Int](repeating: records, count: writers))
        }

        @Test func sharedDescriptionReadsEachByteOnce() async throws {
            let fx = VFSFixture()
            // Byte i is i / 333: each aligned 333-byte chunk has its own value.
            var content: [UInt8] = []
            for i in 0..<20_000 { content.append(UInt8(i / 333)) }
            let w = try await fx.open("/f", [.O_CREAT, .O_WRONLY])
            _ = try await vfsWrite(w, content)
            let shared = try await fx.open("/f", .O_RDONLY)
            let chunks = await withTaskGroup(of: [[UInt8]].self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        var got: [[UInt8]] = []
                        while let bytes = try? await vfsRead(shared, count: 333), !bytes.isEmpty {
                            got.append(bytes)
                        }
                        return got
                    }
                }
                var all: [[UInt8]] = []
                for await part in group { all += part }
                return all
            }
            // Every chunk is one whole aligned slice, and each slice was read exactly once.
            #expect(chunks.reduce(0) { $0 + $1.count } == content.count)
            for chunk in chunks { #expect(chunk.allSatisfy { $0 == chunk[0] }) }
            #expect(chunks.map { Int($0[0]) }.sorted() == Array(0...(content.count - 1) / 333))
        }
    }
}

/// Where directory `name` is now (the four test directories nest in each other).
private func findPath(_ vfs: VFS, _ name: String, _ ctx: FSContext) async throws -> String? {
    var stack = ["/"]
    while let path = stack.popLast() {
        let dir = try await vfs.resolve(vfsBytes(path), context: ctx)
        var children: [String] = []
        try await dir.inode.readdir(from: 2) { entry in
            children.append(String(decoding: entry.name, as: UTF8.self))
            return true
        }
        for c in children {
            let p = (path == "/" ? "" : path) + "/" + c
            if c == name { return p }
            stack.append(p)
        }
    }
    return nil
}
