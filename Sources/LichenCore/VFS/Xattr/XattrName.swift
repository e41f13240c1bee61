// Extended attribute names: their limits and namespaces (Linux's include/uapi/linux/xattr.h and
// the prefix rules of fs/xattr.c).

/// The limits of the xattr syscalls.
public enum XattrLimits {
    /// XATTR_NAME_MAX: longer names are ERANGE.
    public static let nameMax = 255
    /// XATTR_SIZE_MAX: larger values are E2BIG.
    public static let valueMax = 65536
    /// XATTR_LIST_MAX: listxattr never copies more.
    public static let listMax = 65536
}

/// setxattr's flags.
public struct XattrSetFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    /// XATTR_CREATE: EEXIST if the name exists.
    public static let create = XattrSetFlags(rawValue: 1)
    /// XATTR_REPLACE: ENODATA unless it exists.
    public static let replace = XattrSetFlags(rawValue: 2)
}

/// The namespace a name's prefix puts it in (what xattr_permission and the capability hooks
/// look at before any filesystem does).
public enum XattrNamespace: Equatable, Sendable {
    case security, system, trusted, user
    /// Any other prefix: no filesystem has a handler for it (EOPNOTSUPP, after the permission check).
    case other

    public init(_ name: [UInt8]) {
        if XattrNamespace.has(name, "security.") { self = .security }
        else if XattrNamespace.has(name, "system.") { self = .system }
        else if XattrNamespace.has(name, "trusted.") { self = .trusted }
        else if XattrNamespace.has(name, "user.") { self = .user }
        else { self = .other }
    }

    static func has(_ name: [UInt8], _ prefix: StaticString) -> Bool {
        let count = prefix.utf8CodeUnitCount
        guard name.count >= count else { return false }
        let p = prefix.utf8Start
        for i in 0..<count where name[i] != p[i] { return false }
        return true
    }
}

/// Names with a meaning of their own.
public enum XattrNames {
    /// File capabilities (capabilities(7)).
    public static let capability: [UInt8] = Array("security.capability".utf8)
    public static let posixACLAccess: [UInt8] = Array("system.posix_acl_access".utf8)
    public static let posixACLDefault: [UInt8] = Array("system.posix_acl_default".utf8)

    public static func isCapability(_ name: [UInt8]) -> Bool { name == capability }
    public static func isPosixACL(_ name: [UInt8]) -> Bool { name == posixACLAccess || name == posixACLDefault }
}

/// Which names a filesystem has a handler for (Linux's s_xattr handler table, and the answer of
/// xattr_resolve_name): a handler for a prefix needs something after it (EINVAL for the bare
/// prefix); a handler for a full name (the POSIX ACLs) takes that name only.
public struct XattrHandlers: Sendable {
    public var security: Bool
    public var trusted: Bool
    public var user: Bool
    /// system.posix_acl_access / _default.
    public var posixACL: Bool

    public init(security: Bool, trusted: Bool, user: Bool, posixACL: Bool) {
        self.security = security
        self.trusted = trusted
        self.user = user
        self.posixACL = posixACL
    }

    /// tmpfs in Linux 6.1 (CONFIG_TMPFS_XATTR, CONFIG_TMPFS_POSIX_ACL): no user.* before 6.6.
    public static let tmpfs = XattrHandlers(security: true, trusted: true, user: false, posixACL: true)
    /// ext4 (user_xattr, acl, CONFIG_EXT4_FS_SECURITY).
    public static let ext4 = XattrHandlers(security: true, trusted: true, user: true, posixACL: true)

    /// Throws EOPNOTSUPP when no handler takes `name`, EINVAL for a bare prefix.
    public func resolve(_ name: [UInt8]) throws(Errno) {
        if posixACL && XattrNames.isPosixACL(name) { return }
        let prefixLength: Int
        switch XattrNamespace(name) {
        case .security where security: prefixLength = 9
        case .trusted where trusted: prefixLength = 8
        case .user where user: prefixLength = 5
        default: throw .EOPNOTSUPP
        }
        if name.count == prefixLength { throw .EINVAL }
    }
}
