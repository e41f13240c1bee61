import LichenCore
import _Concurrency

/// Descriptors and the bytes behind them: open, close, dup, seek, read and write in all their forms,
/// directory listing, sync. Also the helpers every file family shares (the VFS, *at() directories).
/// Paths are in PathSyscalls, attributes in FileAttributeSyscalls, ioctl in IoctlSyscalls, fcntl in Fcntl.
enum FileSyscalls {
    static let AT_FDCWD: Int32 = -100
    static let AT_SYMLINK_NOFOLLOW: UInt64 = 0x100, AT_REMOVEDIR: UInt64 = 0x200, AT_SYMLINK_FOLLOW: UInt64 = 0x400
    static let AT_EMPTY_PATH: UInt64 = 0x1000
    static let RWF_HIPRI: UInt64 = 0x1, RWF_DSYNC: UInt64 = 0x2, RWF_SYNC: UInt64 = 0x4, RWF_NOWAIT: UInt64 = 0x8, RWF_APPEND: UInt64 = 0x10
    /// Bytes a single read/write moves through the kernel at most per step.
    static let chunk = 64 * 1024
    private static let unsupportedRWF = ReportOnce(count: 1)

    static func vfs() throws(Errno) -> VFS {
        guard let vfs = RootFilesystem.vfs else { throw .ENOENT }
        return vfs
    }

    /// The directory a *at() call starts from for `path`: nil (the cwd) for AT_FDCWD. An absolute
    /// path ignores the fd, even an invalid one, as Linux does.
    static func directory(_ a: SyscallArguments, _ fd: Int32, for path: [UInt8]) throws(Errno) -> Location? {
        guard fd != AT_FDCWD, path.first != UInt8(ascii: "/") else { return nil }
        return try a.process.file(fd).location
    }

    // MARK: Opening and closing

    static func openat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), flags = forcingLargeFile(LinuxArch.openFlags(fromUser: a.uint32(2))), mode = UInt32(a[3] & 0o7777)
        let path = try a.userPath(1)
        return try await open(a, path: path, flags: flags, mode: mode, start: try directory(a, dirfd, for: path))
    }

    /// A 64-bit kernel opens every file (O_PATH aside) as O_LARGEFILE, and F_GETFL shows it (Linux's
    /// force_o_largefile in openat and openat2).
    @inline(__always)
    static func forcingLargeFile(_ flags: OpenFlags) -> OpenFlags {
        flags.contains(.O_PATH) ? flags : flags.union(.O_LARGEFILE)
    }

    /// openat and openat2 (with its RESOLVE_* `restrictions`): open, then install the descriptor.
    static func open(_ a: SyscallArguments, path: [UInt8], flags: OpenFlags, mode: UInt32, start: Location?,
                     restrictions: ResolveFlags = []) async throws(Errno) -> UInt64 {
        let p = a.process
        var file = try await vfs().open(path, flags: flags, mode: mode, at: start, context: a.fs, restrictions: restrictions)
        file.pathHint = (start ?? p.fs.cwd, path)                 // for /proc/<pid>/fd
        if !flags.contains(.O_PATH) {
            try await Leases.breakForOpen(file, forWrite: flags.allowsWrite || flags.contains(.O_TRUNC), nonBlocking: flags.contains(.O_NONBLOCK))
        }
        if file.status.rdev == .tty, file.operations === ConsoleTTY.shared {
            // /dev/tty is the caller's controlling terminal: ENXIO without one (Linux's tty_open_current_tty).
            let sid = Processes.withTable { $0.record(p.pid)?.sid ?? 0 }
            if let slave = PtyPairs.slave(session: sid) {                // a pty slave's: that slave, opened again
                let reopened = OpenFile(location: file.location, flags: flags, operations: slave)
                try await slave.open(reopened)
                file = reopened
            } else {
                guard sid != 0, ConsoleTTY.shared.session == sid else { throw .ENXIO }
            }
        } else if let slave = PtyPairs.slave(file.operations) {
            slave.openedBy(p.pid, flags: flags)                          // a session leader's first terminal
        }
        if file.operations === ConsoleTTY.shared, !flags.contains(.O_NOCTTY), file.status.rdev == ConsoleTTY.line?.number {
            // Linux: a session leader without a controlling terminal acquires the tty it opens
            // (never /dev/console or /dev/tty).
            let ids = Processes.withTable { t in (t.record(p.pid)?.sid ?? 0, t.record(p.pid)?.pgid ?? 0) }
            if ids.0 == p.pid { _ = ConsoleTTY.shared.acquire(session: ids.0, group: ids.1) }
        }
        return result(try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags.contains(.O_CLOEXEC))
        })
    }

    static func close(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        let file = try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> OpenFile in try t.close(fd) }
        RecordLocks.closed(file, by: a.process)
        return 0
    }

    static func dup(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        return result(try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in try t.dup(fd) })
    }

    static func dup3(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let oldfd = a.fd(0), newfd = a.fd(1), flags = a.int32(2)
        let (fd, replaced) = try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> (Int32, OpenFile?) in
            try t.dup3(oldfd, newfd, flags: flags)
        }
        // The descriptor dup3 closed drops its record locks, as close would.
        if let replaced { RecordLocks.closed(replaced, by: a.process) }
        return result(fd)
    }

    // MARK: Position, listing, syncing

    static func lseek(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), offset = a.int(1), whence = a.int32(2)
        return result(try await a.process.file(fd).seek(offset, whence: whence))
    }

    static func getdents64(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), entries = a.address(1), count = Int(min(a[2], UInt64(chunk)))
        let file = try a.process.file(fd)
        return try await IOBuffer(count: count).withBytes { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> UInt64 in
            let n = try await file.readDirectory(into: b)
            try a.user.write(UnsafeRawBufferPointer(rebasing: b[0..<n]), to: entries)
            return result(n)
        }
    }

    /// Every mounted disk's dirty blocks written back, then every disk's volatile cache flushed (a
    /// failure is not reported, as Linux's sync).
    static func sync(_ a: SyscallArguments) async -> UInt64 {
        if let vfs = RootFilesystem.vfs {
            for mount in vfs.mounts.all { try? await mount.fileSystem.sync() }
        }
        await BlockCaches.syncAll()
        await BlockDevices.flushAll()
        return 0
    }

    static func fsync(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        return try await syncDescriptor(a, fd, dataOnly: false)
    }

    static func fdatasync(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0)
        return try await syncDescriptor(a, fd, dataOnly: true)
    }

    /// fsync and fdatasync: files live in memory; a special file syncs if it can (a disk flushes,
    /// pipes and ttys cannot: EINVAL).
    private static func syncDescriptor(_ a: SyscallArguments, _ fd: Int32, dataOnly: Bool) async throws(Errno) -> UInt64 {
        let file = try a.process.file(fd)
        if let operations = file.operations { try await operations.fsync(file) }
        try await file.location.mount.fileSystem.sync(file: file.location.inode, dataOnly: dataOnly)
        return 0
    }

    // MARK: Reading and writing

    static func read(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2]
        return try await read(a, file: try a.process.file(fd), buffer: buffer, count: count, offset: nil)
    }

    static func write(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2]
        return try await write(a, file: try a.process.file(fd), buffer: buffer, count: count, offset: nil)
    }

    static func pread64(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2], offset = a.int(3)
        return try await read(a, file: try a.process.file(fd), buffer: buffer, count: count, offset: offset)
    }

    static func pwrite64(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), buffer = a.address(1), count = a[2], offset = a.int(3)
        return try await write(a, file: try a.process.file(fd), buffer: buffer, count: count, offset: offset)
    }

    static func readv(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2]
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: false, offset: nil)
    }

    static func writev(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2]
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: true, offset: nil)
    }

    static func preadv(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2], offset = a.int(3)
        guard offset >= 0 else { throw .EINVAL }
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: false, offset: offset)
    }

    static func pwritev(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2], offset = a.int(3)
        guard offset >= 0 else { throw .EINVAL }
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: true, offset: offset)
    }

    static func preadv2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2], offset = a.int(3), flags = a[5]
        let position = try positionV2(offset, flags: flags)
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: false, offset: position)
    }

    static func pwritev2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let fd = a.fd(0), vectors = a.address(1), vectorCount = a[2], offset = a.int(3), flags = a[5]
        let position = try positionV2(offset, flags: flags)
        return try await vectored(a, fd: fd, vectors: vectors, vectorCount: vectorCount, write: true, offset: position)
    }

    /// preadv2/pwritev2's flags and offset (checked before the descriptor): -1 is the file position (nil).
    /// RWF_HIPRI, DSYNC and SYNC ask nothing of memory-backed files; RWF_NOWAIT and RWF_APPEND are not
    /// implemented, so they fail rather than be ignored.
    private static func positionV2(_ offset: Int64, flags: UInt64) throws(Errno) -> Int64? {
        guard flags & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC) == 0 else {
            if flags & (RWF_NOWAIT | RWF_APPEND) != 0 && unsupportedRWF.first(0) {
                KernelLog.warning("preadv2/pwritev2: RWF_NOWAIT and RWF_APPEND are not implemented: EOPNOTSUPP")
            }
            throw .EOPNOTSUPP
        }
        guard offset >= -1 else { throw .EINVAL }
        return offset == -1 ? nil : offset
    }

    static func read(_ a: SyscallArguments, file: OpenFile, buffer: UserAddr, count: UInt64, offset: Int64?) async throws(Errno) -> UInt64 {
        if offset == nil, let socket = (file.operations as? SocketFile)?.socket {       // sockets: one recvmsg
            return try await SocketSyscalls.transfer(a, file, socket, .init(buffer, count), write: false)
        }
        let requested = Int(min(count, UInt64(Int32.max)))
        guard buffer.rangeIsUser(count: requested) else { throw .EFAULT }
        try verifyPosition(offset, count: count)
        // Nothing writable: still read (end of file is 0, not EFAULT, on Linux too); the copy faults.
        var n = max(a.user.accessibleLength(at: buffer, count: requested, write: true), min(requested, 1))
        if n < requested, let ops = file.operations, ops.pipe == nil, !ops.usesPosition {
            // Files that fill whole records (eventfd, timerfd, signalfd, inotify) would call a
            // shortened buffer EINVAL: they read the record, and the copy faults (EFAULT), as on Linux.
            n = min(requested, chunk)
        }
        var total = 0
        let staging = try a.thread.stagingBuffer(count: min(chunk, max(n, 1)))   // one bounce buffer for the call
        var share = CPUShare()
        repeat {
            let want = min(chunk, n - total)
            let position = total
            let got: Int
            do throws(Errno) {
                got = try await staging.withBytes(0..<want) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                    let got = offset == nil ? try await file.read(into: b) : try await file.read(into: b, at: offset! + Int64(position))
                    try a.user.write(UnsafeRawBufferPointer(rebasing: b[0..<got]), to: buffer + UInt64(position))
                    return got
                }
            } catch { return try partialTransfer(total, error) }
            total += got
            if got < want { break }
            // Streams return what they have, except those always ready (/dev/zero): they fill the
            // request, unless a signal comes (read_iter_zero checks signal_pending per page).
            await share.yieldIfDue()
            if a.signalPending { break }
        } while total < n && (file.operations == nil || file.pollQueue == nil)
        return result(total)
    }

    /// Linux's rw_verify_area for pread/pwrite: a negative position, or one that count (as Linux adds
    /// it, or as clamped to MAX_RW_COUNT here) takes past 2^63 - 1, is EINVAL; chunk positions never overflow.
    static func verifyPosition(_ offset: Int64?, count: UInt64) throws(Errno) {
        guard let offset else { return }
        guard offset >= 0, Int64(bitPattern: UInt64(offset) &+ count) >= 0,
              !offset.addingReportingOverflow(Int64(min(count, UInt64(Int32.max)))).overflow else { throw .EINVAL }
    }

    static func write(_ a: SyscallArguments, file: OpenFile, buffer: UserAddr, count: UInt64, offset: Int64?) async throws(Errno) -> UInt64 {
        if offset == nil, let socket = (file.operations as? SocketFile)?.socket {       // sockets: one sendmsg
            return try await SocketSyscalls.transfer(a, file, socket, .init(buffer, count), write: true)
        }
        let requested = Int(min(count, UInt64(Int32.max)))
        if let operations = file.operations, operations.discardsWrites {
            guard file.flags.allowsWrite && !file.isPathOnly else { throw .EBADF }
            try verifyPosition(offset, count: count)
            return result(requested)
        }
        try verifyPosition(offset, count: count)
        if requested == 0 && file.status.type == .characterDevice && file.operations != nil {
            // Linux hands even an empty write to a device's driver: /dev/full still says ENOSPC.
            let empty = UnsafeRawBufferPointer(start: nil, count: 0)
            return result(offset == nil ? try await file.write(from: empty) : try await file.write(from: empty, at: offset!))
        }
        let n = a.user.accessibleLength(at: buffer, count: requested, write: false)
        guard n > 0 || requested == 0 else { throw .EFAULT }
        var total = 0
        let staging = try a.thread.stagingBuffer(count: min(chunk, max(n, 1)))
        var share = CPUShare()
        while total < n {
            // Only SIGKILL cuts a write short between chunks (generic_perform_write's fatal_signal_pending).
            if total > 0 {
                await share.yieldIfDue()
                if a.process.fatalSignalPending { break }
            }
            let step = min(chunk, n - total)
            let position = total
            let written: Int
            do throws(Errno) {
                written = try await staging.withBytes(0..<step) { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                    try a.user.read(b, from: buffer + UInt64(position))
                    let bytes = UnsafeRawBufferPointer(b)
                    return offset == nil ? try await file.write(from: bytes) : try await file.write(from: bytes, at: offset! + Int64(position))
                }
            } catch { return try partialTransfer(total, error) }
            total += written
            if written < step { break }
        }
        if total > 0 && file.operations == nil { try? await file.location.inode.removeSetIDBits(writtenBy: a.credentials) }
        return result(total)
    }

    /// A transfer that an error (a signal's EINTR, a fault) ended after it moved `done` bytes returns
    /// the count, as Linux: a caller that retried on EINTR would move the same bytes twice.
    static func partialTransfer(_ done: Int, _ error: Errno) throws(Errno) -> UInt64 {
        guard done > 0 else { throw error }
        return result(done)
    }

    /// readv/writev, and at `offset` without moving the file position (preadv/pwritev).
    static func vectored(_ a: SyscallArguments, fd: Int32, vectors: UserAddr, vectorCount: UInt64, write isWrite: Bool,
                         offset: Int64?) async throws(Errno) -> UInt64 {
        let file = try a.process.file(fd)
        guard vectorCount <= UInt64(LinuxIovec.UIO_MAXIOV) else { throw .EINVAL }
        if offset == nil, let socket = (file.operations as? SocketFile)?.socket {       // sockets: one recvmsg/sendmsg
            let buffers = try SocketSyscalls.UserBuffers(a, vectors: vectors, count: vectorCount, tooMany: .EINVAL)
            return try await SocketSyscalls.transfer(a, file, socket, buffers, write: isWrite)
        }
        let count = Int(vectorCount)
        // Every vector is checked before any I/O, as Linux's import_iovec does: a length that is
        // negative as an ssize_t fails the whole call.
        for i in 0..<count {
            let v = try a.user.load(LinuxIovec.self, from: vectors + UInt64(i * 16))
            guard Int64(bitPattern: v.iov_len) >= 0 else { throw .EINVAL }
        }
        var total: UInt64 = 0
        for i in 0..<count {
            let v = try a.user.load(LinuxIovec.self, from: vectors + UInt64(i * 16))
            guard v.iov_len > 0 else { continue }
            var at: Int64? = nil
            if let offset {
                let (position, overflow) = offset.addingReportingOverflow(Int64(total))
                guard !overflow else { throw .EINVAL }
                at = position
            }
            let n: UInt64
            do throws(Errno) {
                n = isWrite ? try await write(a, file: file, buffer: UserAddr(v.iov_base), count: v.iov_len, offset: at)
                            : try await read(a, file: file, buffer: UserAddr(v.iov_base), count: v.iov_len, offset: at)
            } catch { return try partialTransfer(Int(total), error) }
            total += n
            if n < v.iov_len { break }
        }
        return total
    }
}
