// File status structures of the Linux arm64 user ABI: `struct stat` (asm-generic/stat.h, which arm64
// uses: 128 bytes), `struct statx` (256 bytes) and `struct statfs` (asm-generic/statfs.h: 120 bytes).

/// `struct stat` for fstat/newfstatat on arm64.
public struct LinuxStat: Hashable, Sendable {
    public var st_dev: UInt64 = 0
    public var st_ino: UInt64 = 0
    public var st_mode: UInt32 = 0
    public var st_nlink: UInt32 = 0
    public var st_uid: UInt32 = 0
    public var st_gid: UInt32 = 0
    public var st_rdev: UInt64 = 0
    public var __pad1: UInt64 = 0
    public var st_size: Int64 = 0
    public var st_blksize: Int32 = 0
    public var __pad2: Int32 = 0
    public var st_blocks: Int64 = 0
    public var st_atime: Int64 = 0
    public var st_atime_nsec: UInt64 = 0
    public var st_mtime: Int64 = 0
    public var st_mtime_nsec: UInt64 = 0
    public var st_ctime: Int64 = 0
    public var st_ctime_nsec: UInt64 = 0
    public var __unused4: UInt32 = 0
    public var __unused5: UInt32 = 0

    public init() {}

    /// From the kernel's view of an inode. `blocks` counts 512-byte units.
    public init(device: UInt64, inode: UInt64, mode: UInt32, links: UInt32, uid: UInt32, gid: UInt32,
                rdev: UInt64 = 0, size: Int64, blockSize: Int32 = 4096, blocks: Int64,
                accessed: LinuxTimespec, modified: LinuxTimespec, changed: LinuxTimespec) {
        st_dev = device; st_ino = inode; st_mode = mode; st_nlink = links; st_uid = uid; st_gid = gid
        st_rdev = rdev; st_size = size; st_blksize = blockSize; st_blocks = blocks
        st_atime = accessed.tv_sec; st_atime_nsec = UInt64(bitPattern: accessed.tv_nsec)
        st_mtime = modified.tv_sec; st_mtime_nsec = UInt64(bitPattern: modified.tv_nsec)
        st_ctime = changed.tv_sec; st_ctime_nsec = UInt64(bitPattern: changed.tv_nsec)
    }

    // st_mode file types and permission bits (linux/stat.h): the VFS's FileMode values, one source.
    public static let S_IFMT = FileMode.S_IFMT
    public static let S_IFSOCK = FileMode.S_IFSOCK
    public static let S_IFLNK = FileMode.S_IFLNK
    public static let S_IFREG = FileMode.S_IFREG
    public static let S_IFBLK = FileMode.S_IFBLK
    public static let S_IFDIR = FileMode.S_IFDIR
    public static let S_IFCHR = FileMode.S_IFCHR
    public static let S_IFIFO = FileMode.S_IFIFO
    public static let S_ISUID = FileMode.S_ISUID
    public static let S_ISGID = FileMode.S_ISGID
    public static let S_ISVTX = FileMode.S_ISVTX

    /// The device number encoding of the user ABI (new_encode_dev): 12-bit major, 20-bit minor.
    public static func makeDevice(major: UInt32, minor: UInt32) -> UInt64 {
        UInt64((minor & 0xff) | ((major & 0xfff) << 8) | ((minor & ~0xff) << 12))
    }
    public static func major(_ dev: UInt64) -> UInt32 { UInt32(truncatingIfNeeded: (dev & 0xfff00) >> 8) }
    public static func minor(_ dev: UInt64) -> UInt32 {
        UInt32(truncatingIfNeeded: (dev & 0xff) | ((dev >> 12) & 0xfff00))
    }
}

/// `struct statx_timestamp`: 16 bytes.
public struct LinuxStatxTimestamp: Hashable, Sendable {
    public var tv_sec: Int64 = 0
    public var tv_nsec: UInt32 = 0
    public var __reserved: Int32 = 0
    public init() {}
    public init(_ t: LinuxTimespec) { tv_sec = t.tv_sec; tv_nsec = UInt32(truncatingIfNeeded: t.tv_nsec) }
}

/// `struct statx`: 256 bytes.
public struct LinuxStatx: Sendable {
    public var stx_mask: UInt32 = 0
    public var stx_blksize: UInt32 = 0
    public var stx_attributes: UInt64 = 0
    public var stx_nlink: UInt32 = 0
    public var stx_uid: UInt32 = 0
    public var stx_gid: UInt32 = 0
    public var stx_mode: UInt16 = 0
    public var __spare0: UInt16 = 0
    public var stx_ino: UInt64 = 0
    public var stx_size: UInt64 = 0
    public var stx_blocks: UInt64 = 0
    public var stx_attributes_mask: UInt64 = 0
    public var stx_atime = LinuxStatxTimestamp()
    public var stx_btime = LinuxStatxTimestamp()
    public var stx_ctime = LinuxStatxTimestamp()
    public var stx_mtime = LinuxStatxTimestamp()
    public var stx_rdev_major: UInt32 = 0
    public var stx_rdev_minor: UInt32 = 0
    public var stx_dev_major: UInt32 = 0
    public var stx_dev_minor: UInt32 = 0
    public var stx_mnt_id: UInt64 = 0
    public var stx_dio_mem_align: UInt32 = 0
    public var stx_dio_offset_align: UInt32 = 0
    public var __spare3: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                          UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    public init() {}

    /// The statx view of a `struct stat` (what a filesystem without birth times reports):
    /// STATX_BASIC_STATS in stx_mask.
    public init(_ s: LinuxStat) {
        stx_mask = LinuxStatx.STATX_BASIC_STATS
        stx_blksize = UInt32(bitPattern: s.st_blksize)
        stx_nlink = s.st_nlink; stx_uid = s.st_uid; stx_gid = s.st_gid
        stx_mode = UInt16(truncatingIfNeeded: s.st_mode)
        stx_ino = s.st_ino; stx_size = UInt64(bitPattern: s.st_size); stx_blocks = UInt64(bitPattern: s.st_blocks)
        stx_atime = LinuxStatxTimestamp(LinuxTimespec(tv_sec: s.st_atime, tv_nsec: Int64(bitPattern: s.st_atime_nsec)))
        stx_mtime = LinuxStatxTimestamp(LinuxTimespec(tv_sec: s.st_mtime, tv_nsec: Int64(bitPattern: s.st_mtime_nsec)))
        stx_ctime = LinuxStatxTimestamp(LinuxTimespec(tv_sec: s.st_ctime, tv_nsec: Int64(bitPattern: s.st_ctime_nsec)))
        stx_rdev_major = LinuxStat.major(s.st_rdev); stx_rdev_minor = LinuxStat.minor(s.st_rdev)
        stx_dev_major = LinuxStat.major(s.st_dev); stx_dev_minor = LinuxStat.minor(s.st_dev)
    }

    public static let STATX_TYPE: UInt32 = 0x0001
    public static let STATX_MODE: UInt32 = 0x0002
    public static let STATX_NLINK: UInt32 = 0x0004
    public static let STATX_UID: UInt32 = 0x0008
    public static let STATX_GID: UInt32 = 0x0010
    public static let STATX_ATIME: UInt32 = 0x0020
    public static let STATX_MTIME: UInt32 = 0x0040
    public static let STATX_CTIME: UInt32 = 0x0080
    public static let STATX_INO: UInt32 = 0x0100
    public static let STATX_SIZE: UInt32 = 0x0200
    public static let STATX_BLOCKS: UInt32 = 0x0400
    public static let STATX_BASIC_STATS: UInt32 = 0x07ff
    public static let STATX_BTIME: UInt32 = 0x0800
}

/// `struct statfs` (statfs/fstatfs on arm64; the same as statfs64 there).
public struct LinuxStatfs: Hashable, Sendable {
    public var f_type: Int64 = 0
    public var f_bsize: Int64 = 0
    public var f_blocks: Int64 = 0
    public var f_bfree: Int64 = 0
    public var f_bavail: Int64 = 0
    public var f_files: Int64 = 0
    public var f_ffree: Int64 = 0
    public var f_fsid: LinuxFsid = LinuxFsid()
    public var f_namelen: Int64 = 0
    public var f_frsize: Int64 = 0
    public var f_flags: Int64 = 0
    public var f_spare: LinuxStatfsSpare = LinuxStatfsSpare()
    public init() {}

    // f_type magic numbers (linux/magic.h) of the filesystems Lichen provides.
    public static let TMPFS_MAGIC: Int64 = 0x0102_1994
    public static let PROC_SUPER_MAGIC: Int64 = 0x9fa0
    public static let RAMFS_MAGIC: Int64 = 0x8584_58f6
}

/// `__kernel_fsid_t`: `int val[2]`.
public struct LinuxFsid: Hashable, Sendable {
    public var val0: Int32 = 0
    public var val1: Int32 = 0
    public init(_ val0: Int32 = 0, _ val1: Int32 = 0) { self.val0 = val0; self.val1 = val1 }
}

/// `f_spare[4]` of `struct statfs`.
public struct LinuxStatfsSpare: Hashable, Sendable {
    public var spare0: Int64 = 0, spare1: Int64 = 0, spare2: Int64 = 0, spare3: Int64 = 0
    public init() {}
}
