import Testing
@testable import LichenCore

@Suite struct FlockTableTests {
    let f = FlockTable.FileKey(device: 1, inode: 10), g = FlockTable.FileKey(device: 1, inode: 11)

    @Test func sharedLocksCoexistExclusiveOnesDoNot() {
        var t = FlockTable()
        var results: [Bool] = []
        results.append(t.lock(f, owner: 1, exclusive: false))   // true
        results.append(t.lock(f, owner: 2, exclusive: false))   // true: shared with 1
        results.append(t.lock(f, owner: 3, exclusive: true))    // false
        results.append(t.lock(g, owner: 3, exclusive: true))    // true: another file
        t.unlock(f, owner: 1)
        results.append(t.lock(f, owner: 3, exclusive: true))    // false: 2 still shares
        results.append(t.release(owner: 2))                     // true
        results.append(t.lock(f, owner: 3, exclusive: true))    // true
        results.append(t.lock(f, owner: 1, exclusive: false))   // false
        #expect(results == [true, true, false, true, false, true, true, false])
    }

    @Test func conversionDropsTheOldLockFirst() {
        var t = FlockTable()
        var results: [Bool] = []
        results.append(t.lock(f, owner: 1, exclusive: false))
        results.append(t.lock(f, owner: 2, exclusive: false))
        results.append(t.lock(f, owner: 1, exclusive: true))    // false: 2 still shares...
        results.append(t.lock(f, owner: 2, exclusive: true))    // true: ...and 1's shared lock is gone
        results.append(t.lock(f, owner: 2, exclusive: true))    // relocking the same kind: a no-op
        results.append(t.release(owner: 1))                     // false: 1 holds nothing
        #expect(results == [true, true, false, true, true, false] && t.count == 1)
    }
}

/// Issue 13: flock's lookups look at the file's own holders and the owner's own locks, however
/// many locks other files and owners hold.
@Suite struct FlockTableScaleTests {
    @Test func lookupsDoNotFollowTheNumberOfLocks() {
        var t = FlockTable()
        var allTaken = true
        for i in 0..<20_000 {
            allTaken = t.lock(FlockTable.FileKey(device: 1, inode: UInt64(i)), owner: UInt(i), exclusive: i % 2 == 0) && allTaken
        }
        #expect(allTaken)
        let f = FlockTable.FileKey(device: 2, inode: 7)
        let before = t.probes
        let results = [t.lock(f, owner: 99_999, exclusive: true), t.lock(f, owner: 5, exclusive: false),
                       t.unlock(f, owner: 99_999), t.release(owner: 12_345), t.release(owner: 12_345)]
        let steps = t.probes - before
        #expect(results == [true, false, true, true, false])
        #expect(steps < 60)        // a scan of the 20,000 locks would be far above
        #expect(t.count == 19_999)
    }
}
