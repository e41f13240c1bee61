import Testing
@testable import LichenCore

@Suite struct CredentialChangeTests {
    let minus1 = Credentials.unchanged

    @Test func rootSetuidDropsEveryID() throws {
        var c = Credentials.root
        try c.setUID(1000)
        #expect(c.uid == 1000 && c.euid == 1000 && c.suid == 1000 && c.fsuid == 1000)
        #expect(throws: Errno.EPERM) { try c.setUID(0) }
        #expect(throws: Errno.EINVAL) { try c.setUID(minus1) }
    }

    @Test func unprivilegedSetuidMovesOnlyTheEffectiveID() throws {
        var c = Credentials(uid: 1000, gid: 1000)
        c.suid = 2000
        try c.setUID(2000)
        #expect(c.uid == 1000 && c.euid == 2000 && c.suid == 2000 && c.fsuid == 2000)
        try c.setUID(1000)
        #expect(c.euid == 1000)
        #expect(throws: Errno.EPERM) { try c.setUID(3000) }
        #expect(throws: Errno.EPERM) { try c.setGID(3000) }
    }

    @Test func setreuidSwapsAndUpdatesTheSavedID() throws {
        var c = Credentials(uid: 1000, gid: 1000)
        c.euid = 2000; c.fsuid = 2000
        try c.setREUID(real: 2000, effective: 1000)           // swap: allowed, saved = new effective
        #expect(c.uid == 2000 && c.euid == 1000 && c.suid == 1000)
        #expect(throws: Errno.EPERM) { try c.setREUID(real: 3000, effective: minus1) }
        var d = Credentials(uid: 1000, gid: 1000)
        d.suid = 5000
        try d.setREUID(real: minus1, effective: 5000)          // effective moves away from real: saved follows
        #expect(d.euid == 5000 && d.suid == 5000 && d.uid == 1000)
    }

    @Test func setresuidAllowsAnyOfTheCurrentThree() throws {
        var c = Credentials(uid: 1, gid: 1)
        c.euid = 2; c.suid = 3
        try c.setRESUID(real: 3, effective: 1, saved: minus1)
        #expect(c.uid == 3 && c.euid == 1 && c.suid == 3 && c.fsuid == 1)
        #expect(throws: Errno.EPERM) { try c.setRESUID(real: minus1, effective: 9, saved: minus1) }
        #expect(c.euid == 1)                                  // unchanged after a refusal
        var r = Credentials.root
        try r.setRESGID(real: 5, effective: 6, saved: 7)
        #expect(r.gid == 5 && r.egid == 6 && r.sgid == 7 && r.fsgid == 6)
    }

    @Test func setfsuidReturnsTheOldValueAndRefusesSilently() {
        var c = Credentials(uid: 1000, gid: 1000)
        #expect(c.setFSUID(0) == 1000)
        #expect(c.fsuid == 1000)
        var r = Credentials.root
        #expect(r.setFSUID(42) == 0)
        #expect(r.fsuid == 42 && !r.has(.CAP_DAC_OVERRIDE) && r.has(.CAP_KILL) && r.euid == 0)
        #expect(r.setFSGID(minus1) == 0)
    }

    @Test func setgroupsNeedsPrivilege() throws {
        var r = Credentials.root
        try r.setGroups([1, 2, 3])
        #expect(r.groups == [1, 2, 3] && r.isInGroup(2))
        #expect(throws: Errno.EINVAL) { try r.setGroups([UInt32](repeating: 1, count: 65537)) }
        var c = Credentials(uid: 1000, gid: 1000)
        #expect(throws: Errno.EPERM) { try c.setGroups([]) }
    }

    @Test func execOfSetIDFiles() {
        var c = Credentials(uid: 1000, gid: 1000)
        _ = c.exec(ExecutedFile(mode: 0o104755, owner: 0, group: 0))
        #expect(c.uid == 1000 && c.euid == 0 && c.suid == 0 && c.fsuid == 0 && c.egid == 1000)
        var d = Credentials(uid: 1000, gid: 1000)
        _ = d.exec(ExecutedFile(mode: 0o102755, owner: 0, group: 50))
        #expect(d.egid == 50 && d.sgid == 50 && d.euid == 1000)
        var e = Credentials(uid: 1000, gid: 1000)
        e.euid = 7
        _ = e.exec(ExecutedFile(mode: 0o100755, owner: 0, group: 0))     // plain file: saved follows effective
        #expect(e.suid == 7 && e.euid == 7)
    }

    @Test func killPermission() {
        let root = Credentials.root, alice = Credentials(uid: 1000, gid: 1000), bob = Credentials(uid: 1001, gid: 1001)
        #expect(root.maySignal(alice))
        #expect(alice.maySignal(alice))
        #expect(!alice.maySignal(bob))
        #expect(!alice.maySignal(root))
        var setuidBob = bob
        setuidBob.suid = 1000
        #expect(alice.maySignal(setuidBob))
    }
}
