import Testing
@testable import LichenCore

@Suite struct ReportOnceTests {
    @Test func eachKeyIsFirstOnce() {
        let r = ReportOnce(count: 4)
        #expect(r.first(2))
        #expect(!r.first(2))
        #expect(r.first(0))
        #expect(r.first(100))          // beyond the table: the last slot
        #expect(!r.first(3))
        #expect(r.first(-5) == false)  // negative keys share slot 0, already taken
    }

    /// Tasks on the host's global executor run on real threads, like CPUs reporting at once.
    @Test func exactlyOneWinnerUnderContention() async {
        let r = ReportOnce(count: 64)
        let wins = SpinLock([Int](repeating: 0, count: 64))
        await withTaskGroup(of: Void.self) { group in
            for _ in 0..<8 {
                group.addTask {
                    for key in 0..<64 where r.first(key) { wins.withLock { $0[key] += 1 } }
                }
            }
        }
        #expect(wins.withLock { $0 } == [Int](repeating: 1, count: 64))
    }
}
