import LichenCore
import _Concurrency

/// mount (proc, tmpfs, devtmpfs, sysfs), umount2, statfs, fstatfs.
enum MountSyscalls {
    static let MS_REMOUNT: UInt64 = 0x20, MS_BIND: UInt64 = 0x1000, MS_MOVE: UInt64 = 0x2000
    static let MNT_DETACH: UInt64 = 0x2, UMOUNT_NOFOLLOW: UInt64 = 0x8
    /// The source names mounts were made with (/proc/mounts' first column).
    nonisolated(unsafe) private static var sources: [(mount: Mount, source: [UInt8])] = []
    private static let lock = SpinLock(())

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        switch number {
        case 40: return try await mount(a)
        case 39:                                                   // umount2
            guard a[1] & ~UInt64(0xf) == 0 else { throw .EINVAL }  // MNT_FORCE, MNT_DETACH, MNT_EXPIRE, UMOUNT_NOFOLLOW
            let path = try a.user.string(at: a.address(0))
            let vfs = try FileSyscalls.vfs()
            guard a.process.fs.credentials.isSuperuser else { throw .EPERM }
            let target = try await vfs.resolve(path, followLast: a[1] & UMOUNT_NOFOLLOW == 0, context: a.process.fs)
            // A lazy unmount (MNT_DETACH) lets the users keep what they hold; otherwise, like Linux,
            // a mount that is some process's directory or holds an open file stays (EBUSY).
            if target.isMountRoot && a[1] & MNT_DETACH == 0 && inUse(target.mount) { throw .EBUSY }
            try await vfs.unmount(path, context: a.process.fs)
            return 0
        case 43:                                                   // statfs
            let mount = try await FileSyscalls.vfs().resolve(try a.user.string(at: a.address(0)), context: a.process.fs).mount
            try a.user.store(bytes: linuxStatfs(mount.fileSystem.statistics, mount.flags), to: a.address(1))
            return 0
        case 44:                                                   // fstatfs
            let mount = try a.process.file(a.fd(0)).location.mount
            try a.user.store(bytes: linuxStatfs(mount.fileSystem.statistics, mount.flags), to: a.address(1))
            return 0
        default: return nil
        }
    }

    static func mount(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let flags = a[3]
        let target = try a.user.string(at: a.address(1))
        let vfs = try FileSyscalls.vfs()
        guard a.process.fs.credentials.isSuperuser else { throw .EPERM }
        let data = a[4] == 0 ? [] : try a.user.string(at: a.address(4), limit: pageSize)
        if flags & MS_REMOUNT != 0 {
            let location = try await vfs.resolve(target, context: a.process.fs)
            guard location.isMountRoot else { throw .EINVAL }
            // The mount's options change; the filesystem's own (tmpfs size=...) cannot yet.
            guard data.isEmpty || (flags & MS_BIND == 0 && (try? TmpfsOptions.parse(data, ramBytes: 0)) == TmpfsOptions()) else {
                throw .EINVAL
            }
            location.mount.setFlags(MountFlags(mountSyscallFlags: flags))
            return 0
        }
        if flags & (MS_BIND | MS_MOVE) != 0 { throw .EINVAL }     // TODO: bind and move mounts
        let type = try a.user.string(at: a.address(2))
        let source = a[0] == 0 ? type : try a.user.string(at: a.address(0))
        let fileSystem: any FileSystem
        if type == Array("tmpfs".utf8) {
            let o = try TmpfsOptions.parse(data, ramBytes: Int64(PhysicalMemory.totalBytes))
            fileSystem = Tmpfs(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock, rootMode: o.mode ?? 0o1777,
                               rootOwner: InodeOwner(uid: o.uid ?? 0, gid: o.gid ?? 0),
                               sizeLimit: o.size ?? RootFilesystem.tmpfsDefaultSize, inodeLimit: o.inodes, typeName: type)
        } else {
            guard data.isEmpty else { throw .EINVAL }              // their options are not supported yet
            if type == Array("proc".utf8) {
                fileSystem = ProcFileSystem(device: RootFilesystem.anonymousDevice())
            } else if type == Array("sysfs".utf8) {
                fileSystem = SysFileSystem()
            } else if type == Array("devtmpfs".utf8) {
                fileSystem = try await Devfs.make(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock)
            } else {
                throw .ENODEV
            }
        }
        let m = try await vfs.mount(fileSystem, on: target, flags: MountFlags(mountSyscallFlags: flags), context: a.process.fs)
        remember(m, source: source)
        return 0
    }

    /// Whether a process works in `mount` (its cwd or root) or has a file open or running from it.
    /// File mappings are not tracked: a mapped file whose descriptor was closed does not count.
    static func inUse(_ mount: Mount) -> Bool {
        for p in Processes.all() {
            let fs = p.fs
            if fs.cwd.mount === mount || fs.root.mount === mount || p.executable?.mount === mount { return true }
            let files = p.files.withLock { t in t.descriptors.compactMap { t.entry($0)?.file } }
            if files.contains(where: { $0.location.mount === mount }) { return true }
        }
        return false
    }

    static func remember(_ m: Mount, source: [UInt8]) {
        lock.withLock { _ in
            let live = RootFilesystem.vfs?.mounts.all ?? []
            sources.removeAll { entry in !live.contains { $0 === entry.mount } }     // unmounted since
            sources.append((m, source))
        }
    }

    static func source(of m: Mount) -> String {
        let s = lock.withLock { _ in sources.first { $0.mount === m }?.source }
        return String(decoding: s ?? m.fileSystem.typeName, as: UTF8.self)
    }

    /// struct statfs (arm64, 120 bytes): type, bsize, blocks, bfree, bavail, files, ffree, fsid, namelen,
    /// frsize, flags, spare[4].
    static func linuxStatfs(_ s: FileSystemStatistics, _ flags: MountFlags) -> [UInt8] {
        let words: [UInt64] = [UInt64(bitPattern: s.magic), UInt64(bitPattern: s.blockSize), s.totalBlocks, s.freeBlocks,
                               s.availableBlocks, s.totalInodes, s.freeInodes, 0, UInt64(bitPattern: s.maxNameLength),
                               UInt64(bitPattern: s.blockSize), 0x20 /* ST_VALID */ | flags.statfsFlags, 0, 0, 0, 0]
        var out: [UInt8] = []
        for w in words { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: w >> (UInt64(i) * 8))) } }
        return out
    }
}

/// sysfs: an empty read-only-looking tree (a tmpfs) with sysfs's name and magic, until there is
/// something to show.
final class SysFileSystem: FileSystem, @unchecked Sendable {
    private let tree = Tmpfs(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock, rootMode: 0o555,
                             typeName: Array("sysfs".utf8))
    var root: any Inode { tree.root }
    var device: DeviceNumber { tree.device }
    var typeName: [UInt8] { tree.typeName }
    var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: 0x6265_6572, blockSize: 4096, totalBlocks: 0, freeBlocks: 0, availableBlocks: 0,
                             totalInodes: 0, freeInodes: 0)             // SYSFS_MAGIC
    }
}
