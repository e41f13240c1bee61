import _Concurrency

/// pipefs: where anonymous pipes' inodes live (never mounted, like Linux's). Gives fstat an
/// S_IFIFO inode with its own number, and /proc/<pid>/fd the "pipe:[N]" name.
public final class PipeFileSystem: FileSystem, @unchecked Sendable {
    public static let shared = PipeFileSystem()
    public static let magic: Int64 = 0x5049_5045          // PIPEFS_MAGIC

    private let lock = RawSpinLock()
    private var nextInode: UInt64 = 1                      // guarded by lock
    /// Stamps new pipe inodes; the kernel sets it to the real-time clock.
    public nonisolated(unsafe) static var clock: VFSClock = { Timespec(seconds: 0, nanoseconds: 0) }
    public private(set) var root: any Inode = PipeInode(ino: 0, time: Timespec(seconds: 0, nanoseconds: 0), pipe: nil)
    private var mount: Mount! = nil

    private init() {
        mount = Mount(fileSystem: self, parent: nil, mountpoint: nil)
    }

    public var device: DeviceNumber { DeviceNumber(major: 0, minor: 12) }
    public var typeName: [UInt8] { Array("pipefs".utf8) }
    public var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: PipeFileSystem.magic, blockSize: 4096, totalBlocks: 0, freeBlocks: 0,
                             availableBlocks: 0, totalInodes: 0, freeInodes: 0)
    }

    /// A new inode here: a pipe's, or (pipe nil) an epoll instance's, for want of an anon_inodefs.
    public func newLocation(_ pipe: Pipe?) -> Location {
        let ino = lock.withLock { () -> UInt64 in
            defer { nextInode += 1 }
            return nextInode
        }
        return Location(mount: mount, inode: PipeInode(ino: ino, time: PipeFileSystem.clock(), pipe: pipe))
    }
}

/// An anonymous pipe's inode: S_IFIFO 0600, owned by root (no credentials are passed here).
final class PipeInode: Inode, @unchecked Sendable {
    let metadata: InodeMetadata
    /// The pipe, for reopening through /proc/<pid>/fd/N (no cycle: the pipe does not know its inode).
    let pipe: Pipe?

    init(ino: UInt64, time: Timespec, pipe: Pipe?) {
        self.pipe = pipe
        metadata = InodeMetadata(ino: ino, mode: FileMode.S_IFIFO | 0o600, uid: 0, gid: 0, nlink: 1, time: time)
    }

    var fileOperations: (any FileOperations)? { pipe }
}
