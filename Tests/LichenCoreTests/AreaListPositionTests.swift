import Testing
@testable import LichenCore

/// `AreaList.position(firstWhere:)` (the VMA lookups of every read, write and page fault) agrees with a
/// linear search, across chunk splits, merges and removals.
@Suite struct AreaListPositionTests {
    private func check(_ list: AreaList<Int>, _ model: [Int]) {
        #expect(Array(list) == model)
        for k in stride(from: -1, through: (model.last ?? 0) + 1, by: 1) {
            let p = list.position(firstWhere: { $0 > k })
            let expected = model.firstIndex(where: { $0 > k }) ?? model.count
            #expect(p.index == expected)
            if expected < model.count {
                #expect(list.chunks[p.chunk][p.offset] == model[expected])
            } else {
                #expect(p.chunk == list.chunks.count)
            }
        }
    }

    @Test func emptyList() {
        check(AreaList<Int>(), [])
    }

    @Test func matchesLinearSearchAcrossChunks() {
        var list = AreaList<Int>()
        var model: [Int] = []
        for v in 0..<700 { list.append(v * 2); model.append(v * 2) }      // several chunk splits
        check(list, model)
        for i in stride(from: 650, to: 0, by: -7) { list.remove(at: i); model.remove(at: i) }
        check(list, model)
        for _ in 0..<300 { list.remove(at: 100); model.remove(at: 100) }   // merges
        check(list, model)
        list.insert(1, at: 1); model.insert(1, at: 1)
        check(list, model)
    }
}

/// Plain numbers as areas that account for nothing (AreaList keeps running totals of its elements').
extension Int: AccountedArea {
    public var accounting: AreaAccounting { AreaAccounting() }
}
