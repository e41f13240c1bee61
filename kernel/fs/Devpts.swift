import LichenCore
import _Concurrency

/// devpts: the directory of pty slaves (/dev/pts/N, 136:N) and its own ptmx node, made from the
/// live pairs themselves (a slave's node exists from the ptmx open to the master's close, as
/// Linux's devpts_pty_new/kill). One instance, which every `mount -t devpts` shows (Linux before
/// 4.7 without `newinstance`; since 4.7 each mount is its own instance).
final class Devpts: FileSystem, @unchecked Sendable {
    static let shared = Devpts()

    let device = RootFilesystem.anonymousDevice()
    let typeName = Array("devpts".utf8)
    private let directory: DevptsDirectory
    /// The mount options gid= and mode= (Debian mounts it gid=5,mode=620) and ptmxmode=.
    private let options = SpinLock(Options())

    struct Options: Equatable {
        var gid: UInt32? = nil
        var mode: UInt32 = 0o600
        var ptmxMode: UInt32 = 0
    }

    private init() {
        let now = RootFilesystem.clock()
        directory = DevptsDirectory(time: now)
    }

    var root: any Inode { directory }

    /// DEVPTS_SUPER_MAGIC, as Linux's statfs shows it (simple_statfs: 1 KiB blocks, nothing counted).
    var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: 0x1cd1, blockSize: 1024, totalBlocks: 0, freeBlocks: 0, availableBlocks: 0,
                             totalInodes: 0, freeInodes: 0)
    }

    /// mount -t devpts -o ...: gid=, mode=, ptmxmode= and the options Linux accepts that change nothing
    /// here (newinstance, uid=, max=); anything else is EINVAL as Linux's devpts_parse_options.
    func configure(_ data: [UInt8]) throws(Errno) {
        var new = Options()
        for option in data.split(separator: UInt8(ascii: ",")) {
            let parts = option.split(separator: UInt8(ascii: "="), maxSplits: 1)
            let key = Array(parts[0])
            let value = parts.count > 1 ? Array(parts[1]) : []
            func number(_ radix: UInt32) throws(Errno) -> UInt32 {
                guard !value.isEmpty else { throw .EINVAL }
                var n: UInt32 = 0
                for c in value {
                    guard c >= 48, UInt32(c - 48) < radix else { throw .EINVAL }
                    n = n &* radix &+ UInt32(c - 48)
                }
                return n
            }
            if key == Array("gid".utf8) { new.gid = try number(10) }
            else if key == Array("mode".utf8) { new.mode = try number(8) & 0o777 }
            else if key == Array("ptmxmode".utf8) { new.ptmxMode = try number(8) & 0o777 }
            else if key == Array("uid".utf8) || key == Array("max".utf8) { _ = try number(10) }
            else if key != Array("newinstance".utf8) { throw .EINVAL }
        }
        options.withLock { $0 = new }
        directory.ptmx.update(mode: new.ptmxMode)
    }

    /// A new slave's node: owned by the opener, group gid= (else the opener's), mode= (0600 default).
    func node(_ index: Int, uid: UInt32, gid: UInt32) -> DevptsNode {
        let o = options.withLock { $0 }
        return DevptsNode(ino: UInt64(index) + 3, mode: FileMode.S_IFCHR | o.mode, uid: uid, gid: o.gid ?? gid,
                          rdev: DeviceNumber(major: DeviceNumber.ptySlaveMajor, minor: UInt32(index)), time: RootFilesystem.clock())
    }

    static func name(_ index: Int) -> [UInt8] { Array(Format.decimal(UInt64(index)).utf8) }

    /// The first place devpts is mounted (the slaves' files are opened through it).
    var mount: Mount? { RootFilesystem.vfs?.mounts.all.first { $0.fileSystem === self } }
}

/// A device node of devpts: a slave, or ptmx. chmod, chown and utimes change it.
final class DevptsNode: Inode, @unchecked Sendable {
    private let state: SpinLock<InodeMetadata>

    init(ino: UInt64, mode: UInt32, uid: UInt32, gid: UInt32, rdev: DeviceNumber, time: Timespec) {
        state = SpinLock(InodeMetadata(ino: ino, mode: mode, uid: uid, gid: gid, nlink: 1, time: time, rdev: rdev))
    }

    var metadata: InodeMetadata { state.withLock { $0 } }

    private static func resolve(_ change: TimeChange, now: Timespec) -> Timespec {
        if case .time(let t) = change { return t }
        return now
    }

    func update(mode: UInt32) { state.withLock { $0.mode = ($0.mode & FileMode.S_IFMT) | mode } }

    func setattr(_ changes: AttributeChanges) async throws(Errno) {
        if changes.size != nil { throw .EINVAL }
        let now = RootFilesystem.clock()
        state.withLock { m in
            if let mode = changes.mode { m.mode = (m.mode & FileMode.S_IFMT) | (mode & 0o7777) }
            if let uid = changes.uid { m.uid = uid }
            if let gid = changes.gid { m.gid = gid }
            if let a = changes.atime { m.atime = DevptsNode.resolve(a, now: now) }
            if let t = changes.mtime { m.mtime = DevptsNode.resolve(t, now: now) }
            m.ctime = now
        }
    }
}

/// /dev/pts itself: ".", "..", "ptmx" and the live pairs' numbers. Nothing can be created in it.
final class DevptsDirectory: Inode, @unchecked Sendable {
    let ptmx: DevptsNode
    private let time: Timespec

    init(time: Timespec) {
        self.time = time
        ptmx = DevptsNode(ino: 2, mode: FileMode.S_IFCHR, uid: 0, gid: 0, rdev: .ptmx, time: time)
    }

    var metadata: InodeMetadata { InodeMetadata(ino: 1, mode: FileMode.S_IFDIR | 0o755, uid: 0, gid: 0, nlink: 2, time: time) }

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        if name == dotDot { return self }
        if name == Array("ptmx".utf8) { return ptmx }
        guard let index = Devpts.index(name), let node = PtyPairs.node(index) else { throw .ENOENT }
        return node
    }

    private var dotDot: [UInt8] { [46, 46] }

    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        var entries: [(ino: UInt64, type: FileType, name: [UInt8])] = [(1, .directory, [46]), (1, .directory, dotDot), (2, .characterDevice, Array("ptmx".utf8))]
        for index in PtyPairs.indices() { entries.append((UInt64(index) + 3, .characterDevice, Devpts.name(index))) }
        DirectoryEntry.emit(entries, from: cookie, emit)   // the list is sorted: an index cookie resumes
    }

    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .EACCES }
    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) { throw .EPERM }
    func unlink(_ name: [UInt8]) async throws(Errno) { throw .EPERM }
    func rmdir(_ name: [UInt8]) async throws(Errno) { throw .EPERM }
    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) { throw .EPERM }
}

extension Devpts {
    /// "N" with no leading zero, as a pair number.
    static func index(_ name: [UInt8]) -> Int? {
        guard !name.isEmpty, name.count <= 9, name[0] != 48 || name.count == 1 else { return nil }
        var n = 0
        for c in name {
            guard c >= 48 && c <= 57 else { return nil }
            n = n * 10 + Int(c - 48)
        }
        return n
    }
}
