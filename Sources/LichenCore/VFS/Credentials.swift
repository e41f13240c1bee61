// Who is asking: the identity every permission check uses, and Linux's access rules.

/// A task's user and group identities (Linux's struct cred). Permission checks use `fsuid`/`fsgid`
/// (which follow the effective ids unless setfsuid changed them) and the supplementary groups;
/// `access()` checks with the real ids (`forRealIDs`).
public struct Credentials: Equatable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public var euid: UInt32
    public var egid: UInt32
    /// Saved set-user/group-ids (setresuid/setresgid).
    public var suid: UInt32
    public var sgid: UInt32
    public var fsuid: UInt32
    public var fsgid: UInt32
    public var groups: [UInt32]
    /// The capability sets (Capabilities.swift): what the credentials may use (effective), may
    /// make effective (permitted), pass across execve (inheritable, ambient), and may ever hold
    /// (bounding).
    public var effective: CapabilitySet
    public var permitted: CapabilitySet
    public var inheritable = CapabilitySet.empty
    public var bounding = CapabilitySet.full
    public var ambient = CapabilitySet.empty
    /// SECBIT_* flags and locks (prctl PR_SET_SECUREBITS, PR_SET_KEEPCAPS).
    public var securebits: UInt32 = 0

    /// All ids equal to `uid`/`gid`; uid 0 holds every capability (what Linux gives init).
    public init(uid: UInt32, gid: UInt32, groups: [UInt32] = []) {
        self.uid = uid
        self.gid = gid
        euid = uid
        egid = gid
        suid = uid
        sgid = gid
        fsuid = uid
        fsgid = gid
        self.groups = groups
        effective = uid == 0 ? .full : .empty
        permitted = effective
    }

    public static let root = Credentials(uid: 0, gid: 0)

    /// Whether `gid` is the filesystem gid or a supplementary group.
    public func isInGroup(_ gid: UInt32) -> Bool {
        fsgid == gid || groups.contains(gid)
    }

    /// The credentials `access()`/`faccessat()` without AT_EACCESS check with: the real ids, and
    /// (unless SECBIT_NO_SETUID_FIXUP) the permitted capabilities for a real root, none otherwise.
    public var forRealIDs: Credentials {
        var c = self
        c.fsuid = uid
        c.fsgid = gid
        if !isSecure(Securebits.noSetuidFixup) { c.effective = uid == 0 ? permitted : .empty }
        return c
    }
}

/// What an access asks for (MAY_READ/MAY_WRITE/MAY_EXEC, same values as R_OK/W_OK/X_OK).
public struct Access: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }
    public static let execute = Access(rawValue: 1)
    public static let write = Access(rawValue: 2)
    public static let read = Access(rawValue: 4)
}

extension Credentials {
    /// Linux's generic_permission: the owner class if fsuid owns the file, else the group class if
    /// in its group, else others (no fall-through between classes). Then the overrides:
    /// CAP_DAC_READ_SEARCH reads any file and reads and searches any directory; CAP_DAC_OVERRIDE
    /// reads and writes anything, searches any directory, but executes a file only if some
    /// execute bit is set.
    public func permits(_ access: Access, mode: UInt32, uid owner: UInt32, gid group: UInt32) -> Bool {
        if permitsByMode(access, mode: mode, uid: owner, gid: group) { return true }
        if FileType(mode: mode) == .directory {
            if !access.contains(.write) && has(.CAP_DAC_READ_SEARCH) { return true }
            return has(.CAP_DAC_OVERRIDE)
        }
        if access == .read && has(.CAP_DAC_READ_SEARCH) { return true }
        if !access.contains(.execute) || mode & 0o111 != 0 { return has(.CAP_DAC_OVERRIDE) }
        return false
    }

    /// The owner, group and other permission bits alone.
    private func permitsByMode(_ access: Access, mode: UInt32, uid owner: UInt32, gid group: UInt32) -> Bool {
        let bits: UInt32
        if fsuid == owner {
            bits = (mode >> 6) & 7
        } else if isInGroup(group) {
            bits = (mode >> 3) & 7
        } else {
            bits = mode & 7
        }
        return access.rawValue & ~bits == 0
    }

    public func permits(_ access: Access, _ metadata: InodeMetadata) -> Bool {
        permits(access, mode: metadata.mode, uid: metadata.uid, gid: metadata.gid)
    }

    public func permits(_ access: Access, _ p: InodePermissions) -> Bool {
        permits(access, mode: p.mode, uid: p.uid, gid: p.gid)
    }

    /// Throws EACCES unless `permits`.
    public func check(_ access: Access, _ metadata: InodeMetadata) throws(Errno) {
        if !permits(access, metadata) { throw .EACCES }
    }

    /// Whether these credentials own the file or may act as its owner (CAP_FOWNER).
    public func ownsOrOverrides(_ metadata: InodeMetadata) -> Bool {
        fsuid == metadata.uid || has(.CAP_FOWNER)
    }
}
