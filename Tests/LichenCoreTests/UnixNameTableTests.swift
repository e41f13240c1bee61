import Testing
@testable import LichenCore

/// Issue 13: AF_UNIX name lookups (bind, connect, release) look at a few entries however many
/// sockets are bound.
@Suite struct UnixNameTableTests {
    final class FakeSocket {}

    @Test func abstractNamesAreUniquePerTypeAndLeaveOnRelease() {
        var t = UnixNameTable<FakeSocket>()
        let a = FakeSocket(), b = FakeSocket(), c = FakeSocket()
        let binds = [t.bind(abstract: [1, 2], type: 1, a), t.bind(abstract: [1, 2], type: 1, b),
                     t.bind(abstract: [1, 2], type: 2, b)]                 // another type: its own name
        #expect(binds == [true, false, true])
        #expect(t.find(abstract: [1, 2], type: 1) === a && t.find(abstract: [1, 2], type: 2) === b)
        #expect(t.find(abstract: [1], type: 1) == nil)
        t.remove(a)
        #expect(t.find(abstract: [1, 2], type: 1) == nil)
        let again = t.bind(abstract: [1, 2], type: 1, c)
        #expect(again)
        t.remove(a)                                                        // twice: nothing
        #expect(t.count == 2)
    }

    @Test func lookupsDoNotFollowTheNumberOfNames() {
        var t = UnixNameTable<FakeSocket>()
        var sockets: [FakeSocket] = []
        var allBound = true
        for i in 0..<20_000 {
            let s = FakeSocket()
            sockets.append(s)
            allBound = t.bind(abstract: Array("name-\(i)".utf8), type: 1, s) && allBound
        }
        #expect(allBound)
        let before = t.probes
        let found = t.find(abstract: Array("name-12345".utf8), type: 1)
        let absent = t.find(abstract: Array("absent".utf8), type: 1)
        let rebind = t.bind(abstract: Array("name-7".utf8), type: 1, FakeSocket())
        t.remove(sockets[19_999])
        let gone = t.find(abstract: Array("name-19999".utf8), type: 1)
        let steps = t.probes - before
        #expect(found === sockets[12_345] && absent == nil && !rebind && gone == nil)
        #expect(steps < 60)
    }
}
