import LichenCore
import _Concurrency

/// The mqueue filesystem (Linux's, of the one IPC namespace): one instance, which mq_open uses
/// unmounted and `mount -t mqueue` shows wherever it is mounted. Its root lists the queues by
/// name; opening one gives a descriptor mq_timedsend and mq_timedreceive accept, reading it gives
/// the queue's status line, unlinking it is mq_unlink.
final class MqueueFileSystem: FileSystem, @unchecked Sendable {
    static let shared = MqueueFileSystem()
    static let magic: Int64 = 0x1980_0202                  // MQUEUE_MAGIC

    let device = RootFilesystem.anonymousDevice()
    let typeName = Array("mqueue".utf8)
    let directory = MqueueDirectory()
    /// The mount mq_open's descriptors are on (Linux's ipc_ns->mq_mnt, never in the tree).
    private(set) var internalMount: Mount! = nil

    private init() {
        internalMount = Mount.detached(self)
    }

    var root: any Inode { directory }
    var statistics: FileSystemStatistics {
        FileSystemStatistics(magic: MqueueFileSystem.magic, blockSize: Int64(pageSize), totalBlocks: 0, freeBlocks: 0,
                             availableBlocks: 0, totalInodes: 0, freeInodes: 0)
    }
}

/// The mqueue root: sticky and world-writable (01777), holding only queues.
final class MqueueDirectory: Inode, @unchecked Sendable {
    let metadata = InodeMetadata(ino: 1, mode: FileMode.S_IFDIR | 0o1777, uid: 0, gid: 0, nlink: 2, time: RootFilesystem.clock())

    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode {
        if name == [0x2e, 0x2e] || name == [0x2e] { return self }
        if name.count > 255 { throw .ENAMETOOLONG }
        guard let queue = PosixMessageQueues.find(name) else { throw .ENOENT }
        return queue
    }

    /// open(O_CREAT) here: a queue with the default attributes. The VFS has no caller here, so the
    /// RLIMIT_MSGQUEUE checked is the default one and root counts as privileged (docs/ipc.md).
    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode {
        try PosixMessageQueues.create(name, mode: mode, owner: owner, attributes: nil, privileged: owner.uid == 0,
                                      byteLimit: 819_200)
    }

    func unlink(_ name: [UInt8]) async throws(Errno) {
        try PosixMessageQueues.remove(name)
    }

    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) {
        var entries: [(ino: UInt64, type: FileType, name: [UInt8])] = [(1, .directory, [0x2e]), (1, .directory, [0x2e, 0x2e])]
        for (name, queue) in PosixMessageQueues.list() { entries.append((queue.metadata.ino, .regular, name)) }
        DirectoryEntry.emit(entries, from: cookie, emit)
    }

    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode { throw .EPERM }
    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) { throw .EPERM }
    func rmdir(_ name: [UInt8]) async throws(Errno) { throw .EPERM }
    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) { throw .EPERM }
}
