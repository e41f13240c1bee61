import Testing
@testable import LichenCore

/// F_SETLEASE / F_GETLEASE and lease breaking, as Linux's generic_add_lease and __break_lease.
@Suite struct LeaseTableTests {
    let f = LeaseTable.FileKey(device: 1, inode: 10)
    let none = LeaseTable.OtherOpens(readers: 0, writers: 0)

    final class Table {
        var t = LeaseTable()
        func set(_ file: LeaseTable.FileKey, _ holder: UInt, _ kind: LeaseTable.Kind?, writes: Bool = false,
                 others: LeaseTable.OtherOpens = LeaseTable.OtherOpens(readers: 0, writers: 0)) -> Errno? {
            do throws(Errno) { try t.set(on: file, holder: holder, kind: kind, holderWrites: writes, others: others); return nil } catch { return error }
        }
        func breakLeases(_ file: LeaseTable.FileKey, opener: UInt, forWrite: Bool, deadline: UInt64 = 100) -> ([UInt], Bool) {
            let r = t.breakLeases(on: file, opener: opener, forWrite: forWrite, deadline: deadline)
            return (r.signal, r.mustWait)
        }
        func expire(_ now: UInt64) -> Bool { t.expire(now: now) }
    }

    @Test func takingLeasesNeedsTheFileUnshared() {
        let t = Table()
        #expect(t.set(f, 1, .read, writes: true) == .EAGAIN)                       // read lease, own fd writes
        #expect(t.set(f, 1, .read, others: .init(readers: 0, writers: 1)) == .EAGAIN)
        #expect(t.set(f, 1, .read, others: .init(readers: 3, writers: 0)) == nil)  // readers are fine
        #expect(t.t.lease(on: f, holder: 1) == .read)
        #expect(t.set(f, 2, .read) == nil)                                         // read leases share
        #expect(t.set(f, 3, .write) == .EAGAIN)                                    // others hold leases
        #expect(t.set(f, 1, .write, others: .init(readers: 1, writers: 0)) == .EAGAIN)
        #expect(t.set(f, 1, nil) == nil && t.set(f, 1, nil) == .EAGAIN)            // F_UNLCK without a lease
        #expect(t.set(f, 2, .write, writes: true) == nil && t.t.lease(on: f, holder: 2) == .write)
    }

    @Test func aWriterBreaksEveryLeaseUntilGivenUp() {
        let t = Table()
        _ = t.set(f, 1, .read)
        let (signal, wait) = t.breakLeases(f, opener: 9, forWrite: true)
        #expect(signal == [1] && wait)
        #expect(t.t.lease(on: f, holder: 1) == nil)                                // F_GETLEASE: F_UNLCK pending
        let again = t.breakLeases(f, opener: 8, forWrite: true)
        #expect(again.0 == [] && again.1)                                          // signalled once
        #expect(t.set(f, 2, .read) == .EAGAIN)                                     // no new lease meanwhile
        _ = t.set(f, 1, nil)
        #expect(!t.t.blocks(on: f, opener: 9, forWrite: true))
    }

    @Test func aReaderDowngradesAWriteLease() {
        let t = Table()
        _ = t.set(f, 1, .write)
        #expect(!t.t.blocks(on: f, opener: 1, forWrite: true))                     // the holder itself
        let (signal, wait) = t.breakLeases(f, opener: 9, forWrite: false)
        #expect(signal == [1] && wait && t.t.lease(on: f, holder: 1) == .read)
        _ = t.set(f, 1, .read)
        #expect(!t.t.blocks(on: f, opener: 9, forWrite: false) && t.t.blocks(on: f, opener: 9, forWrite: true))
        #expect(t.t.lease(on: f, holder: 1) == .read)
        let reader = t.breakLeases(f, opener: 9, forWrite: false)
        #expect(reader.0 == [] && !reader.1)                                       // read leases let readers in
    }

    @Test func brokenLeasesGoWhenTheBreakTimeIsOver() {
        let t = Table()
        _ = t.set(f, 1, .write)
        _ = t.breakLeases(f, opener: 9, forWrite: false, deadline: 50)
        #expect(t.t.earliestDeadline(on: f) == 50)
        #expect(!t.expire(49))
        #expect(t.expire(50) && t.t.lease(on: f, holder: 1) == .read)              // downgraded by force
        _ = t.breakLeases(f, opener: 9, forWrite: true, deadline: 80)
        #expect(t.expire(100) && t.t.count == 0)
    }

    @Test func lastCloseReleases() {
        var t = LeaseTable()
        try? t.set(on: f, holder: 1, kind: .read, holderWrites: false, others: none)
        let released = [t.release(holder: 1), t.release(holder: 1)]
        #expect(released == [true, false])
    }
}
