import _Concurrency

/// A file of some filesystem (Linux's struct inode with its inode_operations and the data side
/// of its file_operations). Names are bytes, never containing '/' or NUL, never "." (the VFS
/// handles it); ".." is looked up like a name and must return the parent directory (the
/// filesystem root returns itself).
///
/// The VFS checks permissions before it calls an operation; the filesystem enforces the
/// structural rules itself, atomically (EEXIST, ENOTEMPTY, EISDIR/ENOTDIR in rename, rename
/// loops). Every operation has a default that fails the way Linux does for an inode that does
/// not support it, so a filesystem implements only what applies.
public protocol Inode: AnyObject, Sendable {
    /// A snapshot of the attributes.
    var metadata: InodeMetadata { get }
    /// A snapshot of the type, permission bits and owner alone: what a path walk checks of every
    /// directory it passes (`metadata` copies all of it). Defaults to `metadata`'s.
    var permissions: InodePermissions { get }

    // Directories.
    func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode
    /// `lookup` of an existing name answered without sleeping or allocating (the instant path walk,
    /// InstantPathWalk.swift); nil when the filesystem cannot (the default), or for any failure:
    /// the walk then leaves the path to `lookup`. Never called with "." or "..".
    func lookupNow(_ name: UnsafeRawBufferPointer) -> (any Inode)?
    /// Creates a regular file (`mode` holds the permission bits, already masked by the umask).
    func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode
    func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode
    /// A device node, FIFO or socket: `mode` includes the type bits.
    func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode
    func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode
    /// A new name for `inode` (same filesystem, not a directory) in this directory.
    func link(_ name: [UInt8], to inode: any Inode) async throws(Errno)
    func unlink(_ name: [UInt8]) async throws(Errno)
    func rmdir(_ name: [UInt8]) async throws(Errno)
    /// Moves `name` to `newName` in `newDirectory` (EXDEV unless the same filesystem), replacing
    /// a compatible target: a file replaces a file, a directory an empty directory.
    func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno)
    /// Calls `emit` for each entry from position `cookie` on ("." and ".." included) until it
    /// returns false (the entry it refused is not consumed) or the directory ends.
    func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno)

    // Symbolic links.
    func readlink() async throws(Errno) -> [UInt8]
    /// The target as `context`'s process sees it (/proc/self); the plain target by default.
    func readlink(in context: FSContext) async throws(Errno) -> [UInt8]

    // All inodes.
    func setattr(_ changes: AttributeChanges) async throws(Errno)
    /// An access the mount records (`Location.accessed`): the access time moves to now if `update`
    /// says it is due (no ctime change; errors are dropped, as Linux's touch_atime). Nothing by
    /// default (files whose times nobody stores).
    func accessed(_ update: AccessTimeUpdate) async

    // Regular files.
    /// Reads up to `buffer.count` bytes at `offset`; 0 at or past the end.
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int
    /// read(2) of an open file: `readahead` is the description's readahead state (disk files use
    /// it; others read as `read(at:into:)`).
    func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, readahead: SpinLock<ReadaheadState>) async throws(Errno) -> Int
    /// Writes `buffer` at `offset`, or at the end of the file if `append` (decided atomically with
    /// the write). Returns the count written and the offset just past it.
    func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64)
    /// SEEK_DATA (`hole` false) / SEEK_HOLE (`hole` true) from `offset`; ENXIO at or past the end.
    func seekData(from offset: Int64, hole: Bool) async throws(Errno) -> Int64
    /// fallocate(2) of a regular file, its range already checked (OpenFile.allocate): mode 0 or
    /// FALLOC_FL_KEEP_SIZE reserves the space (later writes into the range cannot fail with
    /// ENOSPC), PUNCH_HOLE|KEEP_SIZE frees it (the range reads as zeros). A filesystem that cannot
    /// keep that promise answers EOPNOTSUPP (the default), as Linux for one without ->fallocate:
    /// glibc's posix_fallocate then writes zeros itself.
    func allocate(mode: UInt32, offset: Int64, length: Int64) async throws(Errno)

    /// File operations of a file whose contents the filesystem itself implements specially
    /// (procfs files, later). Device nodes are not looked up here but in the device registry.
    var fileOperations: (any FileOperations)? { get }

    /// The pages mmap maps directly (FilePageCache), nil when the filesystem has none (the file
    /// is then read in at mmap, and MAP_SHARED|PROT_WRITE is refused).
    var pageCache: (any FilePageCache)? { get }

    /// A "magic link" (procfs's /proc/<pid>/fd/N, cwd, exe): following it lands on this location
    /// directly instead of walking a path; nil (the default) for ordinary symlinks.
    func jumpTarget(in context: FSContext) async throws(Errno) -> Location?

    /// Its extended attributes (Xattr/), nil when the filesystem has none (EOPNOTSUPP).
    var extendedAttributes: (any ExtendedAttributes)? { get }
}

extension Inode {
    public var permissions: InodePermissions { InodePermissions(metadata) }
    public func lookup(_ name: [UInt8]) async throws(Errno) -> any Inode { throw .ENOTDIR }
    public func lookupNow(_ name: UnsafeRawBufferPointer) -> (any Inode)? { nil }
    public func create(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    public func mkdir(_ name: [UInt8], mode: UInt32, owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    public func mknod(_ name: [UInt8], mode: UInt32, device: DeviceNumber, owner: InodeOwner) async throws(Errno) -> any Inode {
        throw .ENOTDIR
    }
    public func symlink(_ name: [UInt8], target: [UInt8], owner: InodeOwner) async throws(Errno) -> any Inode { throw .ENOTDIR }
    public func link(_ name: [UInt8], to inode: any Inode) async throws(Errno) { throw .ENOTDIR }
    public func unlink(_ name: [UInt8]) async throws(Errno) { throw .ENOTDIR }
    public func rmdir(_ name: [UInt8]) async throws(Errno) { throw .ENOTDIR }
    public func rename(_ name: [UInt8], to newDirectory: any Inode, as newName: [UInt8], flags: RenameFlags) async throws(Errno) {
        throw .ENOTDIR
    }
    public func readdir(from cookie: Int64, _ emit: (DirectoryEntry) -> Bool) async throws(Errno) { throw .ENOTDIR }
    public func readlink() async throws(Errno) -> [UInt8] { throw .EINVAL }
    public func readlink(in context: FSContext) async throws(Errno) -> [UInt8] { try await readlink() }
    public func setattr(_ changes: AttributeChanges) async throws(Errno) { throw .EPERM }
    public func accessed(_ update: AccessTimeUpdate) async {}
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        throw metadata.isDirectory ? .EISDIR : .EINVAL
    }
    public func read(at offset: Int64, into buffer: UnsafeMutableRawBufferPointer, readahead: SpinLock<ReadaheadState>) async throws(Errno) -> Int {
        try await read(at: offset, into: buffer)
    }
    public func write(at offset: Int64, from buffer: UnsafeRawBufferPointer, append: Bool) async throws(Errno) -> (count: Int, end: Int64) {
        throw metadata.isDirectory ? .EISDIR : .EINVAL
    }
    public func seekData(from offset: Int64, hole: Bool) async throws(Errno) -> Int64 {
        let size = metadata.size
        if offset < 0 || offset >= size { throw .ENXIO }
        return hole ? size : offset
    }
    public func allocate(mode: UInt32, offset: Int64, length: Int64) async throws(Errno) { throw .EOPNOTSUPP }
    public var fileOperations: (any FileOperations)? { nil }
    public var pageCache: (any FilePageCache)? { nil }
    public func jumpTarget(in context: FSContext) async throws(Errno) -> Location? { nil }
    public var extendedAttributes: (any ExtendedAttributes)? { nil }

    /// truncate: a setattr of the size alone.
    public func truncate(to size: Int64) async throws(Errno) {
        try await setattr(AttributeChanges(size: size))
    }
}
