import LichenCore
import _Concurrency

/// fcntl(2): descriptor flags, status flags, record locks, leases, pipe sizes, I/O signal owners.
enum Fcntl {
    typealias C = LinuxFcntl
    /// F_GETFD/F_SETFD's one descriptor flag.
    static let FD_CLOEXEC: UInt64 = 1
    /// File seals (memfd): F_LINUX_SPECIFIC_BASE + 9 and + 10.
    static let F_ADD_SEALS: Int32 = 1033, F_GET_SEALS: Int32 = 1034

    static func fcntl(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let p = a.process
        // The third argument is an int, an unsigned flag word or a pointer, depending on the command.
        let fd = a.fd(0), command = a.int32(1), argument = a[2]
        let intArgument = Int32(truncatingIfNeeded: argument), flagsArgument = UInt32(truncatingIfNeeded: argument)
        let pointer = UserAddr(argument)
        let file = try p.file(fd)
        // O_PATH descriptors allow only these (Linux's check_fcntl_cmd).
        if file.isPathOnly && !allowedOnPath(command) { throw .EBADF }
        switch command {
        case C.F_DUPFD, C.F_DUPFD_CLOEXEC:
            return result(try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
                try t.duplicate(fd, minimum: intArgument, closeOnExec: command == C.F_DUPFD_CLOEXEC)
            })
        case C.F_GETFD:
            return try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> UInt64 in try t.isCloseOnExec(fd) ? 1 : 0 }
        case C.F_SETFD:
            try p.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) in try t.setCloseOnExec(fd, argument & FD_CLOEXEC != 0) }
            return 0
        case C.F_GETFL:
            return UInt64(LinuxArch.userValue(of: file.flags))
        case C.F_SETFL:
            var flags = LinuxArch.openFlags(fromUser: flagsArgument)
            if flags.contains(.O_NOATIME) && !file.flags.contains(.O_NOATIME)
                && !a.credentials.ownsOrOverrides(file.inode.metadata) { throw .EPERM }
            // O_ASYNC: pipes, terminals and sockets signal their owner as they become ready (Linux's
            // ->fasync); on other files the flag does nothing and is not stored, as on Linux.
            let async = flags.contains(.FASYNC)
            if async != file.flags.contains(.FASYNC), let ops = file.operations, ops.sendsIOSignals {
                if async, let group = ops.ioSignalOwnerGroup {
                    // A terminal makes its foreground group (else the caller) the owner (tty_fasync).
                    file.signalOwner.withLock { o in try? o.setOwner(group > 0 ? -group : p.pid) }
                }
                file.setAsyncNotification(async, fd: fd)
            } else {
                // Only ->fasync sets FASYNC on Linux: other files keep what they have.
                flags = file.flags.contains(.FASYNC) ? flags.union(.FASYNC) : flags.subtracting(.FASYNC)
            }
            file.setStatusFlags(flags)
            return 0
        case C.F_GETLK, C.F_OFD_GETLK:
            let lock = try a.user.load(LinuxFlock.self, from: pointer)
            let request = try await RecordLocks.request(lock, file: file, process: p, ofd: command == C.F_OFD_GETLK, forSet: false)
            try a.user.store(RecordLocks.test(request, lock), to: pointer)
            return 0
        case C.F_SETLK, C.F_SETLKW, C.F_OFD_SETLK, C.F_OFD_SETLKW:
            let lock = try a.user.load(LinuxFlock.self, from: pointer)
            let ofd = command == C.F_OFD_SETLK || command == C.F_OFD_SETLKW
            let request = try await RecordLocks.request(lock, file: file, process: p, ofd: ofd, forSet: true)
            try await RecordLocks.set(request, file: file, wait: command == C.F_SETLKW || command == C.F_OFD_SETLKW, thread: a.thread)
            return 0
        case F_ADD_SEALS:
            // Linux's memfd_add_seals: the argument's width, then write access, then the seals' rules.
            guard argument <= UInt64(UInt32.max) else { throw .EINVAL }
            guard file.flags.allowsWrite else { throw .EPERM }
            guard argument & ~UInt64(FileSeals.all.rawValue) == 0, let cache = file.inode.pageCache else { throw .EINVAL }
            try cache.addSeals(argument, writable: true)
            return 0
        case F_GET_SEALS:
            guard let seals = file.inode.pageCache?.seals else { throw .EINVAL }
            return UInt64(seals.rawValue)
        case C.F_GETPIPE_SZ:
            guard let pipe = file.operations?.pipe else { throw .EBADF }
            return result(pipe.capacity)
        case C.F_SETPIPE_SZ:
            guard let pipe = file.operations?.pipe else { throw .EBADF }
            return result(try pipe.setCapacity(flagsArgument, privileged: a.credentials.mayExceedLimits,
                                               hasRoom: { PhysicalMemory.hasRoomForUser(contiguousBytes: $0) }))
        case C.F_SETOWN:
            var updated = file.signalOwner.withLock { $0 }
            try updated.setOwner(intArgument)
            if updated.pid != 0 && !idExists(updated.pid) { throw .ESRCH }
            setter(&updated, a.credentials)
            file.signalOwner.withLock { $0 = updated }
            return 0
        case C.F_GETOWN:
            return result(file.signalOwner.withLock { $0.ownerArgument })
        case C.F_SETOWN_EX:
            let owner = try a.user.load(LinuxFOwnerEx.self, from: pointer)
            var updated = file.signalOwner.withLock { $0 }
            try updated.setOwner(owner)
            if owner.pid != 0 && !idExists(owner.pid) { throw .ESRCH }
            setter(&updated, a.credentials)
            file.signalOwner.withLock { $0 = updated }
            return 0
        case C.F_GETOWN_EX:
            let owner = file.signalOwner.withLock { $0 }
            // As Linux: an owner that has gone reads back as 0.
            try a.user.store(LinuxFOwnerEx(type: owner.type, pid: idExists(owner.pid) ? owner.pid : 0), to: pointer)
            return 0
        case C.F_SETSIG:
            try file.signalOwner.withLock { (o: inout FileSignalOwner) throws(Errno) in try o.setSignal(flagsArgument) }
            return 0
        case C.F_GETSIG:
            return result(file.signalOwner.withLock { $0.signal })
        case C.F_GETLEASE:
            return result(Int32(Leases.get(file)))
        case C.F_SETLEASE:
            try Leases.set(file, type: Int64(bitPattern: argument), process: p, credentials: a.credentials)
            return 0
        default: throw .EINVAL
        }
    }

    /// F_SETOWN(_EX) records whose permission the signals use (Linux's f_modown with force).
    private static func setter(_ owner: inout FileSignalOwner, _ c: Credentials) {
        owner.uid = c.uid
        owner.euid = c.euid
    }

    /// What Linux's check_fcntl_cmd lets through on an O_PATH descriptor.
    private static func allowedOnPath(_ command: Int32) -> Bool {
        switch command {
        case C.F_DUPFD, C.F_DUPFD_CLOEXEC, C.F_GETFD, C.F_SETFD, C.F_GETFL: return true
        default: return false
        }
    }

    /// Whether a thread, process or process group has the id `id` (Linux's find_vpid).
    private static func idExists(_ id: Int32) -> Bool {
        guard id > 0 else { return false }
        if Processes.thread(id) != nil { return true }
        return Processes.withTable { !$0.members(ofGroup: id).isEmpty }
    }
}
