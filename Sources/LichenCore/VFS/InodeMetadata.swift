// What an inode knows about itself, and the stat view of it.

/// An inode's attributes (the fields of Linux's struct inode that stat reports).
public struct InodeMetadata: Equatable, Sendable {
    public var ino: UInt64
    /// Type bits (S_IFMT) | permission bits.
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var nlink: UInt32
    public var size: Int64
    public var atime: Timespec
    public var mtime: Timespec
    public var ctime: Timespec
    /// The device a device node stands for (0:0 otherwise).
    public var rdev: DeviceNumber
    /// Storage used, in 512-byte units.
    public var blocks: Int64

    public init(ino: UInt64, mode: UInt32, uid: UInt32, gid: UInt32, nlink: UInt32, size: Int64 = 0,
                time: Timespec, rdev: DeviceNumber = .none, blocks: Int64 = 0) {
        self.ino = ino
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.nlink = nlink
        self.size = size
        atime = time
        mtime = time
        ctime = time
        self.rdev = rdev
        self.blocks = blocks
    }

    public var type: FileType { FileType(mode: mode) }
    public var isDirectory: Bool { mode & FileMode.S_IFMT == FileMode.S_IFDIR }
    public var isSymbolicLink: Bool { mode & FileMode.S_IFMT == FileMode.S_IFLNK }
    public var isRegular: Bool { mode & FileMode.S_IFMT == FileMode.S_IFREG }
}

/// The part of `InodeMetadata` a permission check reads: type and permission bits, owner, group.
public struct InodePermissions: Equatable, Sendable {
    public var mode: UInt32
    public var uid: UInt32
    public var gid: UInt32

    public init(mode: UInt32, uid: UInt32, gid: UInt32) {
        self.mode = mode
        self.uid = uid
        self.gid = gid
    }

    public init(_ m: InodeMetadata) { self.init(mode: m.mode, uid: m.uid, gid: m.gid) }

    public var isDirectory: Bool { mode & FileMode.S_IFMT == FileMode.S_IFDIR }
    public var isSymbolicLink: Bool { mode & FileMode.S_IFMT == FileMode.S_IFLNK }
}

/// Everything Linux's struct stat / statx reports about a file. The syscall layer lays it out.
public struct FileStatus: Equatable, Sendable {
    /// The filesystem's device (st_dev).
    public var device: DeviceNumber
    public var ino: UInt64
    public var mode: UInt32
    public var nlink: UInt32
    public var uid: UInt32
    public var gid: UInt32
    public var rdev: DeviceNumber
    public var size: Int64
    /// Preferred I/O size (st_blksize).
    public var blockSize: Int32
    /// 512-byte units (st_blocks).
    public var blocks: Int64
    public var atime: Timespec
    public var mtime: Timespec
    public var ctime: Timespec

    public init(_ m: InodeMetadata, device: DeviceNumber, blockSize: Int32 = Int32(pageSize)) {
        self.device = device
        ino = m.ino
        mode = m.mode
        nlink = m.nlink
        uid = m.uid
        gid = m.gid
        rdev = m.rdev
        size = m.size
        self.blockSize = blockSize
        blocks = m.blocks
        atime = m.atime
        mtime = m.mtime
        ctime = m.ctime
    }

    public var type: FileType { FileType(mode: mode) }
}

/// Owner of a new inode, as the VFS decided it (fsuid, and fsgid or the setgid directory's group).
public struct InodeOwner: Equatable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public init(uid: UInt32, gid: UInt32) {
        self.uid = uid
        self.gid = gid
    }
    public static let root = InodeOwner(uid: 0, gid: 0)
}

/// A setattr request (chmod, chown, truncate, utimens); nil fields are left alone. The VFS has
/// checked permissions; the filesystem applies the change and sets ctime.
public struct AttributeChanges: Equatable, Sendable {
    /// New permission bits (the type bits are kept).
    public var mode: UInt32?
    public var uid: UInt32?
    public var gid: UInt32?
    /// New size (regular files).
    public var size: Int64?
    public var atime: TimeChange?
    public var mtime: TimeChange?

    public init(mode: UInt32? = nil, uid: UInt32? = nil, gid: UInt32? = nil, size: Int64? = nil,
                atime: TimeChange? = nil, mtime: TimeChange? = nil) {
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.size = size
        self.atime = atime
        self.mtime = mtime
    }
}

/// One directory entry as readdir produces it.
public struct DirectoryEntry: Equatable, Sendable {
    public var ino: UInt64
    public var type: FileType
    public var name: [UInt8]
    /// The readdir position just after this entry: pass it back to resume (d_off).
    public var nextCookie: Int64

    public init(ino: UInt64, type: FileType, name: [UInt8], nextCookie: Int64) {
        self.ino = ino
        self.type = type
        self.name = name
        self.nextCookie = nextCookie
    }

    /// readdir over a listing built whole (small synthetic directories): the cookie is the index of
    /// the next entry, so a read resumes where the last stopped while the listing keeps its order.
    public static func emit(_ entries: [(ino: UInt64, type: FileType, name: [UInt8])], from cookie: Int64,
                            _ emit: (DirectoryEntry) -> Bool) {
        var i = Int(max(0, cookie))
        while i < entries.count {
            let e = entries[i]
            guard emit(DirectoryEntry(ino: e.ino, type: e.type, name: e.name, nextCookie: Int64(i + 1))) else { return }
            i += 1
        }
    }
}

/// renameat2 flags.
public struct RenameFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let noReplace = RenameFlags(rawValue: 1)  // RENAME_NOREPLACE
    public static let exchange = RenameFlags(rawValue: 2)  // RENAME_EXCHANGE (not supported yet)
    public static let whiteout = RenameFlags(rawValue: 4)  // RENAME_WHITEOUT (not supported)
}
