import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct MutexTests {
        /// Waiters queued one after another get the mutex in exactly that order.
        @Test func handsOverInArrivalOrder() async {
            let mutex = LichenCore.Mutex<[Int]>([])
            var tasks: [Task<Void, Never>] = []
            await mutex.withLock { _ in
                for i in 0..<8 {
                    tasks.append(Task { await mutex.withLock { $0.append(i) } })
                    await eventually("waiter \(i) queued") { mutex.waiterCount == i + 1 }
                }
            }
            for t in tasks { await t.value }
            #expect(await mutex.withLock { $0 } == Array(0..<8))
            #expect(!mutex.isLocked)
        }

        /// Unlock hands the mutex to the waiter: nobody can take it in between.
        @Test func noBargingAfterUnlock() async {
            let mutex = LichenCore.Mutex(0)
            let release = Flag()
            let entered = Flag()
            var waiter: Task<Void, Never>!
            await mutex.withLock { _ in
                waiter = Task {
                    await mutex.withLock { v in
                        entered.set()
                        while !release.isSet { await Task.yield() }
                        v = 1
                    }
                }
                await eventually("waiter queued") { mutex.waiterCount == 1 }
            }
            // Handed over at unlock, before the waiter even ran.
            #expect(await mutex.withLockIfAvailable { _ in true } == nil)
            #expect(mutex.isLocked)
            release.set()
            await waiter.value
            #expect(entered.isSet)
            #expect(await mutex.withLockIfAvailable { $0 } == 1)
        }

        /// Many tasks, each body yields while holding: never two inside, no increment lost.
        @Test func mutualExclusionUnderContention() async {
            let mutex = LichenCore.Mutex(0)
            let occupancy = Occupancy()
            let tasks = 8, rounds = 1_000
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<tasks {
                    group.addTask {
                        for r in 0..<rounds {
                            await mutex.withLock { v in
                                #expect(occupancy.enter() == 1)
                                let seen = v
                                if (r + t) % 16 == 0 { await Task.yield() }
                                v = seen + 1
                                occupancy.leave()
                            }
                        }
                    }
                }
            }
            #expect(await mutex.withLock { $0 } == tasks * rounds)
            #expect(occupancy.maximum == 1)
            #expect(mutex.waiterCount == 0)
        }

        /// A waiter cancelled while queued gives up with the interruption error, is skipped by the
        /// hand-off, and the mutex goes to the next waiter.
        @Test func cancelledWaiterNeverGetsTheMutex() async {
            let mutex = LichenCore.Mutex<[String]>([])
            var a: Task<Ended<Bool>, Never>!
            var b: Task<Void, Never>!
            await mutex.withLock { _ in
                a = Task { await interruptibly(mutex) { v in v.append("a"); return true } }
                await eventually("a queued") { mutex.waiterCount == 1 }
                b = Task { await mutex.withLock { $0.append("b") } }
                await eventually("b queued") { mutex.waiterCount == 2 }
                a.cancel()
                #expect(await a.value == .error(.interrupted))
                await eventually("a left the queue") { mutex.waiterCount == 1 }
            }
            await b.value
            #expect(await mutex.withLock { $0 } == ["b"])
            #expect(!mutex.isLocked)
        }

        /// The interruption comes back as the caller's own error type.
        @Test func interruptionThrowsCallersError() async {
            enum Errno: Error, Equatable { case EINTR, EIO }
            let mutex = LichenCore.Mutex(0)
            let result: Result<Int, Errno> = await mutex.withLock { _ in
                let t = Task { () -> Result<Int, Errno> in
                    do throws(Errno) {
                        return .success(try await mutex.withLockInterruptible(orThrow: Errno.EINTR) { _ throws(Errno) in 1 })
                    } catch { return .failure(error) }
                }
                await eventually { mutex.waiterCount == 1 }
                t.cancel()
                return await t.value
            }
            #expect(result == .failure(.EINTR))
        }

        /// withLock waits uninterruptibly; the cancellation stays visible to the body.
        @Test func uninterruptibleWaitIgnoresCancellation() async {
            let mutex = LichenCore.Mutex(0)
            var t: Task<Bool, Never>!
            await mutex.withLock { _ in
                t = Task { await mutex.withLock { v in v = 7; return Task.isCancelled } }
                await eventually { mutex.waiterCount == 1 }
                t.cancel()
            }
            #expect(await t.value)
            #expect(await mutex.withLock { $0 } == 7)
        }

        /// An already-cancelled task still takes a free mutex, but does not sleep on a held one.
        @Test func alreadyCancelledTask() async {
            let mutex = LichenCore.Mutex(0)
            let go = Flag()
            let free = Task { () -> Ended<Int> in
                while !go.isSet { await Task.yield() }
                return await interruptibly(mutex) { v in v += 1; return v }
            }
            free.cancel()
            go.set()
            #expect(await free.value == .value(1))

            let busy: Ended<Int> = await mutex.withLock { _ in
                let t = Task { await interruptibly(mutex) { $0 } }
                t.cancel()
                return await t.value
            }
            #expect(busy == .error(.interrupted))
            #expect(mutex.waiterCount == 0)
        }

        /// Interruptible waiters under contention, a third of them cancelled midway: still never two
        /// inside, every success counted, and the mutex ends free with nobody queued.
        @Test func cancellationUnderContention() async {
            let mutex = LichenCore.Mutex(0)
            let occupancy = Occupancy()
            let successes = SharedInt(), interruptions = SharedInt()
            let tasks = (0..<48).map { _ in
                Task {
                    for _ in 0..<40 {
                        let r = await interruptibly(mutex) { v in
                            #expect(occupancy.enter() == 1)
                            v += 1
                            await Task.yield()
                            occupancy.leave()
                            return true
                        }
                        if r == .value(true) { successes.add(1) } else { interruptions.add(1) }
                    }
                }
            }
            await Task.yield()
            for (i, t) in tasks.enumerated() where i % 3 == 0 { t.cancel() }
            for t in tasks { await t.value }
            #expect(await mutex.withLock { $0 } == successes.load())
            #expect(successes.load() + interruptions.load() == 48 * 40)
            #expect(!mutex.isLocked)
            #expect(mutex.waiterCount == 0)
        }

        /// Errors thrown by the body propagate and release the mutex.
        @Test func bodyErrorReleases() async {
            struct Oops: Error {}
            let mutex = LichenCore.Mutex(0)
            do throws(Oops) {
                try await mutex.withLock { (_: inout Int) throws(Oops) in throw Oops() }
                Issue.record("no error")
            } catch {}
            #expect(!mutex.isLocked)
        }

        /// A noncopyable value can live in a mutex.
        @Test func noncopyableValue() async {
            struct Token: ~Copyable { var n: Int }
            let mutex = LichenCore.Mutex(Token(n: 1))
            #expect(await mutex.withLock { t in t.n += 1; return t.n } == 2)
        }
    }
}

/// `withLockInterruptible` with the outcome as a value.
func interruptibly<V, R: Equatable & Sendable>(
    _ mutex: LichenCore.Mutex<V>, _ body: (inout V) async -> R
) async -> Ended<R> {
    do throws(WaitError) {
        return .value(try await mutex.withLockInterruptible(orThrow: WaitError.interrupted) {
            (v: inout V) async throws(WaitError) -> R in await body(&v)
        })
    } catch {
        return .error(error)
    }
}
