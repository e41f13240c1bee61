import Synchronization
import Testing
@testable import LichenCore

/// Counters for the test interrupt hooks (C function pointers cannot capture).
private let maskCalls = Atomic<Int>(0)
private let restoreCalls = Atomic<Int>(0)
private let badRestores = Atomic<Int>(0)
private let maskToken: UInt64 = 0x1A1A

extension SyncTests {
    @Suite struct SpinLockTests {
        @Test func guardsTheValue() {
            let lock = SpinLock([1, 2])
            lock.withLock { $0.append(3) }
            #expect(lock.withLock { $0 } == [1, 2, 3])
        }

        /// Tasks on the host's global executor run on real threads: the lock must serialise them.
        @Test func mutualExclusionAcrossThreads() async {
            let lock = SpinLock(0)
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
            let lock = SpinLock(5)
            let nested = lock.withLock { _ in lock.withLockIfAvailable { $0 } }
            #expect(nested == nil)
            #expect(lock.withLockIfAvailable { $0 } == 5)
        }

        @Test func errorsPropagateAndUnlock() {
            struct Oops: Error {}
            let lock = SpinLock(0)
            #expect(throws: Oops.self) { try lock.withLock { (_: inout Int) throws(Oops) in throw Oops() } }
            #expect(lock.withLockIfAvailable { _ in true } == true)
        }

        /// Interrupts are masked through the kernel's hooks exactly while the lock is held, and the
        /// saved state is what is restored.
        @Test func masksInterruptsWhileHeld() {
            SyncHookThread.claim()
            InterruptMasking.disable = {
                guard SyncHookThread.isCurrent else { return 0 }
                maskCalls.add(1, ordering: .relaxed)
                return maskToken
            }
            InterruptMasking.restore = { saved in
                guard SyncHookThread.isCurrent else { return }
                if saved != maskToken { badRestores.add(1, ordering: .relaxed) }
                restoreCalls.add(1, ordering: .relaxed)
            }
            defer {
                InterruptMasking.disable = { 0 }
                InterruptMasking.restore = { _ in }
                SyncHookThread.release()
            }
            let masks = maskCalls.load(ordering: .relaxed), restores = restoreCalls.load(ordering: .relaxed)
            let lock = SpinLock(0)
            lock.withLock { _ in
                #expect(maskCalls.load(ordering: .relaxed) == masks + 1)
                #expect(restoreCalls.load(ordering: .relaxed) == restores)
            }
            #expect(restoreCalls.load(ordering: .relaxed) == restores + 1)
            // A failed try-lock gives the state back at once.
            lock.withLock { _ in _ = lock.withLockIfAvailable { _ in } }
            #expect(maskCalls.load(ordering: .relaxed) - masks == restoreCalls.load(ordering: .relaxed) - restores)
            #expect(badRestores.load(ordering: .relaxed) == 0)
        }

        @Test func recordsTheOwnerCPU() {
            SyncHookThread.claim()
            SpinLockDebug.currentCPU = { SyncHookThread.isCurrent ? 3 : SpinLockDebug.unknownCPU }
            defer {
                SpinLockDebug.currentCPU = { SpinLockDebug.unknownCPU }
                SyncHookThread.release()
            }
            let lock = SpinLock(0)
            #expect(lock.ownerCPU == nil)
            #expect(lock.withLock { _ in lock.ownerCPU } == 3)
            #expect(lock.ownerCPU == nil)
        }

        /// With the CPU known, taking a lock the CPU already holds traps instead of spinning forever.
        @Test func recursiveAcquisitionTraps() async {
            await #expect(processExitsWith: .failure) {
                SpinLockDebug.currentCPU = { 0 }
                let lock = SpinLock(0)
                lock.withLock { _ in lock.withLock { _ in } }
            }
        }
    }
}
