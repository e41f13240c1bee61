import Testing
@testable import LichenCore

/// SCM_RIGHTS in-flight accounting and the garbage collector's cycle detection (af_unix/garbage.c).
@Suite struct UnixInflightTests {
    final class Sock {}
    typealias C = UnixInflight<Sock>.Candidate

    @Test func countsPerSocketAndUser() {
        var t = UnixInflight<Sock>()
        let a = Sock(), b = Sock()
        t.add([a, a, b], files: 4, user: 1000)       // a passed twice, b once, and a non-socket file
        #expect(t.count(of: a) == 2 && t.count(of: b) == 1 && t.count(user: 1000) == 4)
        t.remove([a], files: 1, user: 1000)
        #expect(t.count(of: a) == 1 && t.count(user: 1000) == 3)
        t.remove([a, b], files: 3, user: 1000)
        #expect(t.isEmpty && t.count(user: 1000) == 0 && t.users.isEmpty)
    }

    @Test func tooManyIsStrictlyAboveTheLimitAndWaivedForPrivilege() {
        var t = UnixInflight<Sock>()
        t.add([], files: 10, user: 7)
        #expect(!t.tooMany(user: 7, limit: 10, privileged: false))
        t.add([], files: 1, user: 7)
        #expect(t.tooMany(user: 7, limit: 10, privileged: false))
        #expect(!t.tooMany(user: 7, limit: 10, privileged: true))
        #expect(!t.tooMany(user: 8, limit: 0, privileged: false))
    }

    @Test func closedTwoCycleIsGarbage() {
        // A queued on B, B queued on A, no descriptor: both garbage.
        #expect(UnixInflight<Sock>.garbage([C(inflight: 1, held: false, queued: [1]), C(inflight: 1, held: false, queued: [0])]) == [0, 1])
    }

    @Test func heldSocketKeepsWhatItQueuesAlive() {
        // B still has a descriptor: A (queued on B) can be received, and what A queues too.
        let g = UnixInflight<Sock>.garbage([C(inflight: 1, held: false, queued: [1]), C(inflight: 1, held: true, queued: [0]),
                                            C(inflight: 1, held: false, queued: [])])
        #expect(g.isEmpty)     // the third is queued on a socket that is not in flight: alive
    }

    @Test func referenceOutsideTheCandidatesKeepsAlive() {
        // Inflight 2 but only one candidate queue holds it: the other reference is in a live queue.
        #expect(UnixInflight<Sock>.garbage([C(inflight: 2, held: false, queued: [1]), C(inflight: 1, held: false, queued: [0])]).isEmpty)
    }

    @Test func selfLoopAndChainIntoCycle() {
        // A queued on itself (closed): garbage. D queued on the cycle B<->C: garbage with it.
        let g = UnixInflight<Sock>.garbage([C(inflight: 1, held: false, queued: [0]),
                                            C(inflight: 1, held: false, queued: [2, 3]), C(inflight: 1, held: false, queued: [1]),
                                            C(inflight: 1, held: false, queued: [])])
        #expect(g == [0, 1, 2, 3])
    }

    @Test func listenerQueuedOnItsEmbryo() {
        // The kernel counts the queues of a listener's unaccepted connections (embryos) as the
        // listener's own (Linux's scan_children): listener L queued on its embryo, with X queued
        // there too, L closed: both garbage. With L still held by a descriptor: neither.
        #expect(UnixInflight<Sock>.garbage([C(inflight: 1, held: false, queued: [0, 1]), C(inflight: 1, held: false, queued: [])]) == [0, 1])
        #expect(UnixInflight<Sock>.garbage([C(inflight: 1, held: true, queued: [0, 1]), C(inflight: 1, held: false, queued: [])]).isEmpty)
    }
}
