import LichenCore
import _Concurrency

/// mount (proc, tmpfs, devtmpfs, sysfs, devpts, mqueue, ext2/3/4; bind, move and propagation
/// requests in MountTreeSyscalls), umount2, statfs, fstatfs.
enum MountSyscalls {
    static let MS_REMOUNT: UInt64 = 0x20, MS_BIND: UInt64 = 0x1000, MS_MOVE: UInt64 = 0x2000
    static let MNT_FORCE: UInt64 = 0x1, MNT_DETACH: UInt64 = 0x2, MNT_EXPIRE: UInt64 = 0x4, UMOUNT_NOFOLLOW: UInt64 = 0x8
    static let ST_VALID: UInt64 = 0x20
    private static let expiryRefused = ReportOnce(count: 1)
    /// The source names mounts were made with (/proc/mounts' first column).
    private static let sources = SpinLock<[(mount: Mount, source: [UInt8])]>([])

    /// mount(source, target, filesystemtype, mountflags, data).
    static func mount(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let sourceAddress = a.address(0), targetAddress = a.address(1), typeAddress = a.address(2), flags = a[3]
        let dataAddress = a.address(4)
        let target = try a.user.string(at: targetAddress)
        let vfs = try FileSyscalls.vfs()
        guard a.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let data = dataAddress.value == 0 ? [] : try a.user.string(at: dataAddress, limit: pageSize)
        if flags & MS_REMOUNT != 0 {
            let location = try await vfs.resolve(target, context: a.fs)
            guard location.isMountRoot else { throw .EINVAL }
            // The mount's options change; the filesystem's own (tmpfs size=...) cannot yet, except
            // ext4's (commit=, checked by Ext4Mount.remount).
            // With MS_BIND only the mount's options change (do_reconfigure_mnt): data is not read.
            let ext4 = flags & MS_BIND == 0 ? location.mount.fileSystem as? Ext4FileSystem : nil
            guard data.isEmpty || flags & MS_BIND != 0 || ext4 != nil || (try? TmpfsOptions.parse(data, ramBytes: 0)) == TmpfsOptions() else {
                throw .EINVAL
            }
            if let ext4 { try await Ext4Mount.remount(ext4, flags: flags, data: data) }
            location.mount.setFlags(MountFlags(mountSyscallFlags: flags))
            return 0
        }
        if let done = try await MountTreeSyscalls.mount(source: sourceAddress, target: target, flags: flags, a) { return done }
        let type = try a.user.string(at: typeAddress)
        let source = sourceAddress.value == 0 ? type : try a.user.string(at: sourceAddress)
        let fileSystem: any FileSystem
        if type == Array("tmpfs".utf8) {
            let o = try TmpfsOptions.parse(data, ramBytes: Int64(PhysicalMemory.totalBytes))
            fileSystem = Tmpfs(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock, rootMode: o.mode ?? 0o1777,
                               rootOwner: InodeOwner(uid: o.uid ?? 0, gid: o.gid ?? 0),
                               sizeLimit: o.size == nil ? RootFilesystem.tmpfsDefaultSize : o.size == 0 ? nil : o.size,
                               inodeLimit: o.inodes == nil ? tmpfsDefaultInodes : o.inodes == 0 ? nil : o.inodes, typeName: type)
        } else if type == Array("devpts".utf8) {                   // one instance, wherever it is mounted
            try Devpts.shared.configure(data)
            fileSystem = Devpts.shared
        } else if Ext4Mount.isExt(type) {                         // ext2/3/4 on a block device
            fileSystem = try await Ext4Mount.make(type: type, source: source, flags: flags, data: data, context: a.fs)
        } else if FatMount.isFat(type) {                          // vfat on a block device
            fileSystem = try await FatMount.make(source: source, flags: flags, data: data, context: a.fs)
        } else {
            guard data.isEmpty else { throw .EINVAL }              // their options are not supported yet
            if type == Array("proc".utf8) {
                fileSystem = ProcFileSystem(device: RootFilesystem.anonymousDevice())
            } else if type == Array("sysfs".utf8) {
                fileSystem = await SysFileSystem.shared()
            } else if type == Array("mqueue".utf8) {              // the one IPC namespace's queues
                fileSystem = MqueueFileSystem.shared
            } else if type == Array("devtmpfs".utf8) {
                fileSystem = try await Devfs.make(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock,
                                                  driverNodes: ConsoleTTY.devfsNodes + BlockDevices.nodes)
            } else {
                throw .ENODEV
            }
        }
        let m = try await vfs.mount(fileSystem, on: target, flags: MountFlags(mountSyscallFlags: flags), context: a.fs)
        remember(m, source: source)
        return 0
    }

    /// tmpfs's default nr_inodes (Linux's shmem_default_max_inodes): half the RAM pages. size=0 and
    /// nr_inodes=0 mean no limit.
    static var tmpfsDefaultInodes: Int64 { Int64(PhysicalMemory.stats?.totalFrames ?? 0) / 2 }

    /// umount2(target, flags).
    static func umount2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let targetAddress = a.address(0), flags = a[1]
        guard flags & ~(MNT_FORCE | MNT_DETACH | MNT_EXPIRE | UMOUNT_NOFOLLOW) == 0 else { throw .EINVAL }
        let path = try a.user.string(at: targetAddress)
        let vfs = try FileSyscalls.vfs()
        guard a.credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        let target = try await vfs.resolve(path, followLast: flags & UMOUNT_NOFOLLOW == 0, context: a.fs)
        guard target.isMountRoot, vfs.mounts.contains(target.mount) else { throw .EINVAL }
        if flags & MNT_EXPIRE != 0 {
            // Expiry marks (EAGAIN first, unmount if unused since) are not kept: refused.
            if flags & (MNT_FORCE | MNT_DETACH) != 0 || target.mount === a.fs.root.mount { throw .EINVAL }
            if expiryRefused.first(0) { KernelLog.warning("umount2: MNT_EXPIRE is not supported: EINVAL") }
            throw .EINVAL
        }
        let fileSystem = target.mount.fileSystem
        // A lazy unmount (MNT_DETACH) lets the users keep what they hold.
        if flags & MNT_DETACH != 0 {
            try await fileSystem.sync()                  // what is written so far goes back now
            try MountTreeSyscalls.detach(target)
            return 0
        }
        // Unmounting one's own root remounts it read-only instead, as Linux's do_umount.
        if target.mount === a.fs.root.mount {
            try await fileSystem.sync()
            target.mount.setFlags(target.mount.flags.union(.readOnly))
            return 0
        }
        // Like Linux, a mount that is some process's directory or holds an open file stays (EBUSY).
        if inUse(target.mount) { throw .EBUSY }
        try await fileSystem.sync()                      // written back first
        try await vfs.unmount(path, context: a.fs)
        // Its last mount gone (no bind of it left): FAT writes FSInfo and clears its dirty flag.
        if !vfs.mounts.all.contains(where: { $0.fileSystem === fileSystem }) { try? await fileSystem.unmount() }
        forgetUnmounted()            // the source names must not keep an unmounted tmpfs (its pages) alive
        return 0
    }

    /// statfs(path, buf).
    static func statfs(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let pathAddress = a.address(0), buffer = a.address(1)
        let mount = try await FileSyscalls.vfs().resolve(try a.user.string(at: pathAddress), context: a.fs).mount
        try a.user.store(linuxStatfs(mount.fileSystem.statistics, mount.flags), to: buffer)
        return 0
    }

    /// fstatfs(fd, buf).
    static func fstatfs(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1)
        let mount = try a.process.file(fd).location.mount
        try a.user.store(linuxStatfs(mount.fileSystem.statistics, mount.flags), to: buffer)
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

    static func forgetUnmounted() {
        let live = RootFilesystem.vfs?.mounts.all ?? []
        let gone = sources.withLock { sources -> [(mount: Mount, source: [UInt8])] in
            let gone = sources.filter { entry in !live.contains { $0 === entry.mount } }
            sources.removeAll { entry in !live.contains { $0 === entry.mount } }
            return gone
        }
        _ = gone                     // released here, after the lock: a tmpfs teardown frees its pages
    }

    static func remember(_ m: Mount, source: [UInt8]) {
        sources.withLock { sources in
            let live = RootFilesystem.vfs?.mounts.all ?? []
            sources.removeAll { entry in !live.contains { $0 === entry.mount } }     // unmounted since
            sources.append((m, source))
        }
    }

    static func source(of m: Mount) -> String { String(decoding: sourceName(of: m), as: UTF8.self) }

    static func sourceName(of m: Mount) -> [UInt8] {
        sources.withLock { sources in sources.first { $0.mount === m }?.source } ?? m.fileSystem.typeName
    }

    static func linuxStatfs(_ s: FileSystemStatistics, _ flags: MountFlags) -> LinuxStatfs {
        var out = LinuxStatfs()
        out.f_type = s.magic
        out.f_bsize = s.blockSize
        out.f_blocks = Int64(bitPattern: s.totalBlocks)
        out.f_bfree = Int64(bitPattern: s.freeBlocks)
        out.f_bavail = Int64(bitPattern: s.availableBlocks)
        out.f_files = Int64(bitPattern: s.totalInodes)
        out.f_ffree = Int64(bitPattern: s.freeInodes)
        out.f_namelen = s.maxNameLength
        out.f_frsize = s.blockSize
        out.f_flags = Int64(bitPattern: ST_VALID | flags.statfsFlags)
        return out
    }
}

/// sysfs: a read-only-looking tree (a tmpfs) with sysfs's name and magic, holding the CPU files
/// (SysfsCPUs) and the block devices (SysfsBlock). One instance, whatever is mounted where, as
/// Linux's single sysfs superblock.
final class SysFileSystem: FileSystem, @unchecked Sendable {
    private static let instance = SpinLock<SysFileSystem?>(nil)

    /// The instance if some mount made it (BLKRRPART updates it).
    static var existing: SysFileSystem? { instance.withLock { $0 } }

    static func shared() async -> SysFileSystem {
        if let fs = existing { return fs }
        let fs = SysFileSystem()
        await addCPUs(to: fs)
        do throws(Errno) { try await SysfsBlock.add(to: fs) } catch {
            KernelLog.warning("sysfs: the block devices could not be shown (error " + Format.decimal(UInt64(error.rawValue)) + ")")
        }
        // Two first mounts at once: the first one made keeps being the instance.
        return instance.withLock { current in
            if let earlier = current { return earlier }
            current = fs
            return fs
        }
    }

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
