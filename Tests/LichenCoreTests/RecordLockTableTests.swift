import Testing
@testable import LichenCore

/// The table behind a reference, so that #expect can call its mutating members.
final class Table {
    var table = RecordLockTable()
    func set(on file: RecordLockTable.FileKey, owner: RecordLockTable.Owner, kind: RecordLockTable.Kind?, range: LockRange,
             waiter: UInt64? = nil) -> RecordLockTable.Outcome {
        table.set(on: file, owner: owner, kind: kind, range: range, waiter: waiter)
    }
    func release(on file: RecordLockTable.FileKey, owner: RecordLockTable.Owner) -> Bool { table.release(on: file, owner: owner) }
    func release(_ owner: RecordLockTable.Owner) -> Bool { table.release(owner) }
    func stopWaiting(_ waiter: UInt64) { table.stopWaiting(waiter) }
    func conflict(on file: RecordLockTable.FileKey, owner: RecordLockTable.Owner, kind: RecordLockTable.Kind?, range: LockRange) -> RecordLockTable.Lock? {
        table.conflict(on: file, owner: owner, kind: kind, range: range)
    }
    func holdsLocks(_ owner: RecordLockTable.Owner) -> Bool { table.holdsLocks(owner) }
    var count: Int { table.count }
}

@Suite struct RecordLockTableTests {
    typealias T = RecordLockTable
    let f = T.FileKey(device: 1, inode: 10), g = T.FileKey(device: 1, inode: 11)
    let p1 = T.Owner.process(100), p2 = T.Owner.process(200), p3 = T.Owner.process(300)
    let ofd = T.Owner.description(0xdead0)

    func r(_ first: Int64, _ last: Int64) -> LockRange { LockRange(first: first, last: last) }
    /// The owner's locks on `f` as (kind, first, last).
    func held(_ t: Table, _ owner: T.Owner, file: T.FileKey? = nil) -> [String] {
        t.table.locks(on: file ?? f).filter { $0.owner == owner }.map {
            ($0.kind == .read ? "R" : "W") + "\($0.range.first)-" + ($0.range.last == LockRange.toEnd ? "EOF" : "\($0.range.last)")
        }
    }

    @Test func readLocksShareWriteLocksExclude() {
        let t = Table()
        #expect(t.set(on: f, owner: p1, kind: .read, range: r(0, 9)) == .granted)
        #expect(t.set(on: f, owner: p2, kind: .read, range: r(5, 14)) == .granted)
        let blocked = t.set(on: f, owner: p3, kind: .write, range: r(12, 12))
        #expect(blocked == .blocked(by: T.Lock(file: f, owner: p2, kind: .read, range: r(5, 14))))
        #expect(t.set(on: f, owner: p3, kind: .write, range: r(15, 20)) == .granted)     // no overlap
        #expect(t.set(on: g, owner: p3, kind: .write, range: r(0, 9)) == .granted)       // another file
        #expect(t.set(on: f, owner: p1, kind: .read, range: r(16, 16)) == .blocked(by: T.Lock(file: f, owner: p3, kind: .write, range: r(15, 20))))
    }

    @Test func anOwnerNeverConflictsWithItselfButPosixAndOFDOfOneProcessDo() {
        let t = Table()
        #expect(t.set(on: f, owner: p1, kind: .write, range: r(0, 9)) == .granted)
        #expect(t.set(on: f, owner: p1, kind: .write, range: r(5, 20)) == .granted)
        #expect(held(t, p1) == ["W0-20"])
        if case .blocked = t.set(on: f, owner: ofd, kind: .read, range: r(0, 0)) {} else { Issue.record("OFD lock granted over a POSIX write lock") }
    }

    @Test func sameKindMergesAdjacentAndOverlapping() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .read, range: r(0, 4))
        _ = t.set(on: f, owner: p1, kind: .read, range: r(10, 14))
        #expect(held(t, p1) == ["R0-4", "R10-14"])
        _ = t.set(on: f, owner: p1, kind: .read, range: r(5, 9))                           // fills the gap exactly
        #expect(held(t, p1) == ["R0-14"])
        _ = t.set(on: f, owner: p1, kind: .read, range: r(12, LockRange.toEnd))
        #expect(held(t, p1) == ["R0-EOF"])
    }

    @Test func anotherKindSplitsAndReplaces() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .read, range: r(0, 99))
        _ = t.set(on: f, owner: p1, kind: .write, range: r(40, 59))
        #expect(held(t, p1) == ["R0-39", "W40-59", "R60-99"])
        _ = t.set(on: f, owner: p1, kind: .read, range: r(40, 59))                         // back to one read lock
        #expect(held(t, p1) == ["R0-99"])
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, LockRange.toEnd))            // covers everything
        #expect(held(t, p1) == ["W0-EOF"])
    }

    @Test func unlockInTheMiddleLeavesTwoPieces() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, LockRange.toEnd))
        #expect(t.set(on: f, owner: p1, kind: nil, range: r(10, 19)) == .granted)
        #expect(held(t, p1) == ["W0-9", "W20-EOF"])
        #expect(t.set(on: f, owner: p2, kind: .write, range: r(10, 19)) == .granted)        // the hole is free
        #expect(t.set(on: f, owner: p2, kind: .write, range: r(19, 20)) != .granted)
        _ = t.set(on: f, owner: p1, kind: nil, range: r(5, LockRange.toEnd))
        #expect(held(t, p1) == ["W0-4"])
        #expect(t.set(on: f, owner: p3, kind: nil, range: r(0, 9)) == .granted)              // unlocking nothing is fine
        #expect(held(t, p2) == ["W10-19"])
    }

    @Test func getlkReportsTheFirstConflictInLinuxOrder() {
        let t = Table()
        _ = t.set(on: f, owner: p2, kind: .read, range: r(50, 59))
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, 9))
        _ = t.set(on: f, owner: p2, kind: .read, range: r(20, 29))
        // p2's group came first: its locks are found before p1's, sorted by start.
        #expect(t.conflict(on: f, owner: p3, kind: .write, range: r(0, LockRange.toEnd))?.range == r(20, 29))
        #expect(t.conflict(on: f, owner: p3, kind: .read, range: r(0, LockRange.toEnd))?.owner == p1)
        #expect(t.conflict(on: f, owner: p3, kind: .read, range: r(30, 49)) == nil)
        #expect(t.conflict(on: f, owner: p1, kind: .write, range: r(0, 9)) == nil)           // one's own lock
        #expect(t.conflict(on: f, owner: p1, kind: nil, range: r(5, 5))?.range == r(0, 9))   // OFD_GETLK F_UNLCK: own locks
        #expect(T.Owner.description(1).reportedPID == -1 && p1.reportedPID == 100)
    }

    @Test func releaseOnCloseAndExit() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, 9))
        _ = t.set(on: g, owner: p1, kind: .write, range: r(0, 9))
        _ = t.set(on: f, owner: ofd, kind: .write, range: r(10, 19))
        let closed = [t.release(on: f, owner: p1), t.release(on: f, owner: p1)]
        #expect(closed == [true, false])
        #expect(held(t, p1, file: g) == ["W0-9"] && t.holdsLocks(p1))
        let exited = t.release(p1)
        #expect(exited && !t.holdsLocks(p1))
        let lastClose = t.release(ofd)
        #expect(lastClose && t.count == 0)
    }

    @Test func deadlockBetweenTwoProcesses() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, 0))
        _ = t.set(on: f, owner: p2, kind: .write, range: r(1, 1))
        if case .blocked = t.set(on: f, owner: p1, kind: .write, range: r(1, 1), waiter: 1) {} else { Issue.record("p1 not blocked") }
        #expect(t.set(on: f, owner: p2, kind: .write, range: r(0, 0), waiter: 2) == .deadlock)
        #expect(t.set(on: f, owner: p2, kind: .write, range: r(0, 0)) != .deadlock)          // F_SETLK never deadlocks
        t.stopWaiting(1)                                                                     // p1 interrupted
        if case .blocked = t.set(on: f, owner: p2, kind: .write, range: r(0, 0), waiter: 2) {} else { Issue.record("p2 not blocked") }
    }

    @Test func deadlockThroughAChainOfThree() {
        let t = Table()
        for (i, p) in [p1, p2, p3].enumerated() { _ = t.set(on: f, owner: p, kind: .write, range: r(Int64(i), Int64(i))) }
        _ = t.set(on: f, owner: p1, kind: .write, range: r(1, 1), waiter: 1)                 // p1 waits for p2
        _ = t.set(on: f, owner: p2, kind: .write, range: r(2, 2), waiter: 2)                 // p2 waits for p3
        #expect(t.set(on: f, owner: p3, kind: .read, range: r(0, 0), waiter: 3) == .deadlock)
        // Once p2 gets what it waited for, the chain is broken.
        _ = t.set(on: f, owner: p3, kind: nil, range: r(2, 2))
        #expect(t.set(on: f, owner: p2, kind: .write, range: r(2, 2), waiter: 2) == .granted)
        if case .blocked = t.set(on: f, owner: p3, kind: .read, range: r(0, 0), waiter: 3) {} else { Issue.record("p3 not blocked") }
    }

    @Test func ofdWaitersAreNotDeadlockChecked() {
        let t = Table()
        let other = T.Owner.description(0xbeef0)
        _ = t.set(on: f, owner: ofd, kind: .write, range: r(0, 0))
        _ = t.set(on: f, owner: other, kind: .write, range: r(1, 1))
        if case .blocked = t.set(on: f, owner: ofd, kind: .write, range: r(1, 1), waiter: 1) {} else { Issue.record("not blocked") }
        if case .blocked = t.set(on: f, owner: other, kind: .write, range: r(0, 0), waiter: 2) {} else { Issue.record("not blocked") }
    }

    // MARK: struct flock ranges

    func range(_ whence: Int16, _ start: Int64, _ length: Int64, position: Int64 = 100, size: Int64 = 1000) throws(Errno) -> LockRange {
        try LockRange(whence: whence, start: start, length: length, position: position, size: size)
    }

    @Test func flockRangesRelativeToWhence() throws {
        #expect(try range(0, 10, 5) == r(10, 14))
        #expect(try range(1, 10, 5) == r(110, 114))
        #expect(try range(2, -10, 0) == r(990, LockRange.toEnd))
        #expect(try range(0, 10, -5) == r(5, 9))                                             // the bytes before l_start
        #expect(try range(0, 10, -10) == r(0, 9))
        #expect(r(5, 9).flockStart == 5 && r(5, 9).flockLength == 5 && r(3, LockRange.toEnd).flockLength == 0)
    }

    @Test func hostileFlockRangesAreErrorsNotTraps() {
        func errno(_ body: () throws(Errno) -> LockRange) -> Errno? {
            do throws(Errno) { _ = try body(); return nil } catch { return error }
        }
        #expect(errno { () throws(Errno) in try range(3, 0, 0) } == .EINVAL)                 // bad whence
        #expect(errno { () throws(Errno) in try range(0, -1, 0) } == .EINVAL)                // before the start of the file
        #expect(errno { () throws(Errno) in try range(0, 10, -11) } == .EINVAL)
        #expect(errno { () throws(Errno) in try range(0, 0, Int64.min) } == .EINVAL)
        #expect(errno { () throws(Errno) in try range(2, Int64.max, 1) } == .EOVERFLOW)      // size + l_start
        #expect(errno { () throws(Errno) in try range(0, Int64.max, 2) } == .EOVERFLOW)      // the end
        #expect(errno { () throws(Errno) in try range(0, 2, Int64.max) } == .EOVERFLOW)
        #expect(errno { () throws(Errno) in try range(1, Int64.min, 0) } == .EINVAL)
        #expect(errno { () throws(Errno) in try range(0, Int64.max, 1) } == nil)             // the last byte exactly
        #expect(errno { () throws(Errno) in try range(0, Int64.max, Int64.min) } == .EINVAL)  // max + min = -1
        #expect(errno { () throws(Errno) in try range(0, Int64.max, -Int64.max) } == nil)    // [0, max - 1]
        #expect(errno { () throws(Errno) in try range(0, 1, Int64.max) } == nil)             // [1, max]: to the end
    }

    @Test func locksAtTheVeryEndSplitWithoutOverflow() {
        let t = Table()
        _ = t.set(on: f, owner: p1, kind: .write, range: r(0, LockRange.toEnd))
        _ = t.set(on: f, owner: p1, kind: nil, range: r(LockRange.toEnd, LockRange.toEnd))
        _ = t.set(on: f, owner: p1, kind: nil, range: r(0, 0))
        #expect(held(t, p1) == ["W1-\(Int64.max - 1)"])
        _ = t.set(on: f, owner: p1, kind: .write, range: r(LockRange.toEnd, LockRange.toEnd))
        #expect(held(t, p1) == ["W1-EOF"])
    }
}
