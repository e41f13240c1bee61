import Synchronization
import Testing
@testable import LichenCore

/// The VFS tests: every suite nests in this one (bounded time).
@Suite(.timeLimit(.minutes(1))) struct VFSTests {}

/// Bytes of a string (names and paths are bytes).
func vfsBytes(_ s: String) -> [UInt8] { Array(s.utf8) }

/// A fake clock: every reading is one tick (1 s + 1 ns) later than the previous one.
final class VFSTestClock: Sendable {
    private let ticks = Atomic<Int64>(0)
    var clock: VFSClock {
        { self.now() }
    }
    func now() -> Timespec {
        let t = ticks.add(1, ordering: .relaxed).newValue
        return Timespec(seconds: 1_000_000 + t, nanoseconds: t)
    }
}

/// A namespace with a tmpfs root, and a root context (umask 022).
struct VFSFixture {
    let clock = VFSTestClock()
    let tmpfs: Tmpfs
    let vfs: VFS
    var context: FSContext

    init(umask: UInt32 = 0o022) {
        tmpfs = Tmpfs(device: DeviceNumber(major: 0, minor: 20), clock: clock.clock, rootMode: 0o755)
        vfs = VFS(root: tmpfs)
        context = vfs.context(umask: umask)
    }

    /// A context for an unprivileged user.
    func user(_ uid: UInt32, gid: UInt32? = nil, groups: [UInt32] = []) -> FSContext {
        var c = context
        c.credentials = Credentials(uid: uid, gid: gid ?? uid, groups: groups)
        return c
    }

    func open(_ path: String, _ flags: OpenFlags, mode: UInt32 = 0o644, context: FSContext? = nil) async throws(Errno) -> OpenFile {
        try await vfs.open(vfsBytes(path), flags: flags, mode: mode, context: context ?? self.context)
    }

    func stat(_ path: String, follow: Bool = true, context: FSContext? = nil) async throws(Errno) -> FileStatus {
        try await vfs.stat(vfsBytes(path), followLast: follow, context: context ?? self.context)
    }

    func mkdir(_ path: String, _ mode: UInt32 = 0o755, context: FSContext? = nil) async throws(Errno) {
        try await vfs.mkdir(vfsBytes(path), mode: mode, context: context ?? self.context)
    }

    /// Creates (or replaces) a file holding `text`.
    func writeFile(_ path: String, _ text: String, context: FSContext? = nil) async throws(Errno) {
        let f = try await open(path, [.O_WRONLY, .O_CREAT, .O_TRUNC], context: context)
        _ = try await vfsWrite(f, vfsBytes(text))
    }

    func readFile(_ path: String, context: FSContext? = nil) async throws(Errno) -> String {
        let f = try await open(path, .O_RDONLY, context: context)
        return String(decoding: try await vfsReadAll(f), as: UTF8.self)
    }

    /// The names in a directory (without "." and ".."), sorted.
    func list(_ path: String) async throws(Errno) -> [String] {
        let dir = try await vfs.resolve(vfsBytes(path), context: context)
        var names: [String] = []
        try await dir.inode.readdir(from: 0) { entry in
            let name = String(decoding: entry.name, as: UTF8.self)
            if name != "." && name != ".." { names.append(name) }
            return true
        }
        return names.sorted()
    }
}

/// The error `body` threw, nil if it succeeded.
/// (Untyped throws: typed-throws closure inference does not survive the #expect macro.)
func vfsError(_ body: () async throws -> Void) async -> Errno? {
    do {
        try await body()
        return nil
    } catch let error as Errno {
        return error
    } catch {
        Issue.record("not an Errno: \(error)")
        return nil
    }
}

func vfsWrite(_ file: OpenFile, _ data: [UInt8], at offset: Int64? = nil) async throws(Errno) -> Int {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(data.count, 1), alignment: 8)
    defer { buffer.deallocate() }
    buffer.copyBytes(from: data)
    let view = UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[0..<data.count])
    if let offset { return try await file.write(from: view, at: offset) }
    return try await file.write(from: view)
}

func vfsRead(_ file: OpenFile, count: Int, at offset: Int64? = nil) async throws(Errno) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: max(count, 1), alignment: 8)
    defer { buffer.deallocate() }
    let view = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<count])
    let n = offset == nil ? try await file.read(into: view) : try await file.read(into: view, at: offset!)
    return Array(buffer[0..<n])
}

/// Reads to the end of the file from the current position.
func vfsReadAll(_ file: OpenFile) async throws(Errno) -> [UInt8] {
    var all: [UInt8] = []
    while true {
        let chunk = try await vfsRead(file, count: 1000)
        if chunk.isEmpty { return all }
        all += chunk
    }
}

/// One parsed linux_dirent64 record.
struct VFSDirent: Equatable {
    var ino: UInt64
    var off: Int64
    var reclen: Int
    var type: UInt8
    var name: String
}

/// Parses getdents64 output byte by byte, checking the record format as it goes.
func vfsParseDirents(_ bytes: [UInt8]) -> [VFSDirent] {
    func le(_ at: Int, _ n: Int) -> UInt64 {
        var v: UInt64 = 0
        for i in 0..<n { v |= UInt64(bytes[at + i]) << (8 * UInt64(i)) }
        return v
    }
    var records: [VFSDirent] = []
    var p = 0
    while p < bytes.count {
        let reclen = Int(le(p + 16, 2))
        #expect(reclen % 8 == 0 && reclen >= 24, "reclen \(reclen) at \(p)")
        guard reclen >= 24, p + reclen <= bytes.count else { break }
        var nameEnd = p + 19
        while bytes[nameEnd] != 0 { nameEnd += 1 }
        #expect(nameEnd < p + reclen, "name runs past the record")
        #expect(bytes[nameEnd..<(p + reclen)].allSatisfy { $0 == 0 }, "padding is not zero")
        #expect(reclen == (19 + (nameEnd - p - 19) + 1 + 7) & ~7, "reclen not minimal")
        records.append(VFSDirent(ino: le(p, 8), off: Int64(bitPattern: le(p + 8, 8)), reclen: reclen,
                                 type: bytes[p + 18], name: String(decoding: bytes[(p + 19)..<nameEnd], as: UTF8.self)))
        p += reclen
    }
    return records
}

/// getdents64 into a buffer of `size` bytes: the bytes written (or the error).
func vfsGetdents(_ file: OpenFile, size: Int) async throws(Errno) -> [UInt8] {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: size, alignment: 8)
    defer { buffer.deallocate() }
    let n = try await file.readDirectory(into: buffer)
    return Array(buffer[0..<n])
}
