// Linux's rules for changing identities (kernel/sys.c): set*uid/set*gid/setgroups, and exec of a
// set-user-ID or set-group-ID file. Lichen has no finer capabilities: an effective uid of 0 holds
// CAP_SETUID and CAP_SETGID.

extension Credentials {
    /// An id argument of -1: leave that id alone.
    public static let unchanged = UInt32.max
    /// NGROUPS_MAX.
    public static let maxGroups = 65536

    private var mayChangeIDs: Bool { euid == 0 }

    /// setuid: privileged callers set all four ids; others may only set the effective id to the
    /// real or saved one.
    public mutating func setUID(_ id: UInt32) throws(Errno) {
        guard id != Self.unchanged else { throw .EINVAL }
        if mayChangeIDs {
            uid = id; euid = id; suid = id; fsuid = id
        } else if id == uid || id == suid {
            euid = id; fsuid = id
        } else {
            throw .EPERM
        }
    }

    public mutating func setGID(_ id: UInt32) throws(Errno) {
        guard id != Self.unchanged else { throw .EINVAL }
        if mayChangeIDs {
            gid = id; egid = id; sgid = id; fsgid = id
        } else if id == gid || id == sgid {
            egid = id; fsgid = id
        } else {
            throw .EPERM
        }
    }

    /// setreuid: the real id may become the effective one, the effective id the real or saved one;
    /// the saved id follows the new effective id when the real id is set or the effective id moves
    /// away from the real one.
    public mutating func setREUID(real: UInt32, effective: UInt32) throws(Errno) {
        let newReal = real == Self.unchanged ? uid : real
        let newEffective = effective == Self.unchanged ? euid : effective
        if !mayChangeIDs {
            if real != Self.unchanged && real != uid && real != euid { throw .EPERM }
            if effective != Self.unchanged && effective != uid && effective != euid && effective != suid { throw .EPERM }
        }
        if real != Self.unchanged || (effective != Self.unchanged && newEffective != uid) { suid = newEffective }
        uid = newReal; euid = newEffective; fsuid = newEffective
    }

    public mutating func setREGID(real: UInt32, effective: UInt32) throws(Errno) {
        let newReal = real == Self.unchanged ? gid : real
        let newEffective = effective == Self.unchanged ? egid : effective
        if !mayChangeIDs {
            if real != Self.unchanged && real != gid && real != egid { throw .EPERM }
            if effective != Self.unchanged && effective != gid && effective != egid && effective != sgid { throw .EPERM }
        }
        if real != Self.unchanged || (effective != Self.unchanged && newEffective != gid) { sgid = newEffective }
        gid = newReal; egid = newEffective; fsgid = newEffective
    }

    /// setresuid: unprivileged callers may set each id to any of the current three.
    public mutating func setRESUID(real: UInt32, effective: UInt32, saved: UInt32) throws(Errno) {
        if !mayChangeIDs {
            for id in [real, effective, saved] where id != Self.unchanged && id != uid && id != euid && id != suid {
                throw .EPERM
            }
        }
        if real != Self.unchanged { uid = real }
        if effective != Self.unchanged { euid = effective }
        if saved != Self.unchanged { suid = saved }
        fsuid = euid
    }

    public mutating func setRESGID(real: UInt32, effective: UInt32, saved: UInt32) throws(Errno) {
        if !mayChangeIDs {
            for id in [real, effective, saved] where id != Self.unchanged && id != gid && id != egid && id != sgid {
                throw .EPERM
            }
        }
        if real != Self.unchanged { gid = real }
        if effective != Self.unchanged { egid = effective }
        if saved != Self.unchanged { sgid = saved }
        fsgid = egid
    }

    /// setfsuid: always returns the previous fsuid; changes it only to one of the caller's ids
    /// (or anything, when privileged). There is no error return.
    public mutating func setFSUID(_ id: UInt32) -> UInt32 {
        let old = fsuid
        if id != Self.unchanged && (mayChangeIDs || id == uid || id == euid || id == suid || id == fsuid) { fsuid = id }
        return old
    }

    public mutating func setFSGID(_ id: UInt32) -> UInt32 {
        let old = fsgid
        if id != Self.unchanged && (mayChangeIDs || id == gid || id == egid || id == sgid || id == fsgid) { fsgid = id }
        return old
    }

    /// setgroups: privileged only; at most NGROUPS_MAX entries.
    public mutating func setGroups(_ list: [UInt32]) throws(Errno) {
        guard list.count <= Self.maxGroups else { throw .EINVAL }
        guard mayChangeIDs else { throw .EPERM }
        groups = list
    }

    /// execve: a set-user-ID (set-group-ID) file runs with its owner (group) as the effective id; in
    /// every case the saved ids become the effective ones.
    public mutating func exec(fileMode mode: UInt32, owner: UInt32, group: UInt32) {
        if mode & FileMode.S_ISUID != 0 { euid = owner }
        if mode & FileMode.S_ISGID != 0 && mode & 0o010 != 0 { egid = group }   // setgid without group-exec: mandatory locking
        suid = euid; fsuid = euid
        sgid = egid; fsgid = egid
    }

    /// kill's permission rule: the superuser, or a sender whose real or effective uid is the
    /// target's real or saved uid.
    public func maySignal(_ target: Credentials) -> Bool {
        euid == 0 || uid == target.uid || uid == target.suid || euid == target.uid || euid == target.suid
    }
}
