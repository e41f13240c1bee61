import Synchronization
import Testing
@testable import LichenCore

/// Counters for the test interrupt hooks (C function pointers cannot capture).
private let unfairMaskCalls = Atomic<Int>(0)
private let unfairRestoreCalls = Atomic<Int>(0)

extension SyncTests {
    /// The unfair variant behaves like `SpinLock` in everything but the order waiters get it.
    @Suite struct UnfairSpinLockTests {
        @Test func guardsTheValue() {
            let lock = UnfairSpinLock([1, 2])
            lock.withLock { $0.append(3) }
            #expect(lock.withLock { $0 } == [1, 2, 3])
            #expect(!lock.isLocked)
        }

        @Test func mutualExclusionAcrossThreads() async {
            let lock = UnfairSpinLock(0)
            let occupancy = Occupancy()
            let tasks = 8, rounds = 20_000
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<tasks {
                    group.addTask {
                        for _ in 0..<rounds {
                            lock.withLock { v in
                                let n = occupancy.enter()
                                if n != 1 { Issue.record("\(n) threads inside the spinlock") }
                                v += 1
                                occupancy.leave()
                            }
                        }
                    }
                }
            }
            #expect(lock.withLock { $0 } == tasks * rounds)
            #expect(occupancy.maximum == 1)
        }

        @Test func tryLockFailsWhileHeld() {
            let lock = UnfairSpinLock(5)
            let nested = lock.withLock { _ in lock.withLockIfAvailable { $0 } }
            #expect(nested == nil)
            #expect(lock.withLockIfAvailable { $0 } == 5)
        }

        @Test func errorsPropagateAndUnlock() {
            struct Oops: Error {}
            let lock = UnfairSpinLock(0)
            #expect(throws: Oops.self) { try lock.withLock { (_: inout Int) throws(Oops) in throw Oops() } }
            #expect(lock.withLockIfAvailable { _ in true } == true)
        }

        /// Interrupts are masked through the kernel's hooks exactly while the lock is held, also
        /// around a failed try-lock.
        @Test func masksInterruptsWhileHeld() {
            SyncHookThread.claim()
            InterruptMasking.disable = {
                if SyncHookThread.isCurrent { unfairMaskCalls.add(1, ordering: .relaxed) }
                return 0
            }
            InterruptMasking.restore = { _ in
                if SyncHookThread.isCurrent { unfairRestoreCalls.add(1, ordering: .relaxed) }
            }
            defer {
                InterruptMasking.disable = { 0 }
                InterruptMasking.restore = { _ in }
                SyncHookThread.release()
            }
            let masks = unfairMaskCalls.load(ordering: .relaxed), restores = unfairRestoreCalls.load(ordering: .relaxed)
            let lock = UnfairSpinLock(0)
            lock.withLock { _ in
                #expect(unfairMaskCalls.load(ordering: .relaxed) == masks + 1)
                #expect(unfairRestoreCalls.load(ordering: .relaxed) == restores)
                #expect(lock.isLocked)
                _ = lock.withLockIfAvailable { _ in }
            }
            #expect(unfairMaskCalls.load(ordering: .relaxed) == masks + 2)
            #expect(unfairRestoreCalls.load(ordering: .relaxed) == restores + 2)
        }
    }
}
