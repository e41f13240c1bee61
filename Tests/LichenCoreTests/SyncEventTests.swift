import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct EventTests {
        /// Each waiter wakes when its own predicate becomes true, not before.
        @Test func predicateWaits() async {
            let event = Event(0)
            let low = Task { await ended { () throws(WaitError) in try await event.wait(until: { $0 >= 1 }) } }
            let high = Task { await ended { () throws(WaitError) in try await event.wait(until: { $0 >= 3 }) } }
            await eventually { event.waiterCount == 2 }
            event.update { $0 += 1 }
            #expect(await low.value == .value(true))
            await eventually("high back asleep") { event.waiterCount == 1 }
            event.update { $0 += 2 }
            #expect(await high.value == .value(true))
            #expect(event.value == 3)
        }

        /// wait(for:) checks and consumes in one step: 5 takers, 3 then 2 tokens.
        @Test func takeTokens() async {
            let event = Event(0)
            let taken = SharedInt()
            let takers = (0..<5).map { _ in
                Task {
                    let r = await ended { () throws(WaitError) -> Int in
                        try await event.wait(for: { (tokens: inout Int) -> Int? in
                            guard tokens > 0 else { return nil }
                            tokens -= 1
                            return tokens
                        })
                    }
                    taken.add(1)
                    return r
                }
            }
            await eventually { event.waiterCount == 5 }
            event.update { $0 += 3 }
            await eventually("3 taken") { taken.load() == 3 }
            await eventually("2 waiting again") { event.waiterCount == 2 }
            #expect(taken.load() == 3)
            event.update { $0 += 2 }
            var left: [Int] = []
            for t in takers {
                if case .value(let v) = await t.value { left.append(v) }
            }
            #expect(left.count == 5)
            #expect(event.value == 0)
        }

        @Test func cancellationAndTimeout() async {
            let event = Event(false)
            let cancelled = Task { await ended { () throws(WaitError) in try await event.wait(until: { $0 }) } }
            await eventually { event.waiterCount == 1 }
            cancelled.cancel()
            #expect(await cancelled.value == .error(.interrupted))

            let timer = ManualTimeout()
            let timed = Task { await ended { () throws(WaitError) in try await event.wait(until: { $0 }, timeout: timer.timeout) } }
            await eventually { event.waiterCount == 1 && timer.arms == 1 }
            timer.fire()
            #expect(await timed.value == .error(.timedOut))
            #expect(event.waiterCount == 0)
            // Still usable.
            let ok = Task { await ended { () throws(WaitError) in try await event.wait(until: { $0 }) } }
            await eventually { event.waiterCount == 1 }
            event.update { $0 = true }
            #expect(await ok.value == .value(true))
        }
    }
}
