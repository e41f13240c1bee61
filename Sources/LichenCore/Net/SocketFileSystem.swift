import _Concurrency

/// sockfs: where sockets' inodes live (never mounted, like Linux's), so that fstat of a socket
/// says S_IFSOCK with an inode number of its own.
public final class SocketFileSystem: FileSystem, @unchecked Sendable {
    public static let shared = SocketFileSystem()
    public static let magic: Int64 = 0x534F_434B          // SOCKFS_MAGIC

    private let lock = RawSpinLock()
    private var nextInode: UInt64 = 1                      // guarded by lock
    public private(set) var root: any Inode = SocketInode(ino: 0, time: Timespec(seconds: 0, nanoseconds: 0), uid: 0, gid: 0)
    private var mount: Mount! = nil

    private init() {
        mount = Mount(fileSystem: self, parent: nil, mountpoint: nil)
    }

    public var device: DeviceNumber { DeviceNumber(major: 0, minor: 8) }
    public var typeName: [UInt8] { Array("sockfs".utf8) }
    public var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: SocketFileSystem.magic, blockSize: 4096, totalBlocks: 0, freeBlocks: 0,
                             availableBlocks: 0, totalInodes: 0, freeInodes: 0)
    }

    /// A new socket inode (S_IFSOCK 0777, owned by the creator as on Linux).
    public func newLocation(uid: UInt32, gid: UInt32) -> Location {
        let ino = lock.withLock { () -> UInt64 in
            defer { nextInode += 1 }
            return nextInode
        }
        return Location(mount: mount, inode: SocketInode(ino: ino, time: PipeFileSystem.clock(), uid: uid, gid: gid))
    }
}

final class SocketInode: Inode, @unchecked Sendable {
    let metadata: InodeMetadata

    init(ino: UInt64, time: Timespec, uid: UInt32, gid: UInt32) {
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFSOCK | 0o777, uid: uid, gid: gid, nlink: 1, time: time)
    }
}
