import Testing
@testable import LichenCore

/// Issue 13: POSIX timer ids are found and handed out in steps that do not grow with the number of
/// timers (a scan of every timer per create and per lookup before).
@Suite struct LowestFreeIdSlotsTests {
    @Test func idsAreLowestFreeFirst() {
        var t = LowestFreeIdSlots<String>()
        #expect(t.insert { "a\($0)" } == 0)
        #expect(t.insert { "b\($0)" } == 1)
        #expect(t.insert { "c\($0)" } == 2)
        #expect(t.remove(1) == "b1")
        #expect(t.remove(1) == nil)
        #expect(t[1] == nil && t[2] == "c2" && t[-1] == nil && t[99] == nil)
        #expect(t.insert { "d\($0)" } == 1)
        #expect(t.insert { "e\($0)" } == 3)
        #expect(t.count == 4)
        #expect(t.ids == [0, 1, 2, 3])
        t.update(2) { $0 = "changed" }
        #expect(t[2] == "changed")
        #expect(t.update(7) { $0 = "x" } == nil)
        t.removeAll()
        #expect(t.isEmpty && t.insert { _ in "again" } == 0)
    }

    @Test func creatingAmongManyTakesFewSteps() {
        var t = LowestFreeIdSlots<Int32>()
        var most = 0
        for n in 0..<20_000 {
            #expect(t.insert { $0 } == Int32(n))
            most = max(most, t.steps)
        }
        #expect(most <= 6)                       // one summary word per 4,096 ids at most, then one word
        // Free ids here and there: each comes back lowest first, in few steps.
        for id: Int32 in [19_999, 12_345, 7, 4_096] { t.remove(id) }
        for want: Int32 in [7, 4_096, 12_345, 19_999] {
            #expect(t.insert { $0 } == want)
            #expect(t.steps <= 6)
        }
        #expect(t.insert { $0 } == 20_000)
        for id: Int32 in [0, 5_000, 20_000] { #expect(t[id] == id) }
    }

    @Test func matchesAModel() {
        var t = LowestFreeIdSlots<Int>()
        var model = Set<Int32>()
        var state: UInt64 = 12345
        for step in 0..<5_000 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            if state >> 62 == 0, let id = model.randomElement() {
                model.remove(id)
                #expect(t.remove(id) == Int(id) * 3)
            } else {
                let want = (0...).lazy.map { Int32($0) }.first { !model.contains($0) }!
                #expect(t.insert { Int($0) * 3 } == want, "step \(step)")
                model.insert(want)
            }
            #expect(t.count == model.count)
        }
        #expect(t.ids == model.sorted())
    }
}
