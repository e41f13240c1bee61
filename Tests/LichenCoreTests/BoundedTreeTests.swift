import Testing
@testable import LichenCore

@Suite struct BoundedTreeTests {
    private func intTree() -> BoundedTree<Int, Int> { BoundedTree(compare: { $0 < $1 ? -1 : $0 == $1 ? 0 : 1 }) }

    @Test func matchesASortedReferenceThroughInsertsAndRemoves() {
        var tree = intTree()
        var reference: [Int] = []
        var seed: UInt64 = 12345
        func next() -> Int { seed = seed &* 6364136223846793005 &+ 1442695040888963407; return Int(seed >> 40) % 5000 }
        for step in 0..<20_000 {
            let k = next()
            if reference.contains(k) {
                if step % 3 != 0 {
                    #expect(tree.remove(k) == k * 2)
                    reference.removeAll { $0 == k }
                }
            } else {
                tree.insert(k, k * 2)
                reference.append(k)
            }
        }
        reference.sort()
        #expect(tree.count == reference.count)
        var walked: [Int] = []
        tree.forEach(from: nil) { k, v in walked.append(k); #expect(v == k * 2); return true }
        #expect(walked == reference)
        // From a key: the first >= it.
        let middle = reference[reference.count / 2] + 1
        var from: [Int] = []
        tree.forEach(from: middle) { k, _ in from.append(k); return from.count < 10 }
        #expect(from == Array(reference.filter { $0 >= middle }.prefix(10)))
        for k in reference { #expect(tree.find(k) == k * 2) }
        for k in reference { tree.remove(k) }
        #expect(tree.isEmpty)
        var none = 0
        tree.forEach(from: nil) { _, _ in none += 1; return true }
        #expect(none == 0)
    }

    /// A lookup, an insert and a batch of readdir visit O(log n) nodes: the same few at 1,000 and
    /// 200,000 entries (a linear structure would grow 200 times).
    @Test func operationsVisitLogarithmicallyManyNodes() {
        func cost(_ n: Int) -> (find: Int, insert: Int, walk: Int, remove: Int) {
            var tree = intTree()
            for i in 0..<n { tree.insert(i * 2, i) }
            var s = tree.steps.visits
            _ = tree.find(n)                                    // in the middle
            let find = tree.steps.visits - s
            s = tree.steps.visits
            tree.insert(n + 1, 0)
            let insert = tree.steps.visits - s
            s = tree.steps.visits
            var seen = 0
            tree.forEach(from: n) { _, _ in seen += 1; return seen < 32 }
            let walk = tree.steps.visits - s
            s = tree.steps.visits
            tree.remove(n + 1)
            return (find, insert, walk, tree.steps.visits - s)
        }
        let small = cost(1_000), large = cost(200_000)
        #expect(large.find <= 4 && large.insert <= 4 && large.remove <= 4, "\(large)")
        #expect(large.walk <= 8, "\(large)")
        #expect(large.find <= small.find + 2 && large.walk <= small.walk + 4)
    }

    @Test func nodesStayBounded() {
        var tree = intTree()
        for i in 0..<10_000 { tree.insert(10_000 - i, i) }   // descending: every insert at the front
        for i in stride(from: 1, through: 10_000, by: 2) { tree.remove(i) }
        var walked = 0
        tree.forEach(from: nil) { k, _ in #expect(k % 2 == 0); walked += 1; return true }
        #expect(walked == 5_000 && tree.count == 5_000)
    }
}

@Suite struct DirectoryTableScaleTests {
    /// 200,000 names (the size that trapped the kernel at 131,073): lookups, creates and readdir
    /// batches cost the same few node visits as at 1,000.
    @Test func largeDirectoriesStayFlat() async {
        let sb = TmpfsSuperblock(device: DeviceNumber(major: 0, minor: 99), clock: { Timespec(seconds: 0, nanoseconds: 0) }, maxPages: nil)
        let inode = TmpfsFile(sb, mode: FileMode.S_IFREG | 0o644, owner: .root)
        func name(_ i: Int) -> [UInt8] { Array("file-\(i)".utf8) }
        func costs(_ n: Int) -> (lookup: Int, create: Int, batch: Int) {
            var table = DirectoryTable()
            for i in 0..<n { table.insert(name(i), inode) }
            var s = table.steps
            _ = table.find(name(n / 2))
            let lookup = table.steps - s
            s = table.steps
            table.insert(name(n), inode)
            let create = table.steps - s
            s = table.steps
            let batch = table.entries(from: Int64(n / 2), limit: 32)
            #expect(batch.count == 32 && batch[0].position == Int64(n / 2))
            return (lookup, create, table.steps - s)
        }
        let small = costs(1_000), large = costs(200_000)
        // Two trees of depth 2 at 1,000 and 4 at 200,000 (64-way nodes, half full after sequential
        // inserts): a lookup visits both, a create checks, then inserts into both.
        #expect(large.lookup <= 8 && large.create <= 12 && large.batch <= 8, "1,000: \(small), 200,000: \(large)")
        #expect(large.lookup <= 2 * small.lookup && large.create <= 2 * small.create, "1,000: \(small), 200,000: \(large)")
    }
}
