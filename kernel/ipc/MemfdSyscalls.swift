import LichenCore

/// memfd_create: an anonymous tmpfs file (LichenCore's Memfd holds the rules), sealable with
/// MFD_ALLOW_SEALING (fcntl F_ADD_SEALS/F_GET_SEALS in Fcntl).
enum MemfdSyscalls {
    /// Linux's internal shm mount: made on first use.
    private static let fileSystem = SpinLock<MemfdFileSystem?>(nil)
    private static let hugetlbReport = ReportOnce(count: 1)

    static func memfd_create(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let nameAddress = a.address(0), flags = a[1]
        if flags & Memfd.MFD_HUGETLB != 0, hugetlbReport.first(0) {
            KernelLog.warning("memfd_create: MFD_HUGETLB is not supported (no huge pages): EINVAL")
        }
        // Linux checks the flags (the hugetlb case, which Lichen refuses, after the name).
        try Memfd.checkFlags(flags & ~Memfd.MFD_HUGETLB)
        let name: [UInt8]
        do { name = try a.user.string(at: nameAddress, limit: Memfd.nameMaxLength + 1) } catch where error == .ENAMETOOLONG { throw .EINVAL }
        try Memfd.checkName(name)
        try Memfd.checkFlags(flags)
        let fs = fileSystem.withLock { (fs: inout MemfdFileSystem?) -> MemfdFileSystem in
            if let fs { return fs }
            let made = MemfdFileSystem(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock)
            fs = made
            return made
        }
        let credentials = a.credentials
        let file = fs.create(name: name, flags: flags, owner: InodeOwner(uid: credentials.fsuid, gid: credentials.fsgid))
        let fd = try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> Int32 in
            try t.install(file, closeOnExec: flags & Memfd.MFD_CLOEXEC != 0)
        }
        return UInt64(fd)
    }
}
