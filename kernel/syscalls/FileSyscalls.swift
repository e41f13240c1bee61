import LichenCore
import _Concurrency

/// File and filesystem syscalls over LichenCore's VFS.
enum FileSyscalls {
    static let AT_FDCWD: Int32 = -100
    static let AT_SYMLINK_NOFOLLOW: UInt64 = 0x100, AT_REMOVEDIR: UInt64 = 0x200, AT_EMPTY_PATH: UInt64 = 0x1000
    static let AT_NO_AUTOMOUNT: UInt64 = 0x800, AT_STATX_SYNC_TYPE: UInt64 = 0x6000, STATX__RESERVED: UInt64 = 0x8000_0000
    /// Bytes a single read/write moves through the kernel at most per step.
    static let chunk = 64 * 1024

    static func handle(_ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> UInt64? {
        let p = a.process
        switch number {
        case 56: return try await openat(a)
        case 57:                                                   // close
            let file = try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> OpenFile in try t.close(a.fd(0)) }
            RecordLocks.closed(file, by: p)
            return 0
        case 63: return try await read(a, file: try p.file(a.fd(0)), buffer: a.address(1), count: a[2], offset: nil)
        case 64: return try await write(a, file: try p.file(a.fd(0)), buffer: a.address(1), count: a[2], offset: nil)
        case 67: return try await read(a, file: try p.file(a.fd(0)), buffer: a.address(1), count: a[2], offset: a.int(3))
        case 68: return try await write(a, file: try p.file(a.fd(0)), buffer: a.address(1), count: a[2], offset: a.int(3))
        case 65, 66:                                               // readv, writev
            return try await vectored(a, write: number == 66, offset: nil)
        case 69, 70:                                               // preadv, pwritev
            guard a.int(3) >= 0 else { throw .EINVAL }
            return try await vectored(a, write: number == 70, offset: a.int(3))
        case 286, 287:                                             // preadv2, pwritev2: offset -1 is the file position
            // RWF_HIPRI, DSYNC and SYNC ask nothing of memory-backed files; RWF_NOWAIT and RWF_APPEND
            // are not implemented, so they fail rather than be ignored.
            guard a[5] & ~(RWF_HIPRI | RWF_DSYNC | RWF_SYNC) == 0 else {
                if a[5] & (RWF_NOWAIT | RWF_APPEND) != 0 && unsupportedRWF.first(0) {
                    KernelLog.warning("preadv2/pwritev2: RWF_NOWAIT and RWF_APPEND are not implemented: EOPNOTSUPP")
                }
                throw .EOPNOTSUPP
            }
            guard a.int(3) >= -1 else { throw .EINVAL }
            return try await vectored(a, write: number == 287, offset: a.int(3) == -1 ? nil : a.int(3))
        case 62:                                                   // lseek
            return result(try await p.file(a.fd(0)).seek(a.int(1), whence: a.int32(2)))
        case 23:                                                   // dup
            return result(try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in try t.dup(a.fd(0)) })
        case 24:                                                   // dup3
            let (fd, replaced) = try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> (Int32, OpenFile?) in
                try t.dup3(a.fd(0), a.fd(1), flags: a.int32(2))
            }
            if let replaced { RecordLocks.closed(replaced, by: p) }
            return result(fd)
        case 25: return try await Fcntl.fcntl(a)
        case 29: return try await ioctl(a)
        case 61:                                                   // getdents64
            let file = try p.file(a.fd(0))
            let count = Int(min(a[2], UInt64(chunk)))
            return try await IOBuffer(count: count).withBytes { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> UInt64 in
                let n = try await file.readDirectory(into: b)
                try a.user.write(UnsafeRawBufferPointer(rebasing: b[0..<n]), to: a.address(1))
                return result(n)
            }
        case 79:                                                   // newfstatat
            guard a[3] & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH) == 0 else { throw .EINVAL }
            let status = try await statAt(a, fd: a.fd(0), path: a.address(1), flags: a[3])
            try a.user.store(linuxStat(status), to: a.address(2))
            return 0
        case 291:                                                  // statx
            let flags = a[2]
            guard flags & ~(AT_SYMLINK_NOFOLLOW | AT_NO_AUTOMOUNT | AT_EMPTY_PATH | AT_STATX_SYNC_TYPE) == 0,
                  flags & AT_STATX_SYNC_TYPE != AT_STATX_SYNC_TYPE, a[3] & STATX__RESERVED == 0 else { throw .EINVAL }
            let status = try await statAt(a, fd: a.fd(0), path: a.address(1), flags: flags)
            try a.user.store(LinuxStatx(linuxStat(status)), to: a.address(4))
            return 0
        case 80:                                                   // fstat
            try a.user.store(linuxStat(try p.file(a.fd(0)).status), to: a.address(1))
            return 0
        case 48: try await faccessat(a, flags: 0); return 0         // faccessat (no flags argument)
        case 439: try await faccessat(a, flags: a[3]); return 0     // faccessat2
        case 34:                                                   // mkdirat
            let path = try a.user.string(at: a.address(1))
            _ = try await vfs().mkdir(path, mode: UInt32(a[2] & 0o7777), at: try directory(a, a.fd(0), for: path), context: p.fs)
            return 0
        case 33:                                                   // mknodat
            let path = try a.user.string(at: a.address(1))
            _ = try await vfs().mknod(path, mode: UInt32(truncatingIfNeeded: a[2]), device: DeviceNumber(encoded: a[3]),
                                      at: try directory(a, a.fd(0), for: path), context: p.fs)
            return 0
        case 35:                                                   // unlinkat
            let path = try a.user.string(at: a.address(1))
            guard a[2] & ~AT_REMOVEDIR == 0 else { throw .EINVAL }
            let dir = try directory(a, a.fd(0), for: path)
            if a[2] & AT_REMOVEDIR != 0 { try await vfs().rmdir(path, at: dir, context: p.fs) }
            else { try await vfs().unlink(path, at: dir, context: p.fs) }
            return 0
        case 38, 276:                                              // renameat, renameat2
            let flags = number == 276 ? RenameFlags(rawValue: UInt32(truncatingIfNeeded: a[4])) : []
            let old = try a.user.string(at: a.address(1)), new = try a.user.string(at: a.address(3))
            try await vfs().rename(old, to: new, flags: flags, oldDirectory: try directory(a, a.fd(0), for: old),
                                   newDirectory: try directory(a, a.fd(2), for: new), context: p.fs)
            return 0
        case 37:                                                   // linkat
            let old = try a.user.string(at: a.address(1)), new = try a.user.string(at: a.address(3))
            try await vfs().link(old, to: new, followOld: a[4] & 0x400 != 0, oldDirectory: try directory(a, a.fd(0), for: old),
                                 newDirectory: try directory(a, a.fd(2), for: new), context: p.fs)
            return 0
        case 36:                                                   // symlinkat
            let link = try a.user.string(at: a.address(2))
            _ = try await vfs().symlink(try a.user.string(at: a.address(0)), at: link, in: try directory(a, a.fd(1), for: link), context: p.fs)
            return 0
        case 78:                                                   // readlinkat
            guard a.int32(3) > 0 else { throw .EINVAL }            // bufsiz is an int
            let path = try a.user.string(at: a.address(1))
            let target = try await vfs().readlink(path, at: try directory(a, a.fd(0), for: path), context: p.fs)
            let n = min(target.count, a.count(3))
            try a.user.store(bytes: Array(target[0..<n]), to: a.address(2))
            return result(n)
        case 17:                                                   // getcwd
            var path = try await vfs().path(of: p.fs.cwd, context: p.fs)
            path.append(0)
            guard path.count <= a.count(1) else { throw .ERANGE }
            try a.user.store(bytes: path, to: a.address(0))
            return result(path.count)
        case 49:                                                   // chdir
            p.fs.cwd = try await vfs().chdir(try a.user.string(at: a.address(0)), context: p.fs)
            return 0
        case 51:                                                   // chroot
            let location = try await vfs().chdir(try a.user.string(at: a.address(0)), context: p.fs)
            guard p.credentials.euid == 0 else { throw .EPERM }      // CAP_SYS_CHROOT
            p.fs.root = location
            return 0
        case 50:                                                   // fchdir
            let location = try p.file(a.fd(0)).location
            try vfs().checkWorkingDirectory(location, context: p.fs)
            p.fs.cwd = location
            return 0
        case 53:                                                   // fchmodat
            let path = try a.user.string(at: a.address(1))
            try await vfs().chmod(path, mode: UInt32(a[2] & 0o7777), at: try directory(a, a.fd(0), for: path), context: p.fs)
            return 0
        case 52:                                                   // fchmod
            try await vfs().chmod(try p.file(a.fd(0)).location, mode: UInt32(a[1] & 0o7777), context: p.fs)
            return 0
        case 54:                                                   // fchownat
            let path = try a.user.string(at: a.address(1))
            try await vfs().chown(path, uid: owner(a[2]), gid: owner(a[3]), at: try directory(a, a.fd(0), for: path),
                                  followLast: a[4] & AT_SYMLINK_NOFOLLOW == 0, context: p.fs)
            return 0
        case 55:                                                   // fchown
            try await vfs().chown(try p.file(a.fd(0)).location, uid: owner(a[1]), gid: owner(a[2]), context: p.fs)
            return 0
        case 45:                                                   // truncate
            try await vfs().truncate(try a.user.string(at: a.address(0)), size: a.int(1), context: p.fs)
            return 0
        case 46:                                                   // ftruncate
            try await p.file(a.fd(0)).truncate(to: a.int(1))
            return 0
        case 47:                                                   // fallocate
            try await p.file(a.fd(0)).allocate(mode: UInt32(truncatingIfNeeded: a[1]), offset: a.int(2), length: a.int(3))
            return 0
        case 82, 83:                                               // fsync, fdatasync: files live in memory
            let file = try p.file(a.fd(0))
            guard file.operations == nil else { throw .EINVAL }     // pipes, ttys, devices cannot sync
            return 0
        case 81: return 0                                          // sync
        case 88:                                                   // utimensat
            try await utimensat(a)
            return 0
        default: return nil
        }
    }

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

    static func owner(_ raw: UInt64) -> UInt32? {
        let v = UInt32(truncatingIfNeeded: raw)
        return v == UInt32.max ? nil : v
    }

    static func openat(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let p = a.process
        let path = try a.user.string(at: a.address(1))
        let flags = OpenFlags(rawValue: UInt32(truncatingIfNeeded: a[2]))
        let start = try directory(a, a.fd(0), for: path)
        let file = try await vfs().open(path, flags: flags, mode: UInt32(a[3] & 0o7777), at: start, context: p.fs)
        file.pathHint = (start ?? p.fs.cwd, path)                 // for /proc/<pid>/fd
        if !flags.contains(.O_PATH) {
            try await Leases.breakForOpen(file, forWrite: flags.allowsWrite || flags.contains(.O_TRUNC), nonBlocking: flags.contains(.O_NONBLOCK))
        }
        if file.status.rdev == .tty, file.operations === ConsoleTTY.shared {
            // /dev/tty is the caller's controlling terminal: ENXIO without one (Linux's tty_open_current_tty).
            let sid = Processes.withTable { $0.record(p.pid)?.sid ?? 0 }
            guard sid != 0, ConsoleTTY.shared.session == sid else { throw .ENXIO }
        }
        if file.operations === ConsoleTTY.shared, !flags.contains(.O_NOCTTY), file.status.rdev == .ttyAMA0 {
            // Linux: a session leader without a controlling terminal acquires the tty it opens
            // (never /dev/console or /dev/tty).
            let ids = Processes.withTable { t in (t.record(p.pid)?.sid ?? 0, t.record(p.pid)?.pgid ?? 0) }
            if ids.0 == p.pid { _ = ConsoleTTY.shared.acquire(session: ids.0, group: ids.1) }
        }
        return result(try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags.contains(.O_CLOEXEC))
        })
    }

    static func read(_ a: SyscallArguments, file: OpenFile, buffer: UserAddr, count: UInt64, offset: Int64?) async throws(Errno) -> UInt64 {
        let requested = Int(min(count, UInt64(Int32.max)))
        guard buffer.rangeIsUser(count: requested) else { throw .EFAULT }
        try verifyPosition(offset, count: count)
        // Nothing writable: still read (end of file is 0, not EFAULT, on Linux too); the copy faults.
        let n = max(a.user.accessibleLength(at: buffer, count: requested, write: true), min(requested, 1))
        var total = 0
        let staging = try a.thread.stagingBuffer(count: min(chunk, max(n, 1)))   // one bounce buffer for the call
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
            // Streams return what they have, except those always ready (/dev/zero): they fill the request.
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
        while total < n {
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
        return result(total)
    }

    /// A transfer that an error (a signal's EINTR, a fault) ended after it moved `done` bytes returns
    /// the count, as Linux: a caller that retried on EINTR would move the same bytes twice.
    static func partialTransfer(_ done: Int, _ error: Errno) throws(Errno) -> UInt64 {
        guard done > 0 else { throw error }
        return result(done)
    }

    /// readv/writev, and at `offset` without moving the file position (preadv/pwritev).
    static func vectored(_ a: SyscallArguments, write isWrite: Bool, offset: Int64?) async throws(Errno) -> UInt64 {
        let file = try a.process.file(a.fd(0))
        guard a[2] <= UInt64(LinuxIovec.UIO_MAXIOV) else { throw .EINVAL }
        let count = a.count(2)
        // Every vector is checked before any I/O, as Linux's import_iovec does: a length that is
        // negative as an ssize_t fails the whole call.
        for i in 0..<count {
            let v = try a.user.load(LinuxIovec.self, from: a.address(1) + UInt64(i * 16))
            guard Int64(bitPattern: v.iov_len) >= 0 else { throw .EINVAL }
        }
        var total: UInt64 = 0
        for i in 0..<count {
            let v = try a.user.load(LinuxIovec.self, from: a.address(1) + UInt64(i * 16))
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

    static let AT_EACCESS: UInt64 = 0x200
    static let RWF_HIPRI: UInt64 = 0x1, RWF_DSYNC: UInt64 = 0x2, RWF_SYNC: UInt64 = 0x4, RWF_NOWAIT: UInt64 = 0x8, RWF_APPEND: UInt64 = 0x10
    private static let unsupportedRWF = ReportOnce(count: 1)

    /// faccessat2(dirfd, path, mode, flags): the real ids unless AT_EACCESS; AT_SYMLINK_NOFOLLOW
    /// checks a symlink itself; AT_EMPTY_PATH with "" checks the fd's file.
    static func faccessat(_ a: SyscallArguments, flags: UInt64) async throws(Errno) {
        guard a[2] & ~7 == 0, flags & ~(AT_EACCESS | AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH) == 0 else { throw .EINVAL }
        let mode = Access(rawValue: UInt32(a[2]))
        let path = try a.user.string(at: a.address(1))
        let effective = flags & AT_EACCESS != 0
        if path.isEmpty {
            guard flags & AT_EMPTY_PATH != 0 else { throw .ENOENT }
            let location = a.fd(0) == AT_FDCWD ? a.process.fs.cwd : try a.process.file(a.fd(0)).location
            let credentials = a.process.fs.credentials
            try (effective ? credentials : credentials.forRealIDs).check(mode, location.metadata)
            return
        }
        try await vfs().access(path, mode: mode, at: try directory(a, a.fd(0), for: path), effectiveIDs: effective,
                               followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.process.fs)
    }

    static func statAt(_ a: SyscallArguments, fd: Int32, path: UserAddr, flags: UInt64) async throws(Errno) -> FileStatus {
        let name = try a.user.string(at: path)
        if name.isEmpty {
            guard flags & AT_EMPTY_PATH != 0 else { throw .ENOENT }
            if fd == AT_FDCWD { return a.process.fs.cwd.status }
            return try a.process.file(fd).status
        }
        return try await vfs().stat(name, at: try directory(a, fd, for: name), followLast: flags & AT_SYMLINK_NOFOLLOW == 0, context: a.process.fs)
    }

    static func linuxStat(_ s: FileStatus) -> LinuxStat {
        LinuxStat(device: s.device.encoded, inode: s.ino, mode: s.mode, links: s.nlink, uid: s.uid, gid: s.gid,
                  rdev: s.rdev.encoded, size: s.size, blockSize: s.blockSize, blocks: s.blocks,
                  accessed: LinuxTimespec(tv_sec: s.atime.seconds, tv_nsec: s.atime.nanoseconds),
                  modified: LinuxTimespec(tv_sec: s.mtime.seconds, tv_nsec: s.mtime.nanoseconds),
                  changed: LinuxTimespec(tv_sec: s.ctime.seconds, tv_nsec: s.ctime.nanoseconds))
    }

    static func utimensat(_ a: SyscallArguments) async throws(Errno) {
        var changes: (TimeChange?, TimeChange?) = (.now, .now)
        if a[2] != 0 {
            func decode(_ t: LinuxTimespec) -> TimeChange? {
                if t.tv_nsec == (1 << 30) - 1 { return .now }       // UTIME_NOW
                if t.tv_nsec == (1 << 30) - 2 { return nil }        // UTIME_OMIT
                return .time(Timespec(seconds: t.tv_sec, nanoseconds: t.tv_nsec))
            }
            changes = (decode(try a.user.load(LinuxTimespec.self, from: a.address(2))),
                       decode(try a.user.load(LinuxTimespec.self, from: a.address(2) + 16)))
        }
        if a[1] == 0 {
            try await vfs().utimens(try a.process.file(a.fd(0)).location, atime: changes.0, mtime: changes.1, context: a.process.fs)
        } else {
            let path = try a.user.string(at: a.address(1))
            try await vfs().utimens(path, atime: changes.0, mtime: changes.1, at: try directory(a, a.fd(0), for: path), followLast: a[3] & AT_SYMLINK_NOFOLLOW == 0, context: a.process.fs)
        }
    }

    static let FIONCLEX: UInt64 = 0x5450, FIOCLEX: UInt64 = 0x5451, FIONBIO: UInt64 = 0x5421

    /// The requests every file answers, before its own (Linux's do_vfs_ioctl); nil for the others.
    static func descriptorIoctl(_ a: SyscallArguments, _ file: OpenFile) throws(Errno) -> UInt64? {
        switch a[1] {
        case FIONBIO:
            file.setNonBlocking(try a.user.load(Int32.self, from: a.address(2)) != 0)
        case FIOCLEX, FIONCLEX:
            try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) in try t.setCloseOnExec(a.fd(0), a[1] == FIOCLEX) }
        default:
            return nil
        }
        return 0
    }

    // MARK: ioctl: terminal requests are decoded here (they copy structures to and from user space)

    static func ioctl(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let file = try a.process.file(a.fd(0))
        if file.isPathOnly { throw .EBADF }
        if let done = try descriptorIoctl(a, file) { return done }
        if file.operations === RTCDevice.shared { return try RTCDevice.ioctl(a) }
        guard file.operations === ConsoleTTY.shared else {
            if a[1] == 0x541b {                                    // FIONREAD (pipes): the count comes back as the value
                try a.user.store(Int32(truncatingIfNeeded: try await file.ioctl(request: 0x541b, argument: 0)), to: a.address(2))
                return 0
            }
            return result(try await file.ioctl(request: UInt32(truncatingIfNeeded: a[1]), argument: a[2]))
        }
        let tty = ConsoleTTY.shared
        let ids = Processes.withTable { t in (t.record(a.process.pid)?.sid ?? 0, t.record(a.process.pid)?.pgid ?? 0) }
        let isControlling = ids.0 != 0 && tty.session == ids.0
        switch a[1] {
        case 0x5401:                                               // TCGETS
            try a.user.store(tty.termios, to: a.address(2))
        case 0x5402, 0x5403, 0x5404:                               // TCSETS, TCSETSW, TCSETSF
            tty.setTermios(try a.user.load(LinuxTermios.self, from: a.address(2)), flushInput: a[1] == 0x5404)
        case 0x5413:                                               // TIOCGWINSZ
            try a.user.store(tty.windowSize, to: a.address(2))
        case 0x5414:                                               // TIOCSWINSZ
            tty.setWindowSize(try a.user.load(LinuxWinsize.self, from: a.address(2)))
        case 0x540f:                                               // TIOCGPGRP: only on one's controlling terminal
            guard isControlling else { throw .ENOTTY }
            try a.user.store(tty.foregroundGroup, to: a.address(2))
        case 0x5410:                                               // TIOCSPGRP
            guard isControlling else { throw .ENOTTY }
            let group = try a.user.load(Int32.self, from: a.address(2))
            guard group > 0 else { throw .EINVAL }
            guard Processes.withTable({ t in t.members(ofGroup: group).contains { m in t.record(m)?.sid == ids.0 } }) else { throw .EPERM }
            tty.foregroundGroup = group
        case 0x5429:                                               // TIOCGSID
            guard isControlling else { throw .ENOTTY }
            try a.user.store(tty.session, to: a.address(2))
        case 0x540e:                                               // TIOCSCTTY: a session leader takes the terminal
            guard ids.0 == a.process.pid else { throw .EPERM }
            guard tty.acquire(session: ids.0, group: ids.1, steal: a[2] == 1) else { throw .EPERM }
        case 0x5422:                                               // TIOCNOTTY
            guard isControlling else { throw .ENOTTY }
            if ids.0 == a.process.pid { tty.release(session: ids.0) }
        case 0x541b:                                               // FIONREAD
            try a.user.store(Int32(tty.bytesAvailable), to: a.address(2))
        case 0x540b:                                               // TCFLSH: TCIFLUSH, TCOFLUSH, TCIOFLUSH
            guard a[2] <= 2 else { throw .EINVAL }
            if a[2] != 1 { tty.flushInput() }
        default: throw .ENOTTY
        }
        return 0
    }
}
