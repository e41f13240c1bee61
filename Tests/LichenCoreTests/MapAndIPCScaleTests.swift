import Testing
@testable import LichenCore

private let page = UInt64(pageSize)

/// Issue 13: mmap's search for room and System V IPC's key and id lookups take steps that do not grow
/// with the number of mappings or objects. A scan creeping back fails here, not in a timing.
@Suite struct MapAndIPCScaleTests {
    typealias Map = VirtualMemoryMap<ProcessTestMappedFile>

    /// `n` one-page areas that cannot merge (alternating protections), placed top-down with no gap.
    func crowded(_ n: Int) throws -> (Map, [UserAddr]) {
        var m = Map(mmapBase: UserAddr(0x7f00_0000_0000))
        var addresses: [UserAddr] = []
        for i in 0..<n {
            let r = try m.map(length: page, placement: .anywhere(hint: UserAddr(0)), protection: i % 2 == 0 ? [.read] : [.read, .write])
            addresses.append(r.address)
        }
        return (m, addresses)
    }

    /// The steps one mmap of `pages` takes.
    func mmapSteps(_ m: inout Map, pages: UInt64) throws -> (UserAddr, Int) {
        m.areas.resetProbes()
        let r = try m.map(length: pages * page, placement: .anywhere(hint: UserAddr(0)), protection: [.execute])
        return (r.address, m.areas.probes)
    }

    @Test func mmapFindsTheOnlyHoleInLogarithmicSteps() throws {
        let n = 50_000
        var (m, addresses) = try crowded(n)
        _ = try mmapSteps(&m, pages: 1)                  // below them all; summaries now known
        // One hole near the bottom of the map, the only gap between areas: found without a walk.
        let hole = addresses[n - 7]
        _ = try m.unmap(start: hole, length: page)
        let (found, steps) = try mmapSteps(&m, pages: 1)
        #expect(found == hole)
        #expect(steps < 300)                            // O(log n) lookups and one chunk (<= 64 areas)
        // Holes of one page every 100 areas; a two-page request passes them all to the bottom.
        for i in stride(from: 50, to: n - 50, by: 100) { _ = try m.unmap(start: addresses[i], length: page) }
        _ = try mmapSteps(&m, pages: 1)
        let (low, twoPageSteps) = try mmapSteps(&m, pages: 2)
        #expect(low < addresses[n - 1])
        #expect(twoPageSteps < 200)
    }

    /// The benchmark's cycles (tests/bench/scale_files.c mmap and mlock) with 50,000 areas: an mmap
    /// + munmap of one page, and an mlock + munlock of one page, take a bounded number of steps
    /// (index lookups, the gap search, the summaries recomputed). Neighbouring areas are reached from
    /// the chunk found last, not through a Fenwick descent each.
    @Test func mmapAndMlockCyclesTakeBoundedSteps() throws {
        let n = 50_000
        var (m, _) = try crowded(n)
        let rwx = try m.map(length: page, placement: .anywhere(hint: UserAddr(0)), protection: .all).address
        for round in 0..<3 {
            m.areas.resetProbes()
            let p = try m.map(length: page, placement: .anywhere(hint: UserAddr(0)), protection: [.read, .execute]).address
            _ = try m.unmap(start: p, length: page)
            let mmapSteps = m.areas.probes
            m.areas.resetProbes()
            #expect(m.setLock(start: rwx, end: rwx + page, mode: .populate).failure == nil)
            #expect(m.setLock(start: rwx, end: rwx + page, mode: nil).failure == nil)
            let mlockSteps = m.areas.probes
            if round > 0 {                                // the first round fills the summaries
                #expect(mmapSteps < 110)         // 238 with a Fenwick descent per index, 148 with chunks of 64 and
                                                  // the next chunk's summary forgotten on every edit, 88 now
                #expect(mlockSteps < 100)         // 342 with a Fenwick descent per index, 62 now
            }
        }
        #expect(m.areas.count == n + 1 && m.lockedBytes == 0)
    }

    /// Reading neighbouring areas by index costs one step each once the first is found.
    @Test func neighbouringAreasAreFoundFromTheLastChunk() throws {
        let (m, _) = try crowded(50_000)
        m.areas.resetProbes()
        var previous = UserAddr(0)
        for i in 20_000..<20_200 {
            let start = m.areas[i].start
            #expect(start > previous)
            previous = start
        }
        // A descent per chunk entered (chunks of 16-32 areas: up to 13 here), else one step (2,200 before).
        #expect(m.areas.probes < 200 + 13 * 16)
    }

    /// Random maps and unmaps of random sizes: the search answers what a walk of every gap from the
    /// top answers (the highest gap that fits below mmapBase, else anywhere).
    @Test func mmapSearchMatchesAWalkOfEveryGap() throws {
        var m = Map(mmapBase: UserAddr(0x4000_0000), limit: UserAddr(0x8000_0000))
        var rng = SplitMix64(state: 13)
        var mapped: [UserAddr] = []
        for step in 0..<6_000 {
            if mapped.count > 20 && rng.next() % 3 == 0 {
                let i = Int(rng.next() % UInt64(mapped.count))
                _ = try m.unmap(start: mapped[i], length: page * (1 + rng.next() % 3))
                mapped.remove(at: i)
                continue
            }
            let pages = 1 + rng.next() % 8
            let expected = walk(m, length: pages * page)
            let hint = step % 7 == 0 ? UserAddr(0x1000_0000 + (rng.next() % 0x1000) * page) : UserAddr(0)
            guard let r = try? m.map(length: pages * page, placement: .anywhere(hint: hint),
                                     protection: step % 2 == 0 ? [.read] : [.read, .write]) else {
                #expect(expected == nil)
                continue
            }
            if hint.value == 0 { #expect(r.address == expected) }
            mapped.append(r.address)
        }
    }

    /// The reference: every gap from the top, below mmapBase first, then anywhere.
    func walk(_ m: Map, length: UInt64) -> UserAddr? {
        for ceiling in [m.mmapBase, m.limit] {
            var above: VirtualMemoryArea<ProcessTestMappedFile>? = nil
            var i = m.areas.count
            while true {
                let below = i > 0 ? m.areas[i - 1] : nil
                let low = below.map { max($0.end, m.minimumAddress) } ?? m.minimumAddress
                var high = above.map { m.gapStart($0) } ?? m.limit
                if high > ceiling { high = ceiling }
                if high > low && high - low >= length { return high - length }
                if i == 0 { break }
                above = below
                i -= 1
            }
        }
        return nil
    }

    private final class Thing: IPCObject {
        var permissions: IPCPermissions
        init(key: Int32) { permissions = IPCPermissions(key: key, mode: 0o600, creator: .root) }
    }

    @Test func ipcKeysAndIdsAreFoundWithoutAScan() throws {
        var table = IPCIdTable<Thing>()
        var things: [Thing] = []
        for k in 1...20_000 {
            let t = Thing(key: k % 10 == 0 ? SysVIPC.IPC_PRIVATE : Int32(k * 7))
            _ = try table.add(t, limit: 32_000)
            things.append(t)
        }
        let before = table.probes
        for k in stride(from: 1, through: 20_000, by: 97) where k % 10 != 0 {
            #expect(table.find(key: Int32(k * 7)) === things[k - 1])
            #expect(table.id(of: things[k - 1]) == Int32(k - 1))
        }
        #expect(table.find(key: 3) == nil)
        #expect(table.find(key: SysVIPC.IPC_PRIVATE) == nil)
        #expect(table.probes - before < 206 * 8)
        // Removal and IPC_RMID of an attached segment (its key becomes private) leave the key free.
        table.remove(things[6])
        #expect(table.find(key: 49) == nil && table.id(of: things[6]) == -1)
        table.makePrivate(things[7])
        #expect(table.find(key: 56) == nil && table.id(of: things[7]) == 7)
        #expect(things[7].permissions.key == SysVIPC.IPC_PRIVATE)
        let again = Thing(key: 56)
        let id = try table.add(again, limit: 32_000)
        #expect(table.find(key: 56) === again && table.id(of: again) == id)
        #expect(table.highestIndex == 20_000)
        table.remove(again)
        #expect(table.highestIndex == 19_999)
    }

    /// 10,000 entries on one key (threads waiting on one futex word) cost nothing to the keys that
    /// share its bucket: each key's entries are one group, looked at only for that key.
    @Test func aCrowdedKeyDoesNotSlowItsBucket() {
        var h = HashedBuckets<UInt, Int>()
        let crowded: UInt = 0x4a_0b28
        for i in 0..<10_000 { h.append(crowded, i) }
        #expect(h.bucketCount == 16 && h.count(crowded) == 10_000)
        let before = h.probes
        for k: UInt in 1...64 {                          // four keys in the crowded key's bucket, on average
            h.append(k << 12, Int(k))
            #expect(h.first(k << 12) == Int(k))
            #expect(h.removeAll(k << 12) { _ in true } == [Int(k)])
        }
        #expect(h.probes - before < 64 * 3 * 4)
        // FIFO order survives wakes from the front and removals from the middle.
        #expect(h.removeAll(crowded) { $0 < 3 ? true : nil } == [0, 1, 2])
        #expect(h.remove(crowded, where: { $0 == 5_000 }) == 5_000)
        #expect(h.first(crowded) == 3 && h.count(crowded) == 9_996 && h.count == 9_996)
        #expect(h.removeAll(crowded) { $0 % 2 == 0 ? true : ($0 < 9 ? false : nil) }.count == 3)   // 4, 6, 8
        #expect(h.first(crowded) == 3 && h.count == 9_993)
        _ = h.removeAll(crowded) { _ in true }
        #expect(h.count == 0 && h.count(crowded) == 0 && h.first(crowded) == nil)
    }
}
