import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct WaitAnyTests {
        @Test func reportsWhichQueueFired() async {
            let queues = [WaitQueue(), WaitQueue(), WaitQueue()]
            let t = Task { await ended { () throws(WaitError) -> Int in try await waitAny(queues) } }
            await eventually { queues.allSatisfy { $0.waiterCount == 1 } }
            #expect(queues[1].wakeOne())
            #expect(await t.value == .value(1))
            #expect(queues.allSatisfy { $0.waiterCount == 0 })
            #expect(!queues[0].wakeOne() && !queues[2].wakeOne())
        }

        /// Two wakers race on two queues, hundreds of times: exactly one wake-up is taken, it is
        /// the one reported, and the task ends up registered nowhere.
        @Test func resumedExactlyOnce() async {
            let a = WaitQueue(), b = WaitQueue()
            for _ in 0..<300 {
                let t = Task { await ended { () throws(WaitError) -> Int in try await waitAny([a, b]) } }
                await eventually { a.waiterCount == 1 && b.waiterCount == 1 }
                async let wokeA = a.wakeOne()
                async let wokeB = b.wakeOne()
                let (ra, rb) = await (wokeA, wokeB)
                #expect(ra != rb)
                #expect(await t.value == .value(ra ? 0 : 1))
                #expect(a.waiterCount == 0 && b.waiterCount == 0)
            }
        }

        /// A wake-up the task did not take is passed on to the next waiter of that queue.
        @Test func lostRaceWakesTheNextWaiter() async {
            let a = WaitQueue(), b = WaitQueue()
            let multi = Task { await ended { () throws(WaitError) -> Int in try await waitAny([a, b]) } }
            await eventually { a.waiterCount == 1 && b.waiterCount == 1 }
            let single = Task { await ended { () throws(WaitError) in try await b.wait() } }
            await eventually { b.waiterCount == 2 }
            // multi is claimed through a but may still be linked on b: b's wake-up skips it.
            a.wakeOne()
            #expect(b.wakeOne())
            #expect(await multi.value == .value(0))
            #expect(await single.value == .value(true))
        }

        @Test func cancellationAndTimeout() async {
            let queues = [WaitQueue(), WaitQueue()]
            let t = Task { await ended { () throws(WaitError) -> Int in try await waitAny(queues) } }
            await eventually { queues.allSatisfy { $0.waiterCount == 1 } }
            t.cancel()
            #expect(await t.value == .error(.interrupted))
            #expect(queues.allSatisfy { $0.waiterCount == 0 })

            let timer = ManualTimeout()
            let timed = Task { await ended { () throws(WaitError) -> Int in try await waitAny(queues, timeout: timer.timeout) } }
            await eventually { queues.allSatisfy { $0.waiterCount == 1 } && timer.arms == 1 }
            timer.fire()
            #expect(await timed.value == .error(.timedOut))
            #expect(queues.allSatisfy { $0.waiterCount == 0 })
            #expect(timer.disarms == 1)
        }

        /// poll-style: sleep until a readiness flag is set, woken through any of the queues.
        @Test func untilReady() async {
            let queues = [WaitQueue(), WaitQueue()]
            let ready = SharedInt(-1)
            try? await waitAny(queues, until: { true })  // ready already: no sleep
            let t = Task { await ended { () throws(WaitError) in try await waitAny(queues, until: { ready.load() >= 0 }) } }
            await eventually { queues.allSatisfy { $0.waiterCount == 1 } }
            queues[0].wakeAll()  // spurious
            await eventually { queues.allSatisfy { $0.waiterCount == 1 } }
            ready.store(1)
            queues[1].wakeAll()
            #expect(await t.value == .value(true))
            #expect(queues.allSatisfy { $0.waiterCount == 0 })
        }
    }
}
