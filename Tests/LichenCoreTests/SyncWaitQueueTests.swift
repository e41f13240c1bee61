import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct WaitQueueTests {
        /// Producer/consumer handshake, thousands of times: each side sleeps until the other has
        /// moved on. A lost wake-up would hang (the suite's time limit catches it).
        @Test func handshakeLosesNoWakeups() async throws {
            let iterations = 5_000
            let produced = SharedInt(), consumed = SharedInt()
            let toConsumer = WaitQueue(), toProducer = WaitQueue()
            async let consumer: Void = {
                for i in 1...iterations {
                    try await toConsumer.wait(until: { produced.load() >= i })
                    consumed.store(i)
                    toProducer.wakeOne()
                }
            }()
            for i in 1...iterations {
                try await toProducer.wait(until: { consumed.load() >= i - 1 })
                produced.store(i)
                toConsumer.wakeOne()
            }
            try await consumer
            #expect(consumed.load() == iterations)
            #expect(toConsumer.waiterCount == 0 && toProducer.waiterCount == 0)
        }

        @Test func wakeOneThenWakeAll() async {
            let queue = WaitQueue()
            let done = SharedInt()
            let tasks = (0..<3).map { _ in
                Task {
                    let r = await ended { () throws(WaitError) in try await queue.wait() }
                    done.add(1)
                    return r
                }
            }
            await eventually("3 waiting") { queue.waiterCount == 3 }
            #expect(queue.wakeOne())
            await eventually("one woken") { done.load() == 1 }
            #expect(queue.waiterCount == 2)
            #expect(queue.wakeAll() == 2)
            for t in tasks { #expect(await t.value == .value(true)) }
            #expect(!queue.wakeOne())
        }

        /// A condition already true returns without sleeping; a false one sleeps until made true.
        @Test func waitUntilCondition() async throws {
            let queue = WaitQueue()
            let ready = Flag()
            try await queue.wait(until: { true })
            let t = Task { await ended { () throws(WaitError) in try await queue.wait(until: { ready.isSet }) } }
            await eventually { queue.waiterCount == 1 }
            queue.wakeAll()  // spurious: the condition is still false, it sleeps again
            await eventually { queue.waiterCount == 1 }
            ready.set()
            queue.wakeAll()
            #expect(await t.value == .value(true))
        }

        @Test func cancellationInterruptsAndLeavesTheQueue() async {
            let queue = WaitQueue()
            let t = Task { await ended { () throws(WaitError) in try await queue.wait(until: { false }) } }
            await eventually { queue.waiterCount == 1 }
            t.cancel()
            #expect(await t.value == .error(.interrupted))
            #expect(queue.waiterCount == 0)
            #expect(!queue.wakeOne())
        }

        /// A task cancelled before it waits does not sleep, unless its condition already holds.
        @Test func alreadyCancelledTaskDoesNotSleep() async {
            let queue = WaitQueue()
            let go = Flag()
            let t = Task { () -> (Ended<Bool>, Ended<Bool>) in
                while !go.isSet { await Task.yield() }
                let blocked = await ended { () throws(WaitError) in try await queue.wait(until: { false }) }
                let ready = await ended { () throws(WaitError) in try await queue.wait(until: { true }) }
                return (blocked, ready)
            }
            t.cancel()
            go.set()
            let (blocked, ready) = await t.value
            #expect(blocked == .error(.interrupted))
            #expect(ready == .value(true))
            #expect(queue.waiterCount == 0)
        }

        /// wakeOne skips a waiter that was cancelled but has not left yet: the wake-up goes on.
        @Test func wakeOneSkipsInterruptedWaiter() async {
            let queue = WaitQueue()
            let a = Task { await ended { () throws(WaitError) in try await queue.wait() } }
            await eventually { queue.waiterCount == 1 }
            let b = Task { await ended { () throws(WaitError) in try await queue.wait() } }
            await eventually { queue.waiterCount == 2 }
            // Cancel and wake under the queue lock so `a` cannot leave in between.
            queue.locked { a.cancel() }
            #expect(queue.wakeOne())
            #expect(await a.value == .error(.interrupted))
            #expect(await b.value == .value(true))
            #expect(queue.waiterCount == 0)
        }

        @Test func timeoutExpires() async {
            let queue = WaitQueue()
            let timer = ManualTimeout()
            let t = Task { await ended { () throws(WaitError) in try await queue.wait(until: { false }, timeout: timer.timeout) } }
            await eventually { queue.waiterCount == 1 && timer.arms == 1 }
            timer.fire()
            #expect(await t.value == .error(.timedOut))
            #expect(timer.disarms == 1)
            #expect(queue.waiterCount == 0)
        }

        /// A timeout is only armed when the wait sleeps, and always disarmed; an expired one still
        /// lets a true condition through.
        @Test func timeoutArmingRules() async {
            let queue = WaitQueue()
            let timer = ManualTimeout()
            #expect(await ended { () throws(WaitError) in try await queue.wait(until: { true }, timeout: timer.timeout) } == .value(true))
            #expect(timer.arms == 0)
            #expect(await ended { () throws(WaitError) in try await queue.wait(until: { false }, timeout: .immediate) } == .error(.timedOut))
            let flips = SharedInt()  // false when checked before sleeping, true afterwards
            #expect(await ended { () throws(WaitError) in
                try await queue.wait(until: { flips.add(1) > 1 }, timeout: .immediate)
            } == .value(true))
            // Woken and then timed out: woken normally before the timer fires.
            let t = Task { await ended { () throws(WaitError) in try await queue.wait(timeout: timer.timeout) } }
            await eventually { queue.waiterCount == 1 }
            queue.wakeOne()
            #expect(await t.value == .value(true))
            timer.fire()  // late: harmless
            #expect(timer.disarms == timer.arms)
        }

        /// Many waiters and wakers at once: every waiter eventually sees its condition.
        @Test func stressManyWaitersAndWakers() async throws {
            let queue = WaitQueue()
            let tickets = SharedInt()
            let waiters = 16, rounds = 200
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<waiters {
                    group.addTask {
                        for _ in 0..<rounds {
                            // Take one ticket, sleeping while there is none.
                            try await queue.wait(until: { tickets.takeOne() })
                        }
                    }
                }
                group.addTask {
                    for i in 0..<(waiters * rounds) {
                        tickets.add(1)
                        if i % 3 == 0 { queue.wakeAll() } else { queue.wakeOne() }
                        if i % 64 == 0 { await Task.yield() }
                    }
                }
                try await group.waitForAll()
            }
            #expect(tickets.load() == 0)
            #expect(queue.waiterCount == 0)
        }
    }
}
