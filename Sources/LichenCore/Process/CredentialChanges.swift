// Linux's rules for changing identities (kernel/sys.c): set*uid/set*gid/setgroups (CAP_SETUID,
// CAP_SETGID), with the capability fixups of a uid change (Capabilities.swift). execve's
// transformation is in CapabilitiesExec.swift.

extension Credentials {
    /// An id argument of -1: leave that id alone.
    public static let unchanged = UInt32.max
    /// NGROUPS_MAX.
    public static let maxGroups = 65536

    private var mayChangeUIDs: Bool { has(.CAP_SETUID) }
    private var mayChangeGIDs: Bool { has(.CAP_SETGID) }

    /// A uid change and its capability fixup, all or nothing.
    private mutating func changeUIDs(_ body: (inout IDSet) throws(Errno) -> Void) throws(Errno) {
        let old = self
        try body(&userIDs)
        fixCapabilitiesAfterUIDChange(from: old)
    }

    /// The user ids and the group ids follow the same rules (CAP_SETUID and CAP_SETGID alike).
    var userIDs: IDSet {
        get { IDSet(real: uid, effective: euid, saved: suid, filesystem: fsuid) }
        set { uid = newValue.real; euid = newValue.effective; suid = newValue.saved; fsuid = newValue.filesystem }
    }
    var groupIDs: IDSet {
        get { IDSet(real: gid, effective: egid, saved: sgid, filesystem: fsgid) }
        set { gid = newValue.real; egid = newValue.effective; sgid = newValue.saved; fsgid = newValue.filesystem }
    }

    /// setuid: privileged callers set all four ids; others may only set the effective id to the
    /// real or saved one.
    public mutating func setUID(_ id: UInt32) throws(Errno) {
        let privileged = mayChangeUIDs
        try changeUIDs { (ids: inout IDSet) throws(Errno) in try ids.set(id, privileged: privileged) }
    }
    public mutating func setGID(_ id: UInt32) throws(Errno) { try groupIDs.set(id, privileged: mayChangeGIDs) }

    /// setreuid: the real id may become the effective one, the effective id the real or saved one;
    /// the saved id follows the new effective id when the real id is set or the effective id moves
    /// away from the real one.
    public mutating func setREUID(real: UInt32, effective: UInt32) throws(Errno) {
        let privileged = mayChangeUIDs
        try changeUIDs { (ids: inout IDSet) throws(Errno) in try ids.setRealEffective(real, effective, privileged: privileged) }
    }
    public mutating func setREGID(real: UInt32, effective: UInt32) throws(Errno) {
        try groupIDs.setRealEffective(real, effective, privileged: mayChangeGIDs)
    }

    /// setresuid: unprivileged callers may set each id to any of the current three.
    public mutating func setRESUID(real: UInt32, effective: UInt32, saved: UInt32) throws(Errno) {
        let privileged = mayChangeUIDs
        try changeUIDs { (ids: inout IDSet) throws(Errno) in try ids.setAll(real, effective, saved, privileged: privileged) }
    }
    public mutating func setRESGID(real: UInt32, effective: UInt32, saved: UInt32) throws(Errno) {
        try groupIDs.setAll(real, effective, saved, privileged: mayChangeGIDs)
    }

    /// setfsuid: always returns the previous fsuid; changes it only to one of the caller's ids
    /// (or anything, when privileged). There is no error return.
    public mutating func setFSUID(_ id: UInt32) -> UInt32 {
        let old = userIDs.setFilesystem(id, privileged: mayChangeUIDs)
        fixCapabilitiesAfterFSUIDChange(from: old)
        return old
    }
    public mutating func setFSGID(_ id: UInt32) -> UInt32 { groupIDs.setFilesystem(id, privileged: mayChangeGIDs) }

    /// setgroups: privileged only; at most NGROUPS_MAX entries.
    public mutating func setGroups(_ list: [UInt32]) throws(Errno) {
        guard list.count <= Self.maxGroups else { throw .EINVAL }
        guard mayChangeGIDs else { throw .EPERM }
        groups = list
    }

    /// kill's permission rule: CAP_KILL, or a sender whose real or effective uid is the
    /// target's real or saved uid.
    public func maySignal(_ target: Credentials) -> Bool {
        has(.CAP_KILL) || uid == target.uid || uid == target.suid || euid == target.uid || euid == target.suid
    }

    /// kill's rule against a zombie, of which only the real uid is kept (its saved uid was the same
    /// unless it changed ids; then this is stricter than Linux).
    public func maySignal(zombieUID: UInt32) -> Bool {
        has(.CAP_KILL) || uid == zombieUID || euid == zombieUID
    }

    /// CAP_SYS_RESOURCE: raising hard resource limits, going past RLIMIT_NPROC.
    public var mayExceedLimits: Bool { has(.CAP_SYS_RESOURCE) }

    /// prlimit on another process (Linux's check_prlimit_permission): the superuser, or a caller
    /// whose real ids are all of the target's real, effective and saved ids.
    public func mayChangeLimits(of target: Credentials) -> Bool {
        mayExceedLimits || (uid == target.uid && uid == target.euid && uid == target.suid
                            && gid == target.gid && gid == target.egid && gid == target.sgid)
    }
}

/// One kind of id (user or group): real, effective, saved and filesystem, and Linux's rules for
/// changing them. `privileged`: the caller holds CAP_SETUID/CAP_SETGID.
struct IDSet {
    var real, effective, saved, filesystem: UInt32

    private static let unchanged = Credentials.unchanged
    private func isCurrent(_ id: UInt32) -> Bool { id == real || id == effective || id == saved }

    mutating func set(_ id: UInt32, privileged: Bool) throws(Errno) {
        guard id != Self.unchanged else { throw .EINVAL }
        if privileged {
            real = id; effective = id; saved = id; filesystem = id
        } else if id == real || id == saved {
            effective = id; filesystem = id
        } else {
            throw .EPERM
        }
    }

    mutating func setRealEffective(_ newReal: UInt32, _ newEffective: UInt32, privileged: Bool) throws(Errno) {
        let r = newReal == Self.unchanged ? real : newReal
        let e = newEffective == Self.unchanged ? effective : newEffective
        if !privileged {
            if newReal != Self.unchanged && newReal != real && newReal != effective { throw .EPERM }
            if newEffective != Self.unchanged && !isCurrent(newEffective) { throw .EPERM }
        }
        if newReal != Self.unchanged || (newEffective != Self.unchanged && e != real) { saved = e }
        real = r; effective = e; filesystem = e
    }

    mutating func setAll(_ newReal: UInt32, _ newEffective: UInt32, _ newSaved: UInt32, privileged: Bool) throws(Errno) {
        if !privileged {
            for id in [newReal, newEffective, newSaved] where id != Self.unchanged && !isCurrent(id) { throw .EPERM }
        }
        if newReal != Self.unchanged { real = newReal }
        if newEffective != Self.unchanged { effective = newEffective }
        if newSaved != Self.unchanged { saved = newSaved }
        filesystem = effective
    }

    mutating func setFilesystem(_ id: UInt32, privileged: Bool) -> UInt32 {
        let old = filesystem
        if id != Self.unchanged && (privileged || isCurrent(id) || id == filesystem) { filesystem = id }
        return old
    }
}
