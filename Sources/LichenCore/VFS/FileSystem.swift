/// A mounted (or mountable) filesystem instance: Linux's super_block.
public protocol FileSystem: AnyObject, Sendable {
    var root: any Inode { get }
    /// st_dev of its files.
    var device: DeviceNumber { get }
    /// The type name /proc/mounts shows ("tmpfs", "devtmpfs", "proc").
    var typeName: [UInt8] { get }
    var statistics: FileSystemStatistics { get }
    /// st_blksize of its files (a page, unless the filesystem says otherwise: ext4's block size).
    var preferredBlockSize: Int32 { get }
    /// Writes every change back to its device and makes it durable (syncfs, sync(2)).
    /// Filesystems in memory have nothing to do.
    func sync() async throws(Errno)
    /// fsync and fdatasync of one of its files: that file durable (ext4 commits its journal only
    /// when it holds the file's changes). By default, `sync`.
    func sync(file: any Inode) async throws(Errno)
    /// fdatasync (`dataOnly`): as `sync(file:)`, except that metadata the data does not need
    /// (timestamps) may stay behind. By default, `sync(file:)`.
    func sync(file: any Inode, dataOnly: Bool) async throws(Errno)
    /// Its own options /proc/mounts shows after the mount's flags ("commit=30"), or "".
    var fileSystemOptions: String { get }
    /// Its last mount is gone: everything written back and the volume marked clean (FAT's dirty
    /// flag). By default, `sync`.
    func unmount() async throws(Errno)
}

extension FileSystem {
    public var preferredBlockSize: Int32 { Int32(pageSize) }
    public func sync() async throws(Errno) {}
    public func sync(file: any Inode) async throws(Errno) { try await sync() }
    public func sync(file: any Inode, dataOnly: Bool) async throws(Errno) { try await sync(file: file) }
    public var fileSystemOptions: String { "" }
    public func unmount() async throws(Errno) { try await sync() }
}

/// What statfs reports.
public struct FileSystemStatistics: Equatable, Sendable {
    /// Filesystem magic (f_type), e.g. TMPFS_MAGIC 0x01021994.
    public var magic: Int64
    public var blockSize: Int64
    public var totalBlocks: UInt64
    public var freeBlocks: UInt64
    public var availableBlocks: UInt64
    public var totalInodes: UInt64
    public var freeInodes: UInt64
    public var maxNameLength: Int64

    public init(magic: Int64, blockSize: Int64, totalBlocks: UInt64, freeBlocks: UInt64, availableBlocks: UInt64,
                totalInodes: UInt64, freeInodes: UInt64, maxNameLength: Int64 = 255) {
        self.magic = magic
        self.blockSize = blockSize
        self.totalBlocks = totalBlocks
        self.freeBlocks = freeBlocks
        self.availableBlocks = availableBlocks
        self.totalInodes = totalInodes
        self.freeInodes = freeInodes
        self.maxNameLength = maxNameLength
    }
}
