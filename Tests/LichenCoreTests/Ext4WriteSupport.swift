import Foundation
import Testing
@testable import LichenCore

/// A read-write ext4 mount of an image in memory, what the workload should have left in it, and
/// the host's e2fsprogs to judge the result (e2fsck -fn must find it clean; debugfs rdump must
/// give back exactly the expected files).
final class Ext4WriteHarness {
    enum Expected: Equatable { case file([UInt8]), directory, symlink([UInt8]) }

    let store: MemoryBlockStore
    let fs: Ext4FileSystem
    var expected: [String: Expected] = [:]
    private var clockTicks = 0

    /// `wrap`: the store the mount writes through (a crash recorder around the image), if any.
    /// `bytes`: the image's bytes when the test changed them first (else the named image's).
    convenience init(image: String, bytes given: [UInt8]? = nil, wrap: ((MemoryBlockStore) -> any BlockStore)? = nil) async throws {
        try await self.init(bytes: try given ?? Ext4Images.image(image), wrap: wrap)
    }

    init(bytes: [UInt8], wrap: ((MemoryBlockStore) -> any BlockStore)? = nil) async throws {
        var reason = ""
        let sb = try Ext4Superblock.parse(Array(bytes[1024..<2048]), pageSize: 4096, reason: &reason)
        #expect(Ext4FileSystem.writableRefusal(sb) == nil)
        store = MemoryBlockStore(bytes, blockSize: sb.blockSize)
        let tick = Ext4Clock()
        let through = wrap?(store) ?? store
        fs = try await Ext4FileSystem.mount(sb, source: through, type: .ext4, device: DeviceNumber(major: 254, minor: 1),
                                            writable: (through, nil, { tick.next() }), log: { print("ext4:", $0) })
    }

    func node(_ path: String) async throws(Errno) -> any Inode { try await Ext4Images.resolve(fs, path) }

    /// The directory holding `path` and the last name.
    func parent(_ path: String) async throws(Errno) -> (any Inode, [UInt8]) {
        var parts = path.split(separator: "/").map { Array($0.utf8) }
        let name = parts.removeLast()
        var dir = fs.root
        for p in parts { dir = try await dir.lookup(p) }
        return (dir, name)
    }

    func write(_ path: String, _ data: [UInt8], at offset: Int64 = 0, chunk: Int = 7777) async throws {
        let file: any Inode
        do { file = try await node(path) } catch {
            let (dir, name) = try await parent(path)
            file = try await dir.create(name, mode: 0o644, owner: .root)
        }
        var done = 0
        while done < data.count {
            let n = min(chunk, data.count - done)
            let piece = UnsafeMutableRawBufferPointer.allocate(byteCount: n, alignment: 1)
            defer { piece.deallocate() }
            data.withUnsafeBytes { piece.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[done..<done + n])) }
            let written = try await file.write(at: offset + Int64(done), from: UnsafeRawBufferPointer(piece), append: false).count
            done += written
        }
        var old: [UInt8] = []
        if case .file(let o)? = expected[path] { old = o }
        let end = Int(offset) + data.count
        if old.count < end { old += [UInt8](repeating: 0, count: end - old.count) }
        old.replaceSubrange(Int(offset)..<end, with: data)
        expected[path] = .file(old)
    }

    func truncate(_ path: String, _ size: Int) async throws {
        try await node(path).truncate(to: Int64(size))
        guard case .file(var old)? = expected[path] else { Issue.record("truncate of \(path)"); return }
        if old.count > size { old.removeLast(old.count - size) } else { old += [UInt8](repeating: 0, count: size - old.count) }
        expected[path] = .file(old)
    }

    func mkdir(_ path: String) async throws {
        let (dir, name) = try await parent(path)
        _ = try await dir.mkdir(name, mode: 0o755, owner: .root)
        expected[path] = .directory
    }

    func symlink(_ path: String, _ target: String) async throws {
        let (dir, name) = try await parent(path)
        _ = try await dir.symlink(name, target: Array(target.utf8), owner: .root)
        expected[path] = .symlink(Array(target.utf8))
    }

    func unlink(_ path: String) async throws {
        let (dir, name) = try await parent(path)
        try await dir.unlink(name)
        expected[path] = nil
    }

    func rmdir(_ path: String) async throws {
        let (dir, name) = try await parent(path)
        try await dir.rmdir(name)
        expected[path] = nil
    }

    func link(_ path: String, to existing: String) async throws {
        let (dir, name) = try await parent(path)
        try await dir.link(name, to: try await node(existing))
        expected[path] = expected[existing]
    }

    func rename(_ from: String, _ to: String) async throws {
        let (a, n) = try await parent(from)
        let (b, m) = try await parent(to)
        try await a.rename(n, to: b, as: m, flags: [])
        var moved: [String: Expected] = [:]
        for (k, v) in expected {
            if k == from { moved[to] = v } else if k.hasPrefix(from + "/") { moved[to + k.dropFirst(from.count)] = v }
            else if k == to || k.hasPrefix(to + "/") { continue } else { moved[k] = v }
        }
        expected = moved
    }

    /// The image now, in a temporary file.
    func saveImage() async throws -> String {
        try await fs.sync()
        let path = NSTemporaryDirectory() + "lichen-ext4w-\(getpid())-\(UUID().uuidString).img"
        try Data(store.durable).write(to: URL(fileURLWithPath: path))
        if let keep = ProcessInfo.processInfo.environment["LICHEN_EXT4_KEEP"] {     // to look at it by hand
            try? Data(store.durable).write(to: URL(fileURLWithPath: keep + "-\(store.blockSize).img"))
        }
        return path
    }

    static func run(_ tool: String, _ args: [String]) -> (status: Int32, output: String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: FileManager.default.fileExists(atPath: "/usr/sbin/" + tool) ? "/usr/sbin/" + tool : "/sbin/" + tool)
        p.arguments = args
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = pipe
        do { try p.run() } catch { return (-1, "\(tool) did not run: \(error) (install e2fsprogs)") }
        let out = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: out, as: UTF8.self))
    }

    /// e2fsck -fn clean, and debugfs's rdump of the tree equal to `expected` under the paths it lists.
    func checkWithE2fsprogs(_ image: String) throws {
        let fsck = Self.run("e2fsck", ["-fn", image])
        #expect(fsck.status == 0, "e2fsck -fn:\n\(fsck.output)")
        let out = NSTemporaryDirectory() + "lichen-ext4w-dump-\(getpid())-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: out) }
        let dump = Self.run("debugfs", ["-R", "rdump /w " + out, image])
        #expect(dump.status == 0, "debugfs: \(dump.output)")
        let fm = FileManager.default
        for (path, want) in expected where path.hasPrefix("w/") || path == "w" {
            let host = out + "/" + path
            switch want {
            case .directory:
                var isDir: ObjCBool = false
                #expect(fm.fileExists(atPath: host, isDirectory: &isDir) && isDir.boolValue, "\(path) is a directory")
            case .file(let data):
                let got = fm.contents(atPath: host).map { [UInt8]($0) }
                #expect(got == data, "\(path): \(got?.count ?? -1) bytes, expected \(data.count)")
            case .symlink(let target):
                let got = try? fm.destinationOfSymbolicLink(atPath: host)
                #expect(got.map { Array($0.utf8) } == target, "\(path) -> \(got ?? "nil")")
            }
        }
        // nothing more than expected under /w
        let all = (fm.enumerator(atPath: out + "/w")?.allObjects as? [String]) ?? []
        for p in all { #expect(expected["w/" + p] != nil, "unexpected w/\(p)") }
    }

    /// The image read back through the read-only mount gives the expected contents.
    func checkReadBack(_ image: String) async throws {
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: image)))
        let fs = try await Ext4Images.mount(bytes)
        for (path, want) in expected {
            let inode = try await Ext4Images.resolve(fs, path)
            switch want {
            case .directory: #expect(inode.metadata.isDirectory, "\(path)")
            case .file(let data): #expect(try await Ext4Images.contents(inode) == data, "\(path)")
            case .symlink(let target): #expect(try await inode.readlink() == target, "\(path)")
            }
        }
    }
}

/// A clock that moves on by 1.000000001 s per call (timestamps with nanoseconds).
final class Ext4Clock: @unchecked Sendable {
    private var t = Timespec(seconds: 1_750_000_000, nanoseconds: 123_456_789)
    private let lock = NSLock()
    func next() -> Timespec {
        lock.lock(); defer { lock.unlock() }
        t.seconds += 1
        t.nanoseconds = (t.nanoseconds + 1) % 1_000_000_000
        return t
    }
}
