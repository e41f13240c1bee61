import Synchronization
import Testing
@testable import LichenCore

/// A one-slot keep shared by every thread (the kernel's is per CPU), counting reuses.
private enum OneSlotKeep {
    static let slot = Atomic<UInt>(0)
    static let reuses = Atomic<Int>(0)

    static func install() {
        WaiterRecycling.take = {
            let raw = OneSlotKeep.slot.exchange(0, ordering: .acquiringAndReleasing)
            if raw != 0 { OneSlotKeep.reuses.add(1, ordering: .relaxed) }
            return UnsafeMutableRawPointer(bitPattern: raw)
        }
        WaiterRecycling.keep = { raw in
            OneSlotKeep.slot.compareExchange(expected: 0, desired: UInt(bitPattern: raw),
                                             successOrdering: .acquiringAndReleasing, failureOrdering: .relaxed).exchanged
        }
    }

    /// Drops the hooks and whatever waiter the slot still holds.
    static func remove() {
        WaiterRecycling.take = nil
        WaiterRecycling.keep = nil
        if let raw = UnsafeMutableRawPointer(bitPattern: slot.exchange(0, ordering: .acquiringAndReleasing)) {
            Unmanaged<Waiter>.fromOpaque(raw).release()
        }
    }
}

extension SyncTests {
    @Suite struct WaiterRecyclingTests {
        /// A waiter kept from an interrupted or timed-out wait starts the next wait clean: the
        /// sticky interruption and expiry of the old wait do not end the new one.
        @Test func reusedWaiterForgetsTheLastWaitsEnd() async {
            OneSlotKeep.install()
            defer { OneSlotKeep.remove() }
            let before = OneSlotKeep.reuses.load(ordering: .relaxed)
            let queue = WaitQueue()
            for _ in 0..<20 {
                let interrupted = Task { await ended { () throws(WaitError) in try await queue.wait(until: { false }) } }
                await eventually { queue.waiterCount == 1 }
                interrupted.cancel()
                #expect(await interrupted.value == .error(.interrupted))

                let ready = Flag()
                let woken = Task { await ended { () throws(WaitError) in try await queue.wait(until: { ready.isSet }) } }
                await eventually { queue.waiterCount == 1 }
                ready.set()
                queue.wakeAll()
                #expect(await woken.value == .value(true))
            }
            #expect(OneSlotKeep.reuses.load(ordering: .relaxed) > before)
            #expect(queue.waiterCount == 0)
        }

        /// Mutex hand-over and RwLock admission through reused waiters (their `kind` is reset).
        @Test func reusedWaitersServeLocks() async {
            OneSlotKeep.install()
            defer { OneSlotKeep.remove() }
            let mutex = LichenCore.Mutex(0)
            let rw = RwLock(0)
            await withTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask {
                        for _ in 0..<200 {
                            await mutex.withLock { (n: inout Int) async in
                                await Task.yield()
                                n += 1
                            }
                            await rw.withWriteLock { (n: inout Int) async in
                                await Task.yield()
                                n += 1
                            }
                            _ = await rw.withReadLock { (n: Int) async in
                                await Task.yield()
                                return n
                            }
                        }
                    }
                }
            }
            #expect(await mutex.withLock { (n: inout Int) in n } == 800)
            #expect(await rw.withReadLock { (n: Int) in n } == 800)
        }
    }
}
