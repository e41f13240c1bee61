import LichenCore

/// signalfd4(fd, mask, sizemask, flags): a new `SignalFD` (fd -1) or a new mask for an existing one.
enum SignalFdSyscalls {
    static let SFD_CLOEXEC: UInt64 = 0o2000000, SFD_NONBLOCK: UInt64 = 0o4000

    static func signalfd4(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fd = a.fd(0), maskPointer = a.address(1), maskSize = a[2], flags = a[3]
        guard maskSize == 8 else { throw .EINVAL }                              // sizeof(sigset_t)
        let mask = SignalSet(bits: try a.user.load(UInt64.self, from: maskPointer)).blockable
        guard flags & ~(SFD_CLOEXEC | SFD_NONBLOCK) == 0 else { throw .EINVAL }
        if fd == -1 {
            return try EventFdSyscalls.install(a, SignalFD(mask: mask, creator: a.process.pid),
                                               nonBlocking: flags & SFD_NONBLOCK != 0, closeOnExec: flags & SFD_CLOEXEC != 0)
        }
        guard let existing = try a.process.file(fd).operations as? SignalFD else { throw .EINVAL }
        existing.mask.withLock { $0 = mask }
        a.process.signalQueued.wakeAll()                // pollers re-check against the new mask
        return UInt64(fd)
    }
}
