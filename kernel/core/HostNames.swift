import LichenCore

/// The UTS names user space can set: the host name and the NIS domain name (uname's nodename and
/// domainname, /proc/sys/kernel/hostname and domainname). At most 64 bytes each, like Linux.
enum HostNames {
    static let maxLength = 64
    private static let names = SpinLock((host: Array("lichen".utf8), domain: Array("(none)".utf8)))

    static var host: [UInt8] { names.withLock { $0.host } }
    static var domain: [UInt8] { names.withLock { $0.domain } }

    /// sethostname/setdomainname: the superuser only (CAP_SYS_ADMIN); EINVAL past 64 bytes.
    static func set(domain: Bool, to name: [UInt8], credentials: Credentials) throws(Errno) {
        guard credentials.has(.CAP_SYS_ADMIN) else { throw .EPERM }
        guard name.count <= maxLength else { throw .EINVAL }
        names.withLock { if domain { $0.domain = name } else { $0.host = name } }
    }
}
