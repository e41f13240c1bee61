import LichenCore

/// System administration calls Lichen does not implement: Linux's capability check comes first, so an
/// unprivileged caller gets EPERM as on Linux; a privileged one gets ENOSYS (logged once), not a
/// pretended success.
enum PrivilegedSyscalls {
    private static let reported = ReportOnce(count: 8)

    private static func unsupported(_ key: Int, _ name: String, needs capability: Capability,
                                    _ a: SyscallArguments) throws(Errno) -> UInt64 {
        guard a.credentials.has(capability) else { throw .EPERM }
        if reported.first(key) { KernelLog.warning(name + ": not supported: ENOSYS") }
        throw .ENOSYS
    }

    /// swapon checks its flags before the capability.
    static func swapon(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let SWAP_FLAGS_VALID: UInt64 = 0x7ffff
        guard a[1] & 0xffff_ffff & ~SWAP_FLAGS_VALID == 0 else { throw .EINVAL }
        return try unsupported(1, "swapon", needs: .CAP_SYS_ADMIN, a)
    }
    static func swapoff(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(2, "swapoff", needs: .CAP_SYS_ADMIN, a) }
    static func init_module(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(3, "init_module", needs: .CAP_SYS_MODULE, a) }
    static func finit_module(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(4, "finit_module", needs: .CAP_SYS_MODULE, a) }
    static func delete_module(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(5, "delete_module", needs: .CAP_SYS_MODULE, a) }
    static func vhangup(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(6, "vhangup", needs: .CAP_SYS_TTY_CONFIG, a) }
    static func acct(_ a: SyscallArguments) throws(Errno) -> UInt64 { try unsupported(7, "acct", needs: .CAP_SYS_PACCT, a) }
}
