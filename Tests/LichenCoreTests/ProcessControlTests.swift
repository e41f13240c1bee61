import Testing
@testable import LichenCore

@Suite struct ProcessControlTests {
    @Test func noNewPrivsIsStickyAndChecksArguments() throws {
        var c = ProcessControl()
        #expect(try c.apply(ProcessControl.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 0)
        #expect(throws: Errno.EINVAL) { try c.apply(ProcessControl.PR_SET_NO_NEW_PRIVS, 0, 0, 0, 0) }
        #expect(throws: Errno.EINVAL) { try c.apply(ProcessControl.PR_GET_NO_NEW_PRIVS, 1, 0, 0, 0) }
        #expect(try c.apply(ProcessControl.PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) == 0)
        #expect(try c.apply(ProcessControl.PR_GET_NO_NEW_PRIVS, 0, 0, 0, 0) == 1)
        #expect(c.forked.noNewPrivileges)
    }

    @Test func dumpableKeepcapsAndDeathSignal() throws {
        var c = ProcessControl()
        #expect(try c.apply(ProcessControl.PR_GET_DUMPABLE, 0, 0, 0, 0) == 1)
        #expect(throws: Errno.EINVAL) { try c.apply(ProcessControl.PR_SET_DUMPABLE, 2, 0, 0, 0) }
        _ = try c.apply(ProcessControl.PR_SET_DUMPABLE, 0, 0, 0, 0)
        #expect(c.dumpable == 0)
        #expect(throws: Errno.EINVAL) { try c.apply(ProcessControl.PR_SET_PDEATHSIG, 65, 0, 0, 0) }
        _ = try c.apply(ProcessControl.PR_SET_PDEATHSIG, 9, 0, 0, 0)
        #expect(c.parentDeathSignal == 9 && c.forked.parentDeathSignal == 0)
    }

    @Test func unknownOptions() throws {
        var c = ProcessControl()
        #expect(try c.apply(Credentials.PR_CAPBSET_READ, 40, 0, 0, 0) == nil)      // CapabilitiesControl's
        #expect(try c.apply(ProcessControl.PR_SET_NAME, 0, 0, 0, 0) == nil)
        #expect(try c.apply(1000, 0, 0, 0, 0) == nil)
    }

    @Test func personality() {
        var c = ProcessControl()
        #expect(c.setPersonality(0xffff_ffff) == 0 && !c.isLinux32)
        #expect(c.setPersonality(ProcessControl.PER_LINUX32) == 0)
        #expect(c.isLinux32 && c.forked.personality == ProcessControl.PER_LINUX32)
        #expect(c.setPersonality(0) == ProcessControl.PER_LINUX32 && !c.isLinux32)
    }
}
