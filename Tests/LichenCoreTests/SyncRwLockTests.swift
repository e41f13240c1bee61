import Synchronization
import Testing
@testable import LichenCore

extension SyncTests {
    @Suite struct RwLockTests {
        /// Three readers are inside at the same time (each waits inside for the others).
        @Test func readersShare() async {
            let lock = RwLock(42)
            let inside = Occupancy()
            await withTaskGroup(of: Int.self) { group in
                for _ in 0..<3 {
                    group.addTask {
                        await lock.withReadLock { v in
                            inside.enter()
                            await eventually("3 readers inside") { inside.current == 3 }
                            return v
                        }
                    }
                }
                for await v in group { #expect(v == 42) }
            }
            #expect(inside.maximum == 3)
        }

        /// Writers alone, readers never with a writer, under contention.
        @Test func writersAreExclusive() async {
            let lock = RwLock(0)
            let readers = Occupancy(), writers = Occupancy()
            let rounds = 300
            await withTaskGroup(of: Void.self) { group in
                for t in 0..<4 {
                    group.addTask {
                        for r in 0..<rounds {
                            await lock.withWriteLock { v in
                                #expect(writers.enter() == 1)
                                #expect(readers.current == 0)
                                let seen = v
                                if (r + t) % 8 == 0 { await Task.yield() }
                                v = seen + 1
                                writers.leave()
                            }
                        }
                    }
                    group.addTask {
                        for r in 0..<rounds {
                            await lock.withReadLock { _ in
                                readers.enter()
                                #expect(writers.current == 0)
                                if (r + t) % 8 == 0 { await Task.yield() }
                                readers.leave()
                            }
                        }
                    }
                }
            }
            #expect(await lock.withReadLock { $0 } == 4 * rounds)
            #expect(writers.maximum == 1)
            #expect(lock.snapshot == (0, false, 0))
        }

        /// FIFO: a reader arriving while a writer waits queues behind the writer, even though
        /// the lock is held only by readers.
        @Test func queuedWriterIsNotStarvedByReaders() async {
            let lock = RwLock<[String]>([])
            let release = Flag()
            let first = Task { await lock.withReadLock { _ in while !release.isSet { await Task.yield() } } }
            await eventually { lock.snapshot.readers == 1 }
            let writer = Task { await lock.withWriteLock { $0.append("writer") } }
            await eventually { lock.snapshot.waiting == 1 }
            let reader = Task { await lock.withReadLock { _ in } ; await lock.withWriteLock { $0.append("reader") } }
            await eventually { lock.snapshot.waiting == 2 }
            #expect(lock.snapshot.readers == 1)
            release.set()
            await first.value
            await writer.value
            await reader.value
            #expect(await lock.withReadLock { $0 } == ["writer", "reader"])
        }

        /// Readers queued behind a writer are admitted together when it is done.
        @Test func readersBehindWriterEnterTogether() async {
            let lock = RwLock(0)
            let inside = Occupancy()
            var readers: [Task<Void, Never>] = []
            await lock.withWriteLock { _ in
                for i in 0..<3 {
                    readers.append(Task {
                        await lock.withReadLock { _ in
                            inside.enter()
                            await eventually("all readers inside") { inside.current == 3 }
                        }
                    })
                    await eventually { lock.snapshot.waiting == i + 1 }
                }
            }
            for r in readers { await r.value }
            #expect(inside.maximum == 3)
        }

        /// An interrupted writer leaves the queue and the readers behind it get in at once.
        @Test func interruptedWriterUnblocksReaders() async {
            let lock = RwLock(0)
            let release = Flag()
            let holder = Task { await lock.withReadLock { _ in while !release.isSet { await Task.yield() } } }
            await eventually { lock.snapshot.readers == 1 }
            let writer = Task { () -> Ended<Bool> in
                await ended { () async throws(WaitError) -> Void in
                    try await lock.withWriteLockInterruptible(orThrow: WaitError.interrupted) {
                        (v: inout Int) async throws(WaitError) -> Void in v = 99
                    }
                }
            }
            await eventually { lock.snapshot.waiting == 1 }
            let reader = Task { await lock.withReadLock { $0 } }
            await eventually { lock.snapshot.waiting == 2 }
            writer.cancel()
            #expect(await writer.value == .error(.interrupted))
            #expect(await reader.value == 0)  // admitted while the first reader still holds
            release.set()
            await holder.value
            #expect(lock.snapshot == (0, false, 0))
        }

        /// A reader interrupted while a writer holds the lock leaves the queue; the lock is intact.
        @Test func interruptedReader() async {
            let lock = RwLock(1)
            let reader: Task<Ended<Int>, Never> = await lock.withWriteLock { v in
                let t = Task { () -> Ended<Int> in
                    await ended { () async throws(WaitError) -> Int in
                        try await lock.withReadLockInterruptible(orThrow: WaitError.interrupted) {
                            (v: Int) async throws(WaitError) -> Int in v
                        }
                    }
                }
                await eventually { lock.snapshot.waiting == 1 }
                t.cancel()
                await eventually { lock.snapshot.waiting == 0 }
                v = 2
                return t
            }
            #expect(await reader.value == .error(.interrupted))
            #expect(lock.snapshot == (0, false, 0))
            #expect(await lock.withReadLock { $0 } == 2)
        }

        @Test func interruptibleReadSucceedsWhenFree() async throws {
            let lock = RwLock(5)
            let v = try await lock.withReadLockInterruptible(orThrow: WaitError.interrupted) { (v: Int) throws(WaitError) in v }
            #expect(v == 5)
        }
    }
}
