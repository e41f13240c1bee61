import Testing
@testable import LichenCore

/// The capability model, from capabilities(7) and execve(2).
@Suite struct CapabilityTests {
    let user = Credentials(uid: 1000, gid: 1000)

    @Test func rootHoldsEverythingAUserNothing() {
        let root = Credentials.root
        #expect(root.effective == .full && root.permitted == .full && root.bounding == .full)
        #expect(root.inheritable.isEmpty && root.ambient.isEmpty)
        #expect(root.has(.CAP_SYS_BOOT) && root.has(.CAP_CHECKPOINT_RESTORE))
        #expect(!user.has(.CAP_SYS_BOOT) && user.permitted.isEmpty && user.bounding == .full)
        #expect(CapabilitySet.full.bits == 0x1ff_ffff_ffff)
        #expect(Capability(number: 40) == .CAP_CHECKPOINT_RESTORE && Capability(number: 41) == nil)
        #expect(CapabilitySet(bits: ~0).bits == CapabilitySet.full.bits)
    }

    @Test func rootWithoutCapabilitiesIsAnOrdinaryUserForFiles() throws {
        var c = Credentials.root
        try c.setCapabilities(effective: .empty, permitted: .empty, inheritable: .empty)
        #expect(!c.permits(.read, mode: 0o600, uid: 5, gid: 5))
        #expect(c.permits(.read, mode: 0o600, uid: 0, gid: 0))
        #expect(!c.has(.CAP_SYS_ADMIN))
        #expect(throws: Errno.EPERM) { try c.setUID(1000) }   // no CAP_SETUID: 1000 is none of its ids
    }

    @Test func dacOverrideAndReadSearch() throws {
        var c = user
        c.effective = CapabilitySet([.CAP_DAC_READ_SEARCH])
        #expect(c.permits(.read, mode: FileMode.S_IFREG | 0o000, uid: 0, gid: 0))
        #expect(!c.permits(.write, mode: FileMode.S_IFREG | 0o000, uid: 0, gid: 0))
        #expect(c.permits([.read, .execute], mode: FileMode.S_IFDIR | 0o000, uid: 0, gid: 0))
        #expect(!c.permits(.write, mode: FileMode.S_IFDIR | 0o000, uid: 0, gid: 0))
        c.effective = CapabilitySet([.CAP_DAC_OVERRIDE])
        #expect(c.permits([.read, .write], mode: FileMode.S_IFREG | 0o000, uid: 0, gid: 0))
        #expect(!c.permits(.execute, mode: FileMode.S_IFREG | 0o600, uid: 0, gid: 0))
        #expect(c.permits(.execute, mode: FileMode.S_IFREG | 0o001, uid: 0, gid: 0))
    }

    @Test func capsetRules() throws {
        var c = Credentials.root
        let some = CapabilitySet([.CAP_CHOWN, .CAP_KILL])
        try c.setCapabilities(effective: some, permitted: some, inheritable: .empty)
        #expect(c.effective == some && c.permitted == some)
        // The permitted set cannot grow back; the effective set stays within it.
        #expect(throws: Errno.EPERM) { try c.setCapabilities(effective: some, permitted: .full, inheritable: .empty) }
        #expect(throws: Errno.EPERM) { try c.setCapabilities(effective: CapabilitySet([.CAP_SYS_BOOT]), permitted: some, inheritable: .empty) }
        // Without CAP_SETPCAP the inheritable set gains only permitted capabilities.
        #expect(throws: Errno.EPERM) { try c.setCapabilities(effective: some, permitted: some, inheritable: CapabilitySet([.CAP_SYS_BOOT])) }
        try c.setCapabilities(effective: .empty, permitted: some, inheritable: CapabilitySet([.CAP_KILL]))
        #expect(c.inheritable == CapabilitySet([.CAP_KILL]) && c.effective.isEmpty)
        // Nothing outside the bounding set even with CAP_SETPCAP.
        var r = Credentials.root
        r.bounding.remove(.CAP_SYS_BOOT)
        #expect(throws: Errno.EPERM) { try r.setCapabilities(effective: .full, permitted: .full, inheritable: CapabilitySet([.CAP_SYS_BOOT])) }
        try r.setCapabilities(effective: .full, permitted: .full, inheritable: CapabilitySet([.CAP_SYS_NICE]))
    }

    @Test func setuidFromRootClearsCapabilities() throws {
        var c = Credentials.root
        try c.setUID(1000)
        #expect(c.permitted.isEmpty && c.effective.isEmpty)
        // seteuid(1000) keeps the permitted set (the saved uid is 0) and clears the effective one;
        // seteuid(0) raises it again.
        var d = Credentials.root
        try d.setRESUID(real: Credentials.unchanged, effective: 1000, saved: Credentials.unchanged)
        #expect(d.permitted == .full && d.effective.isEmpty)
        try d.setRESUID(real: Credentials.unchanged, effective: 0, saved: Credentials.unchanged)
        #expect(d.effective == .full)
    }

    @Test func keepCapsKeepsPermittedButNotEffective() throws {
        var c = Credentials.root
        _ = try c.capabilityControl(Credentials.PR_SET_KEEPCAPS, 1, 0, 0, 0)
        #expect(try c.capabilityControl(Credentials.PR_GET_KEEPCAPS, 0, 0, 0, 0) == 1)
        try c.setRESUID(real: 1000, effective: 1000, saved: 1000)
        #expect(c.permitted == .full && c.effective.isEmpty)
        _ = c.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))
        #expect(c.permitted.isEmpty && !c.isSecure(Securebits.keepCaps))      // exec clears keep-caps
    }

    @Test func setfsuidDropsAndRaisesTheFilesystemSet() {
        var c = Credentials.root
        _ = c.setFSUID(1000)
        #expect(!c.has(.CAP_DAC_OVERRIDE) && !c.has(.CAP_CHOWN) && !c.has(.CAP_MKNOD) && c.has(.CAP_SYS_ADMIN))
        _ = c.setFSUID(0)
        #expect(c.has(.CAP_DAC_OVERRIDE) && c.effective == .full)
    }

    @Test func noSetuidFixupKeepsEverything() throws {
        var c = Credentials.root
        _ = try c.capabilityControl(Credentials.PR_SET_SECUREBITS, UInt64(Securebits.noSetuidFixup), 0, 0, 0)
        try c.setUID(1000)
        #expect(c.effective == .full)
    }

    @Test func boundingSet() throws {
        var c = Credentials.root
        #expect(try c.capabilityControl(Credentials.PR_CAPBSET_READ, 22, 0, 0, 0) == 1)
        #expect(throws: Errno.EINVAL) { try c.capabilityControl(Credentials.PR_CAPBSET_READ, 41, 0, 0, 0) }
        #expect(throws: Errno.EINVAL) { try c.capabilityControl(Credentials.PR_CAPBSET_DROP, 41, 0, 0, 0) }
        _ = try c.capabilityControl(Credentials.PR_CAPBSET_DROP, 22, 0, 0, 0)
        #expect(try c.capabilityControl(Credentials.PR_CAPBSET_READ, 22, 0, 0, 0) == 0)
        _ = c.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))
        #expect(!c.has(.CAP_SYS_BOOT) && c.has(.CAP_SYS_ADMIN))              // root's exec: bounding ∪ inheritable
        var u = user
        #expect(throws: Errno.EPERM) { try u.capabilityControl(Credentials.PR_CAPBSET_DROP, 22, 0, 0, 0) }
        #expect(throws: Errno.EPERM) { try u.capabilityControl(Credentials.PR_CAPBSET_DROP, 99, 0, 0, 0) }  // EPERM first
    }

    @Test func ambientSet() throws {
        var c = Credentials.root
        #expect(throws: Errno.EPERM) { try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 2, 5, 0, 0) }  // not inheritable
        try c.setCapabilities(effective: .full, permitted: .full, inheritable: CapabilitySet([.CAP_KILL]))
        _ = try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 2, 5, 0, 0)
        #expect(try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 1, 5, 0, 0) == 1)
        #expect(throws: Errno.EINVAL) { try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 1, 41, 0, 0) }
        #expect(throws: Errno.EINVAL) { try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 9, 5, 0, 0) }
        #expect(throws: Errno.EINVAL) { try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 4, 1, 0, 0) }
        // Ambient capabilities survive an unprivileged exec (keep-caps, then a uid change).
        _ = try c.capabilityControl(Credentials.PR_SET_KEEPCAPS, 1, 0, 0, 0)
        try c.setRESUID(real: 1000, effective: 1000, saved: 1000)
        #expect(c.ambient.isEmpty)                                             // cleared by losing root
        try c.setCapabilities(effective: .empty, permitted: c.permitted, inheritable: CapabilitySet([.CAP_KILL]))
        _ = try c.capabilityControl(Credentials.PR_CAP_AMBIENT, 2, 5, 0, 0)
        let change = c.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))
        #expect(c.permitted == CapabilitySet([.CAP_KILL]) && c.effective == CapabilitySet([.CAP_KILL]))
        #expect(!change.secure)                                                // nothing beyond ambient
        // A set-id program clears the ambient set.
        _ = c.exec(ExecutedFile(mode: 0o104755, owner: 2000, group: 0))
        #expect(c.ambient.isEmpty && c.permitted.isEmpty && c.euid == 2000)
    }

    @Test func securebitsLocks() throws {
        var c = Credentials.root
        let keepLocked = UInt64(Securebits.keepCaps << 1)
        _ = try c.capabilityControl(Credentials.PR_SET_SECUREBITS, keepLocked, 0, 0, 0)
        #expect(throws: Errno.EPERM) { try c.capabilityControl(Credentials.PR_SET_KEEPCAPS, 1, 0, 0, 0) }
        #expect(throws: Errno.EPERM) { try c.capabilityControl(Credentials.PR_SET_SECUREBITS, keepLocked | UInt64(Securebits.keepCaps), 0, 0, 0) }
        #expect(throws: Errno.EPERM) { try c.capabilityControl(Credentials.PR_SET_SECUREBITS, 0, 0, 0, 0) }     // a lock stays
        #expect(throws: Errno.EPERM) { try c.capabilityControl(Credentials.PR_SET_SECUREBITS, 0x100, 0, 0, 0) }
        var u = user
        #expect(throws: Errno.EPERM) { try u.capabilityControl(Credentials.PR_SET_SECUREBITS, 1, 0, 0, 0) }
        #expect(try u.capabilityControl(Credentials.PR_GET_SECUREBITS, 0, 0, 0, 0) == 0)
        #expect(throws: Errno.EINVAL) { try u.capabilityControl(Credentials.PR_SET_KEEPCAPS, 2, 0, 0, 0) }
    }

    @Test func execOfSetuidRootGainsTheFullSet() {
        var c = user
        let change = c.exec(ExecutedFile(mode: 0o104755, owner: 0, group: 0))
        #expect(c.euid == 0 && c.suid == 0 && c.uid == 1000 && c.effective == .full && c.permitted == .full)
        #expect(change.secure && !change.dumpable)
        var plain = user
        let none = plain.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))
        #expect(!none.secure && none.dumpable && plain.effective.isEmpty)
        var rootExec = Credentials.root
        let r = rootExec.exec(ExecutedFile(mode: 0o100755, owner: 1000, group: 0))
        #expect(!r.secure && r.dumpable && rootExec.effective == .full)
        var setuidUser = Credentials.root
        let s = setuidUser.exec(ExecutedFile(mode: 0o104755, owner: 1000, group: 0))
        // The real uid is root: still the full permitted set, but nothing effective.
        #expect(s.secure && setuidUser.euid == 1000 && setuidUser.permitted == .full && setuidUser.effective.isEmpty)
    }

    @Test func execRefusesSetIDWhenUnsafe() {
        for unsafe in 0..<4 {
            var file = ExecutedFile(mode: 0o106755, owner: 0, group: 0)
            switch unsafe {
            case 0: file.onNoSuidMount = true
            case 1: file.noNewPrivileges = true
            case 2: file.sharesFilesystemContext = true
            default: file.tracedByUnprivileged = true
            }
            var c = Credentials(uid: 1000, gid: 1000)
            let change = c.exec(file)
            #expect(c.euid == 1000 && c.egid == 1000 && c.suid == 1000 && c.effective.isEmpty && c.permitted.isEmpty)
            // Linux decides AT_SECURE before the downgrade: a shared or traced exec is still secure.
            #expect(change.secure == (unsafe >= 2) && change.dumpable)
        }
        // With CAP_SETUID (and no no_new_privs), a shared fs context keeps the ids but no new capability.
        var c = Credentials.root
        c.permitted = CapabilitySet([.CAP_SETUID]); c.effective = c.permitted
        try? c.setRESUID(real: 1000, effective: 1000, saved: 1000)
        c.permitted = CapabilitySet([.CAP_SETUID]); c.effective = c.permitted    // as after keep-caps
        var shared = ExecutedFile(mode: 0o104755, owner: 0, group: 0)
        shared.sharesFilesystemContext = true
        _ = c.exec(shared)
        #expect(c.euid == 0 && c.permitted == CapabilitySet([.CAP_SETUID]))
        // no_new_privs: even root's own exec gains nothing it did not have.
        var r = Credentials.root
        try? r.setCapabilities(effective: .empty, permitted: CapabilitySet([.CAP_KILL]), inheritable: .empty)
        var nnp = ExecutedFile(mode: 0o100755, owner: 0, group: 0)
        nnp.noNewPrivileges = true
        _ = r.exec(nnp)
        #expect(r.permitted == CapabilitySet([.CAP_KILL]) && r.effective == CapabilitySet([.CAP_KILL]))
    }

    @Test func setgidWithoutGroupExecuteIsNotSetgid() {
        var c = user
        _ = c.exec(ExecutedFile(mode: 0o102745, owner: 0, group: 50))
        #expect(c.egid == 1000)
        var unreadable = ExecutedFile(mode: 0o100711, owner: 0, group: 0)
        unreadable.unreadable = true
        #expect(!c.exec(unreadable).dumpable)
    }

    @Test func noRootSecurebit() throws {
        var c = Credentials.root
        _ = try c.capabilityControl(Credentials.PR_SET_SECUREBITS, UInt64(Securebits.noRoot), 0, 0, 0)
        _ = c.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))
        #expect(c.permitted.isEmpty && c.effective.isEmpty && c.euid == 0)
    }

    @Test func accessUsesRealIDsAndTheirCapabilities() throws {
        var c = user
        _ = c.exec(ExecutedFile(mode: 0o104755, owner: 0, group: 0))       // setuid root
        #expect(c.permits(.read, mode: 0o600, uid: 5, gid: 5))
        #expect(!c.forRealIDs.permits(.read, mode: 0o600, uid: 5, gid: 5))
    }

    @Test func killAndInspectionRules() throws {
        var root = Credentials.root
        try root.setCapabilities(effective: .empty, permitted: .full, inheritable: .empty)
        #expect(!root.maySignal(user))                                    // no CAP_KILL, no matching uid
        let other = Credentials(uid: 2000, gid: 2000)
        #expect(!user.maySignal(other))
        #expect(user.mayInspect(user, targetDumpable: true))
        #expect(!user.mayInspect(user, targetDumpable: false))
        #expect(!user.mayInspect(other, targetDumpable: true))
        #expect(!user.mayInspect(Credentials.root, targetDumpable: true))
        #expect(Credentials.root.mayInspect(other, targetDumpable: false))
        var setuid = user
        _ = setuid.exec(ExecutedFile(mode: 0o104755, owner: 0, group: 0))
        #expect(!user.mayInspect(setuid, targetDumpable: true))             // saved uid 0
    }
}

@Suite struct SetIDRemovalTests {
    @Test func writeByOthersClearsSetIDBits() {
        let user = Credentials(uid: 1000, gid: 1000)
        let file = FileMode.S_IFREG
        #expect(user.setIDBitsRemovedByWrite(mode: file | 0o4777, group: 0) == FileMode.S_ISUID)
        #expect(user.setIDBitsRemovedByWrite(mode: file | 0o6777, group: 0) == FileMode.S_ISUID | FileMode.S_ISGID)
        // Set-group-ID without group execute: kept for a writer in the group, cleared for others.
        #expect(user.setIDBitsRemovedByWrite(mode: file | 0o2767, group: 1000) == 0)
        #expect(user.setIDBitsRemovedByWrite(mode: file | 0o2767, group: 0) == FileMode.S_ISGID)
        #expect(Credentials.root.setIDBitsRemovedByWrite(mode: file | 0o6777, group: 0) == 0)       // CAP_FSETID
        #expect(user.setIDBitsRemovedByWrite(mode: FileMode.S_IFDIR | 0o2777, group: 0) == 0)      // files only
    }
}
