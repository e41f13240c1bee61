import _Concurrency
import Synchronization

/// An open file description (Linux's struct file): what open() creates and dup()/fork() share.
/// It holds the position, the access mode and status flags (O_APPEND, O_NONBLOCK...), and the
/// operations of a special file. Close-on-exec is per descriptor (`FileDescriptorTable`).
///
/// The position sits in an async mutex, held across a whole read, write, lseek or getdents
/// (Linux's f_pos_lock), so tasks sharing a description never read the same bytes twice or
/// write over each other; stream devices that ignore the position are called without it.
public final class OpenFile: @unchecked Sendable {
    public let location: Location
    /// The special file's operations (device, later pipe or procfs file); nil for plain inodes.
    public let operations: (any FileOperations)?
    /// The status flags: read on every read and write, so an atomic word rather than under a lock.
    private let statusFlagBits: Atomic<UInt32>
    private let position: Mutex<Int64>
    /// How the file was named when opened (start directory, path): there are no dentries, so
    /// /proc/<pid>/fd finds a file's path again from this. Set once, before the file is shared.
    public var pathHint: (directory: Location, path: [UInt8])? = nil
    /// The directory and name the file was opened under, kept while inotify watches anything: its
    /// events also go to that directory's watches. Set once, before the file is shared.
    public var notifyParent: NotifyParent? = nil

    /// A number no other description ever gets: epoll's interest lists name descriptions by it
    /// without holding them (an address could be reused by the next description).
    public let serial: UInt64
    private static let serials = Atomic<UInt64>(0)

    public init(location: Location, flags: OpenFlags, operations: (any FileOperations)? = nil) {
        serial = OpenFile.serials.wrappingAdd(1, ordering: .relaxed).newValue
        self.location = location
        self.operations = operations
        statusFlagBits = Atomic(flags.subtracting(OpenFlags.openOnly).rawValue)
        position = Mutex(0)
    }

    /// Set once flock(2) gave this description a lock; its last close then releases it.
    public var holdsFlock = false
    /// Releases the flock locks of a description (set by the kernel, which keeps the lock table).
    nonisolated(unsafe) public static var releaseFlocks: ((UInt) -> Void)? = nil
    /// Set once F_OFD_SETLK or F_SETLEASE gave this description a record lock or a lease; its last
    /// close then releases them.
    public var holdsFcntlLocks = false
    /// Releases the OFD record locks and the lease of a description (set by the kernel, which keeps those tables).
    nonisolated(unsafe) public static var releaseFcntlLocks: ((UInt) -> Void)? = nil
    /// The description's identity as a lock owner.
    public var lockOwner: UInt { UInt(bitPattern: Unmanaged.passUnretained(self).toOpaque()) }
    /// F_SETOWN(_EX) and F_SETSIG: who would get the I/O signal, and which.
    public var signalOwner: SpinLock<FileSignalOwner> {
        lazySignalOwner.load() ?? lazySignalOwner.storeIfNil(SpinLock(FileSignalOwner()))
    }
    /// Its readahead window (Linux's f_ra): disk files read ahead of a sequential reader.
    public var readahead: SpinLock<ReadaheadState> {
        lazyReadahead.load() ?? lazyReadahead.storeIfNil(SpinLock(ReadaheadState()))
    }
    /// O_ASYNC's watcher of the poll queue (FileAsyncNotifier.swift); nil until FASYNC was set.
    var asyncNotifier: SpinLock<FileAsyncNotifier?> {
        lazyAsyncNotifier.load() ?? lazyAsyncNotifier.storeIfNil(SpinLock(nil))
    }
    var asyncNotifierIfCreated: SpinLock<FileAsyncNotifier?>? { lazyAsyncNotifier.load() }
    // Made on first use: most descriptions never read one (an open and close of a file would
    // otherwise allocate and free three locks). The first of racing users installs its lock.
    private let lazySignalOwner = AtomicLazyReference<SpinLock<FileSignalOwner>>()
    private let lazyReadahead = AtomicLazyReference<SpinLock<ReadaheadState>>()
    private let lazyAsyncNotifier = AtomicLazyReference<SpinLock<FileAsyncNotifier?>>()

    /// Set when this description counts as a writer of its regular file (WriteAccess): its last
    /// close ends that.
    public var holdsWriteAccess = false

    deinit {
        if holdsWriteAccess { WriteAccess.endWriting(inode) }
        if FsNotify.shared.isActive && !isPathOnly {
            FsNotify.shared.fileEvent(inode, flags.allowsWrite ? InotifyMask.IN_CLOSE_WRITE : InotifyMask.IN_CLOSE_NOWRITE, parent: notifyParent)
        }
        endAsyncNotification()
        operations?.release(self)
        if holdsFlock { OpenFile.releaseFlocks?(lockOwner) }
        if holdsFcntlLocks { OpenFile.releaseFcntlLocks?(lockOwner) }
    }

    public var inode: any Inode { location.inode }

    /// Access mode and status flags (F_GETFL).
    public var flags: OpenFlags { OpenFlags(rawValue: statusFlagBits.load(ordering: .relaxed)) }

    /// F_SETFL: changes only O_APPEND, O_NONBLOCK, FASYNC, O_DIRECT and O_NOATIME.
    public func setStatusFlags(_ new: OpenFlags) {
        updateStatusFlags { $0.subtracting(OpenFlags.settable).union(new.intersection(OpenFlags.settable)) }
    }

    public var isNonBlocking: Bool { flags.contains(.O_NONBLOCK) }

    /// ioctl(FIONBIO): sets or clears O_NONBLOCK alone.
    public func setNonBlocking(_ on: Bool) {
        updateStatusFlags { on ? $0.union(.O_NONBLOCK) : $0.subtracting(.O_NONBLOCK) }
    }

    private func updateStatusFlags(_ change: (OpenFlags) -> OpenFlags) {
        var old = statusFlagBits.load(ordering: .relaxed)
        while true {
            let new = change(OpenFlags(rawValue: old)).rawValue
            let (exchanged, current) = statusFlagBits.compareExchange(expected: old, desired: new, ordering: .relaxed)
            if exchanged { return }
            old = current
        }
    }

    /// Opened with O_PATH: a handle on the location, no I/O (EBADF).
    public var isPathOnly: Bool { flags.contains(.O_PATH) }

    /// The current position (a snapshot).
    public var offset: Int64 {
        get async { await position.withLock { $0 } }
    }

    public var status: FileStatus { location.status }

    // MARK: read and write

    /// read(2): at the shared position, advancing it.
    public func read(into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        guard flags.allowsRead && !isPathOnly else { throw .EBADF }
        let n: Int
        if let ops = operations, !ops.usesPosition {
            n = try await ops.read(self, into: buffer, at: 0)
        } else {
            n = try await position.withLock { (pos: inout Int64) async throws(Errno) -> Int in
                try OpenFile.verify(pos, count: buffer.count)
                let n = try await self.readData(into: buffer, at: pos)
                pos += Int64(n)
                return n
            }
        }
        if n > 0 { notify(InotifyMask.IN_ACCESS) }
        return n
    }

    /// inotify's IN_ACCESS/IN_MODIFY after a transfer (one load when nothing is watched).
    @inline(__always) func notify(_ mask: UInt32) {
        if FsNotify.shared.isActive { FsNotify.shared.fileEvent(inode, mask, parent: notifyParent) }
    }

    /// pread64: at `offset`, leaving the position alone.
    public func read(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard flags.allowsRead && !isPathOnly else { throw .EBADF }
        if let ops = operations, !ops.usesPosition { throw .ESPIPE }
        guard offset >= 0 else { throw .EINVAL }
        let n = try await readData(into: buffer, at: offset)
        if n > 0 { notify(InotifyMask.IN_ACCESS) }
        return n
    }

    /// write(2): at the shared position (at the end with O_APPEND), advancing it.
    public func write(from buffer: UnsafeRawBufferPointer) async throws(Errno) -> Int {
        guard flags.allowsWrite else { throw .EBADF }
        let n: Int
        if let ops = operations, !ops.usesPosition {
            n = try await ops.write(self, from: buffer, at: 0)
        } else {
            n = try await position.withLock { (pos: inout Int64) async throws(Errno) -> Int in
                try OpenFile.verify(pos, count: buffer.count)
                let (n, end) = try await self.writeData(from: buffer, at: pos)
                pos = end
                return n
            }
        }
        if n > 0 { notify(InotifyMask.IN_MODIFY) }
        return n
    }

    /// pwrite64: at `offset` (at the end with O_APPEND, as on Linux), leaving the position alone.
    public func write(from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard flags.allowsWrite else { throw .EBADF }
        if let ops = operations, !ops.usesPosition { throw .ESPIPE }
        guard offset >= 0 else { throw .EINVAL }
        let n = try await writeData(from: buffer, at: offset).count
        if n > 0 { notify(InotifyMask.IN_MODIFY) }
        return n
    }

    /// Linux's rw_verify_area: a transfer whose end would pass 2^63 - 1 is EINVAL (the position
    /// could not advance past it), for read(2)/write(2) as for pread/pwrite.
    static func verify(_ position: Int64, count: Int) throws(Errno) {
        guard !position.addingReportingOverflow(Int64(count)).overflow else { throw .EINVAL }
    }

    private func readData(into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        if let ops = operations { return try await ops.read(self, into: buffer, at: offset) }
        let n = try await inode.read(at: offset, into: buffer, readahead: readahead)
        if !buffer.isEmpty { await location.accessed(noAtime: flags.contains(.O_NOATIME)) }
        return n
    }

    private func writeData(from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> (count: Int, end: Int64) {
        if let ops = operations {
            let n = try await ops.write(self, from: buffer, at: offset)
            return (n, offset + Int64(n))
        }
        return try await inode.write(at: offset, from: buffer, append: flags.contains(.O_APPEND))
    }

    // MARK: positioning

    /// lseek(2). Directories accept SEEK_SET and SEEK_CUR (positions are readdir cookies).
    public func seek(_ offset: Int64, whence: Int32) async throws(Errno) -> Int64 {
        if isPathOnly { throw .EBADF }
        return try await position.withLock { (pos: inout Int64) async throws(Errno) -> Int64 in
            let new = try await self.seekTarget(offset, whence: whence, current: pos)
            pos = new
            return new
        }
    }

    private func seekTarget(_ offset: Int64, whence: Int32, current: Int64) async throws(Errno) -> Int64 {
        if let ops = operations {
            return try ops.seek(self, to: offset, whence: whence, current: current)
        }
        let metadata = inode.metadata
        let base: Int64
        switch whence {
        case SeekWhence.SEEK_SET: base = 0
        case SeekWhence.SEEK_CUR: base = current
        case SeekWhence.SEEK_END where !metadata.isDirectory: base = metadata.size
        case SeekWhence.SEEK_DATA where !metadata.isDirectory, SeekWhence.SEEK_HOLE where !metadata.isDirectory:
            return try await inode.seekData(from: offset, hole: whence == SeekWhence.SEEK_HOLE)
        default: throw .EINVAL
        }
        let (result, overflow) = base.addingReportingOverflow(offset)
        if overflow || result < 0 { throw .EINVAL }
        return result
    }

    // MARK: directories

    /// getdents64: fills `buffer` with `linux_dirent64` records from the position on and
    /// advances it; 0 at the end; EINVAL if not even the next record fits.
    public func readDirectory(into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        if isPathOnly { throw .EBADF }
        guard inode.metadata.isDirectory else { throw .ENOTDIR }
        return try await position.withLock { (pos: inout Int64) async throws(Errno) -> Int in
            var used = 0
            var next = pos
            var refused = false
            try await self.inode.readdir(from: pos) { entry in
                guard let length = LinuxDirent64.write(into: buffer, at: used, inode: entry.ino, nextOffset: entry.nextCookie,
                                                       type: entry.type.rawValue, name: entry.name) else {
                    refused = true
                    return false
                }
                used += length
                next = entry.nextCookie
                return true
            }
            await self.location.accessed(noAtime: self.flags.contains(.O_NOATIME))
            if used == 0 && refused { throw .EINVAL }
            pos = next
            self.notify(InotifyMask.IN_ACCESS)
            return used
        }
    }

    /// ioctl: the special file's, ENOTTY for plain files (EBADF with O_PATH).
    public func ioctl(request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        if isPathOnly { throw .EBADF }
        guard let operations else { throw .ENOTTY }
        return try await operations.ioctl(self, request: request, argument: argument, caller: caller)
    }

    // MARK: poll

    /// Current readiness: plain files and directories are always readable and writable.
    public var pollEvents: PollEvents {
        guard let operations else { return [.readable, .writable] }
        return operations.poll(self)
    }

    /// What poll sleeps on for this file (nil: its readiness never changes).
    public var pollQueue: WaitQueue? { operations?.pollQueue(self) }

    // MARK: attributes

    /// ftruncate: EINVAL unless open for writing and a regular file.
    public func truncate(to size: Int64) async throws(Errno) {
        if isPathOnly { throw .EBADF }
        guard flags.allowsWrite, inode.metadata.isRegular else { throw .EINVAL }
        guard size >= 0 else { throw .EINVAL }
        try await inode.setattr(AttributeChanges(size: size))
        notify(InotifyMask.IN_MODIFY)
    }

    public static let FALLOC_FL_KEEP_SIZE: UInt32 = 1, FALLOC_FL_PUNCH_HOLE: UInt32 = 2

    /// fallocate(2) (vfs_fallocate's checks, in its order); the filesystem does the work
    /// (`Inode.allocate`: tmpfs reserves and frees pages, others answer EOPNOTSUPP).
    public func allocate(mode: UInt32, offset: Int64, length: Int64) async throws(Errno) {
        guard offset >= 0, length > 0 else { throw .EINVAL }
        guard mode & ~(Self.FALLOC_FL_KEEP_SIZE | Self.FALLOC_FL_PUNCH_HOLE) == 0 else { throw .EOPNOTSUPP }
        if mode & Self.FALLOC_FL_PUNCH_HOLE != 0 && mode & Self.FALLOC_FL_KEEP_SIZE == 0 { throw .EOPNOTSUPP }
        if isPathOnly || !flags.allowsWrite { throw .EBADF }
        let metadata = inode.metadata
        if metadata.type == .fifo { throw .ESPIPE }
        if metadata.type == .directory { throw .EISDIR }
        guard metadata.isRegular else { throw .ENODEV }
        guard !offset.addingReportingOverflow(length).overflow else { throw .EFBIG }
        try await inode.allocate(mode: mode, offset: offset, length: length)
        notify(InotifyMask.IN_MODIFY)
    }
}
