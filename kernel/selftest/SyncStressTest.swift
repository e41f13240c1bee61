import LichenCore
import Synchronization
import _Concurrency

/// `lichen.test=sync-stress`: LichenCore's primitives under contention from tasks on every CPU, each
/// check on a shared invariant: a Mutex-protected pair that must stay equal across a yield inside the
/// critical section, a SpinLock counter, and an Event ping-pong that loses no wake-up.
enum SyncStressTest {
    struct Pair { var a = 0, b = 0 }
    static let taskCount = 16
    static let iterations = 200
    static let cpusSeen = Atomic<UInt64>(0)

    static func run() async -> Bool {
        let mutex = LichenCore.Mutex(Pair())
        let spin = SpinLock(0)
        var workers: [Task<Int, Never>] = []
        for _ in 0..<taskCount {
            workers.append(Task {
                var violations = 0
                for _ in 0..<iterations {
                    await mutex.withLock { (pair: inout Pair) async in
                        pair.a += 1
                        cpusSeen.bitwiseOr(1 << UInt64(PerCPU.currentIndex), ordering: .relaxed)
                        await Task.yield()                  // others must still be kept out
                        if pair.a != pair.b + 1 { violations += 1 }
                        pair.b += 1
                    }
                    spin.withLock { $0 += 1 }
                    await Task.yield()
                }
                return violations
            })
        }
        var violations = 0
        for worker in workers { violations += await worker.value }
        let pair = await mutex.withLock { (pair: inout Pair) async in pair }
        let spun = spin.withLock { $0 }
        let expected = taskCount * iterations
        let cpus = cpusSeen.load(ordering: .relaxed).nonzeroBitCount
        say("mutex pair " + Format.decimal(UInt64(pair.a)) + "/" + Format.decimal(UInt64(pair.b)) + " (expected "
            + Format.decimal(UInt64(expected)) + "), invariant violations " + Format.decimal(UInt64(violations))
            + ", spinlock counter " + Format.decimal(UInt64(spun)) + ", CPUs used " + Format.decimal(UInt64(cpus)))
        let pingPong = await pingPong(rounds: 1000)
        say("event ping-pong: " + Format.decimal(UInt64(pingPong)) + " of 2000 turns")
        return violations == 0 && pair.a == expected && pair.b == expected && spun == expected
            && cpus == PerCPU.onlineCount && pingPong == 2000
    }

    /// Two tasks take turns through one Event: a lost wake-up would hang (bounded by a timeout).
    static func pingPong(rounds: Int) async -> Int {
        let turn = Event(0)
        func player(_ parity: Int) -> Task<Int, Never> {
            Task {
                var taken = 0
                for _ in 0..<rounds {
                    do throws(WaitError) {
                        try await turn.wait(until: { $0 % 2 == parity }, timeout: .after(nanoseconds: 1_000_000_000))
                    } catch { return taken }
                    turn.update { $0 += 1 }
                    taken += 1
                }
                return taken
            }
        }
        let even = player(0), odd = player(1)
        return await even.value + odd.value
    }

    static func say(_ line: String) { KernelLog.info("selftest sync-stress: " + line) }
}
