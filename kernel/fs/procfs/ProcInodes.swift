import LichenCore
import _Concurrency

/// procfs: inodes made on demand from the kernel's live state. Nothing is stored: a directory's
/// entries are generated at each lookup/readdir, a file's text at each read (the offset then
/// slices a fresh rendering, like seq_file for small files), a link's target at each readlink.
final class ProcFileSystem: FileSystem, @unchecked Sendable {
    static let magic: Int64 = 0x9fa0                          // PROC_SUPER_MAGIC
    let device: DeviceNumber
    var typeName: [UInt8] { Array("proc".utf8) }
    private(set) var root: any Inode = ProcFile(ino: 0, text: { [] })

    init(device: DeviceNumber) {
        self.device = device
        root = ProcRoot.make()
    }

    var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: ProcFileSystem.magic, blockSize: 4096, totalBlocks: 0, freeBlocks: 0,
                             availableBlocks: 0, totalInodes: 0, freeInodes: 0)
    }
}

/// Boot time for procfs inode times (they are "created" when looked at on Linux; fixed is fine).
private func procTime() -> Timespec { RootFilesystem.clock() }

/// A directory's entries, given the directory (their parent), generated on each use.
typealias ProcEntries = @Sendable (ProcDirectory) async -> [(name: [UInt8], inode: any Inode)]

/// Entries of a ProcDirectory found by key instead of by listing (ProcDirectory.keyed).
struct ProcKeyedEntries: Sendable {
    /// Readdir cookies from here on hold the key of the last keyed entry returned.
    static let firstCookie: Int64 = 1 << 32
    /// The entry named `name`, if it is one of these.
    let find: @Sendable (ProcDirectory, [UInt8]) -> (any Inode)?
    /// The entry with the smallest key above `key`.
    let next: @Sendable (ProcDirectory, Int32) -> (key: Int32, name: [UInt8], inode: any Inode)?
}

final class ProcDirectory: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    let parent: ProcDirectory?
    let entries: ProcEntries

    init(ino: UInt64, mode: UInt32 = 0o555, uid: UInt32 = 0, gid: UInt32? = nil, parent: ProcDirectory?, entries: @escaping ProcEntries) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFDIR | mode, uid: uid, gid: gid ?? uid, nlink: 2, time: procTime())
        self.parent = parent
        self.entries = entries
    }

    /// Entries that go on after the listed ones, one per key (/proc's pid directories), so that
    /// neither a lookup nor a readdir lists them all. Set before the directory is published.
    var keyed: ProcKeyedEntries? = nil

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        if name == [0x2e, 0x2e] { return parent ?? self }
        if let keyed, let inode = keyed.find(self, name) { return inode }
        for e in await entries(self) where e.name == name { return e.inode }
        throw .ENOENT
    }

    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        var all: [(name: [UInt8], ino: UInt64, type: FileType)] = [([0x2e], metadata.ino, .directory),
                                                                   ([0x2e, 0x2e], (parent ?? self).metadata.ino, .directory)]
        for e in await entries(self) { all.append((e.name, e.inode.metadata.ino, e.inode.metadata.type)) }
        var i = Int(max(cookie, 0))
        while i < all.count && Int64(i) < ProcKeyedEntries.firstCookie {
            let next = i + 1 == all.count && keyed != nil ? ProcKeyedEntries.firstCookie : Int64(i + 1)
            guard emit(DirectoryEntry(ino: all[i].ino, type: all[i].type, name: all[i].name, nextCookie: next)) else { return }
            i += 1
        }
        // The keyed entries resume after the key the cookie holds: each getdents costs what it returns.
        guard let keyed else { return }
        var key = Int32(truncatingIfNeeded: max(cookie, ProcKeyedEntries.firstCookie) - ProcKeyedEntries.firstCookie)
        while let e = keyed.next(self, key) {
            guard emit(DirectoryEntry(ino: e.inode.metadata.ino, type: e.inode.metadata.type, name: e.name,
                                      nextCookie: ProcKeyedEntries.firstCookie + Int64(e.key))) else { return }
            key = e.key
        }
    }
}

final class ProcFile: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    /// Up to `count` bytes of the file from `offset` (fewer at its end). A file that can be large (maps:
    /// a line per area, up to vm.max_map_count) produces only the part asked for, so a read never needs
    /// a kernel buffer the size of the whole text.
    let window: @Sendable (_ offset: Int, _ count: Int) async -> [UInt8]
    /// Checks made at open (ProcGuardedOperations: the /proc/<pid> access check); nil: none.
    let fileOperations: (any FileOperations)?

    init(ino: UInt64, mode: UInt32 = 0o444, uid: UInt32 = 0, gid: UInt32? = nil, guarded: (any FileOperations)? = nil,
         window: @escaping @Sendable (_ offset: Int, _ count: Int) async -> [UInt8]) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFREG | mode, uid: uid, gid: gid ?? uid, nlink: 1, time: procTime())
        self.window = window
        fileOperations = guarded
    }

    /// A small file, produced whole by a read at offset 0 and kept for the reads after it, as Linux's
    /// seq_file does: a reader taking it in pieces (a shell's `read` goes byte by byte) must not get
    /// pieces of two versions ("0.99" then "1.00" read as "0.00").
    convenience init(ino: UInt64, mode: UInt32 = 0o444, uid: UInt32 = 0, gid: UInt32? = nil, guarded: (any FileOperations)? = nil,
                     text: @escaping @Sendable () async -> [UInt8]) {
        let kept = SpinLock<[UInt8]?>(nil)
        self.init(ino: ino, mode: mode, uid: uid, gid: gid, guarded: guarded) { offset, count in
            var bytes: [UInt8]
            if offset > 0, let last = kept.withLock({ $0 }) {
                bytes = last
            } else {
                bytes = await text()
                kept.withLock { $0 = bytes }
            }
            guard offset < bytes.count else { return [] }
            return Array(bytes[offset..<min(bytes.count, offset + count)])
        }
    }

    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        guard offset >= 0, offset <= Int64(Int.max - buffer.count) else { return 0 }
        let bytes = await window(Int(offset), buffer.count)
        let n = min(buffer.count, bytes.count)
        bytes.withUnsafeBytes { if n > 0 { buffer.baseAddress!.copyMemory(from: $0.baseAddress!, byteCount: n) } }
        return n
    }
}

/// Appends to `out` the part of `line` (which starts at byte `position` of a file) inside the window
/// [offset, offset + count); advances `position`. False once the window is full.
func appendWindowed(_ line: [UInt8], at position: inout Int, to out: inout [UInt8], offset: Int, count: Int) -> Bool {
    let start = position, end = position + line.count
    position = end
    if end > offset {
        let from = max(start, offset) - start, to = min(end, offset + count) - start
        if from < to { out.append(contentsOf: line[from..<to]) }
    }
    return position < offset + count
}

final class ProcLink: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    let target: @Sendable () async throws(Errno) -> [UInt8]
    /// For magic links (fd/N, cwd): the location itself, which following lands on.
    let jump: (@Sendable () async throws(Errno) -> Location)?

    init(ino: UInt64, uid: UInt32 = 0, gid: UInt32? = nil, jump: (@Sendable () async throws(Errno) -> Location)? = nil,
         target: @escaping @Sendable () async throws(Errno) -> [UInt8]) {
        self.jump = jump
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFLNK | 0o777, uid: uid, gid: gid ?? uid, nlink: 1, time: procTime())
        self.target = target
    }

    func readlink() async throws(Errno) -> [UInt8] { try await target() }

    func jumpTarget(in context: FSContext) async throws(Errno) -> Location? {
        guard let jump else { return nil }
        return try await jump()
    }
}

/// Text building for procfs files.
extension Array where Element == UInt8 {
    mutating func add(_ s: String) { append(contentsOf: s.utf8) }
}

func dec(_ v: UInt64) -> String { Format.decimal(v) }
func dec(_ v: Int) -> String { v < 0 ? "-" + Format.decimal(UInt64(-v)) : Format.decimal(UInt64(v)) }
func dec(_ v: Int32) -> String { dec(Int(v)) }

/// `s` right-aligned in `width` columns.
func padLeft(_ s: String, _ width: Int) -> String {
    let n = s.utf8.count
    return n >= width ? s : String(repeating: " ", count: width - n) + s
}

/// `s` left-aligned in `width` columns.
func padRight(_ s: String, _ width: Int) -> String {
    let n = s.utf8.count
    return n >= width ? s : s + String(repeating: " ", count: width - n)
}

/// "12.34": hundredths from nanoseconds.
func centiseconds(_ ns: UInt64) -> String {
    let cs = ns / 10_000_000
    let frac = cs % 100
    return dec(cs / 100) + "." + (frac < 10 ? "0" : "") + dec(frac)
}
