import Testing
@testable import LichenCore

@Suite struct CredentialCommitTests {
    @Test func realUIDChangeMovesOneTaskOnly() throws {
        var counts = TaskCountsByUser()
        for _ in 0..<3 { let charged = counts.charge(0); #expect(charged) }   // a process of three root threads
        var c = Credentials.root
        let before = c
        try c.setRESUID(real: 1000, effective: Credentials.unchanged, saved: Credentials.unchanged)
        let commit = CredentialCommit(from: before, to: c)
        #expect(commit.movedTask?.from == 0 && commit.movedTask?.to == 1000)
        commit.apply(to: &counts)
        #expect(counts.count(of: 0) == 2 && counts.count(of: 1000) == 1)
    }

    @Test func sameRealUIDMovesNothing() throws {
        var c = Credentials.root
        let before = c
        try c.setRESUID(real: Credentials.unchanged, effective: 1000, saved: Credentials.unchanged)
        let commit = CredentialCommit(from: before, to: c)
        #expect(commit.movedTask == nil)
        #expect(commit.losesDumpable)                                // the effective uid changed
        var counts = TaskCountsByUser()
        _ = counts.charge(0)
        commit.apply(to: &counts)
        #expect(counts.count(of: 0) == 1)
    }

    @Test func droppingCapabilitiesKeepsDumpable() throws {
        var c = Credentials.root
        let before = c
        try c.setCapabilities(effective: .empty, permitted: .empty, inheritable: .empty)
        #expect(!CredentialCommit(from: before, to: c).losesDumpable)
        let after = c
        c.permitted = .full                                          // a gain (an execve would do it)
        #expect(CredentialCommit(from: after, to: c).losesDumpable)
    }

    @Test func setfsuidLosesDumpable() {
        var c = Credentials.root
        let before = c
        _ = c.setFSUID(1000)
        #expect(CredentialCommit(from: before, to: c).losesDumpable)
        #expect(CredentialCommit(from: c, to: c).movedTask == nil)
    }
}
