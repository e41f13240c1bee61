import LichenCore

/// openat2(dirfd, path, how, size): openat with struct open_how, checked strictly (unknown flags,
/// a mode without O_CREAT/O_TMPFILE, extra O_PATH flags are EINVAL) and the RESOLVE_* restrictions.
enum Openat2Syscall {
    /// struct open_how's first version: flags, mode, resolve (3 x u64).
    static let sizeVer0 = 24
    /// Every open flag Linux knows (VALID_OPEN_FLAGS, the same bits on arm64 and riscv64).
    static let validOpenFlags: UInt64 = 0o37777703
    static let O_CREAT: UInt64 = 0o100, O_TRUNC: UInt64 = 0o1000, O_PATH: UInt64 = 0o10000000, O_TMPFILE: UInt64 = 0o20000000
    static let O_DIRECTORY_NOFOLLOW_CLOEXEC: UInt64 = LinuxArch.userValue(of: [.O_DIRECTORY, .O_NOFOLLOW, .O_CLOEXEC]).u64

    static func openat2(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let dirfd = a.fd(0), howAddress = a.address(2), size = a[3]
        guard size >= UInt64(sizeVer0) else { throw .EINVAL }
        guard size <= 4096 else { throw .E2BIG }
        // copy_struct_from_user: a larger struct is accepted if its extra bytes are all zero.
        let how = try a.user.bytes(at: howAddress, count: Int(size))
        if how[sizeVer0...].contains(where: { $0 != 0 }) { throw .E2BIG }
        func field(_ i: Int) -> UInt64 {
            var v: UInt64 = 0
            for b in 0..<8 { v |= UInt64(how[i * 8 + b]) << (8 * UInt64(b)) }
            return v
        }
        let flags = field(0), mode = field(1), resolve = field(2)
        // build_open_flags, in Linux's order.
        guard flags & ~validOpenFlags == 0 else { throw .EINVAL }
        guard resolve & ~ResolveFlags.all.rawValue == 0 else { throw .EINVAL }
        let restrictions = ResolveFlags(rawValue: resolve)
        if restrictions.contains(.beneath) && restrictions.contains(.inRoot) { throw .EINVAL }
        if flags & (O_CREAT | O_TMPFILE) != 0 {
            guard mode & ~0o7777 == 0 else { throw .EINVAL }
        } else if mode != 0 {
            throw .EINVAL
        }
        if flags & O_PATH != 0 && flags & ~(O_PATH | O_DIRECTORY_NOFOLLOW_CLOEXEC) != 0 { throw .EINVAL }
        // Lichen's filesystems are their own cache, so a cached walk always succeeds; but RESOLVE_CACHED
        // never creates or truncates (EAGAIN, as Linux).
        if restrictions.contains(.cached) && flags & (O_TRUNC | O_CREAT | O_TMPFILE) != 0 { throw .EAGAIN }
        let path = try a.userPath(1)
        // Scoped walks start at dirfd even for an absolute path (it is their root).
        let start: Location?
        if restrictions.isScoped && dirfd != FileSyscalls.AT_FDCWD {
            start = try a.process.file(dirfd).location
        } else {
            start = try FileSyscalls.directory(a, dirfd, for: path)
        }
        return try await FileSyscalls.open(a, path: path, flags: FileSyscalls.forcingLargeFile(LinuxArch.openFlags(fromUser: UInt32(flags))),
                                           mode: UInt32(mode), start: start, restrictions: restrictions)
    }
}

private extension UInt32 {
    var u64: UInt64 { UInt64(self) }
}
