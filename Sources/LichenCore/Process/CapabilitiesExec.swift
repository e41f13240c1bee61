// execve's credential transformation (execve(2), capabilities(7); Linux's bprm_fill_uid and
// cap_bprm_creds_from_file), file capabilities (security.capability, FileCapabilities.swift) included.

/// What execve knows about the program and the caller's situation.
public struct ExecutedFile: Sendable {
    public var mode: UInt32
    public var owner: UInt32
    public var group: UInt32
    /// The program is on a nosuid mount: its set-id bits are ignored.
    public var onNoSuidMount = false
    /// PR_SET_NO_NEW_PRIVS: set-id bits ignored, no capability gained.
    public var noNewPrivileges = false
    /// The caller's filesystem context (cwd, root, umask) is shared with another process
    /// (clone(CLONE_FS)): Linux's LSM_UNSAFE_SHARE.
    public var sharesFilesystemContext = false
    /// Traced by a tracer without CAP_SYS_PTRACE (Lichen has no ptrace yet: always false).
    public var tracedByUnprivileged = false
    /// The caller may not read the file: the process becomes non-dumpable (would_dump).
    public var unreadable = false
    /// Its file capabilities (nil: none, or ignored on a nosuid mount).
    public var capabilities: FileCapabilities? = nil

    public init(mode: UInt32, owner: UInt32, group: UInt32) {
        self.mode = mode
        self.owner = owner
        self.group = group
    }
}

/// The outcome besides the new credentials.
public struct ExecPrivilegeChange: Equatable, Sendable {
    /// AT_SECURE: the program runs with privileges its caller did not have.
    public var secure: Bool
    /// Whether the process stays dumpable (PR_GET_DUMPABLE 1) after the exec.
    public var dumpable: Bool
}

extension Credentials {
    /// Applies execve's rules to these (the caller's) credentials.
    public mutating func exec(_ file: ExecutedFile) -> ExecPrivilegeChange {
        let old = self
        // bprm_fill_uid: set-id bits, unless the mount or no_new_privs forbids them.
        if !file.onNoSuidMount && !file.noNewPrivileges {
            if file.mode & FileMode.S_ISUID != 0 { euid = file.owner }
            if file.mode & FileMode.S_ISGID != 0 && file.mode & 0o010 != 0 { egid = file.group }  // else: mandatory locking
        }
        // File capabilities: pP' = (X & fP) | (pI & fI), made effective by the file's effective bit.
        permitted = old.permittedFrom(file.capabilities)
        var raiseEffective = file.capabilities?.effective ?? false
        // Root (unless SECBIT_NOROOT): a root real or effective uid gets the bounding set and its
        // inheritable set as permitted; a root effective uid also makes them effective. Not for a
        // set-user-id-root program with file capabilities run by another user: its capabilities
        // are the file's.
        let setuidRootWithCapabilities = file.capabilities != nil && euid == 0 && uid != 0
        if !old.isSecure(Securebits.noRoot) && !setuidRootWithCapabilities {
            if euid == 0 || uid == 0 { permitted = old.bounding.union(old.inheritable) }
            if euid == 0 { raiseEffective = true }
        }
        let isSetID = euid != old.uid || egid != old.gid
        let gained = !permitted.isSubset(of: old.permitted)
        let unsafe = file.noNewPrivileges || file.sharesFilesystemContext || file.tracedByUnprivileged
        if (isSetID || gained) && unsafe {
            // They get no more than they had; even the ids stay unless CAP_SETUID allows them.
            if !old.has(.CAP_SETUID) || file.noNewPrivileges {
                euid = uid
                egid = gid
            }
            permitted = permitted.intersection(old.permitted)
        }
        suid = euid; fsuid = euid
        sgid = egid; fsgid = egid
        if isSetID || file.capabilities != nil { ambient = .empty }
        permitted = permitted.union(ambient)
        effective = raiseEffective ? permitted : ambient
        securebits &= ~Securebits.keepCaps
        let secure = isSetID || (uid != 0 && (raiseEffective || !permitted.isSubset(of: ambient)))
        let changedIDs = euid != old.euid || egid != old.egid || fsuid != old.fsuid || fsgid != old.fsgid
        let dumpable = !file.unreadable && !changedIDs && permitted.isSubset(of: old.permitted)
            && euid == uid && egid == gid
        return ExecPrivilegeChange(secure: secure, dumpable: dumpable)
    }
}

extension Credentials {
    /// The permitted set a file with `capabilities` gives these (the caller's) credentials.
    func permittedFrom(_ capabilities: FileCapabilities?) -> CapabilitySet {
        guard let c = capabilities else { return .empty }
        return bounding.intersection(c.permitted).union(inheritable.intersection(c.inheritable))
    }

    /// bprm_caps_from_vfs_caps: a program whose file capabilities have the effective bit
    /// ("capability-dumb") is refused (EPERM) when it would not get all of its permitted set.
    public func refusesExec(_ file: ExecutedFile) -> Bool {
        guard let c = file.capabilities, c.effective else { return false }
        return !c.permitted.isSubset(of: permittedFrom(c))
    }
}

extension ExecutedFile {
    /// Takes the program's security.capability (`stored`, nil when absent or on a nosuid mount):
    /// EINVAL when malformed, EPERM when its effective bit asks for capabilities `caller` cannot get.
    public mutating func takeCapabilities(_ stored: [UInt8]?, caller: Credentials) throws(Errno) {
        capabilities = try FileCapabilities.forExec(stored)
        if caller.refusesExec(self) { throw .EPERM }
    }
}
