import LichenCore

/// /proc/meminfo's Mlocked and Unevictable (Linux's NR_MLOCK): the resident pages of locked areas.
/// A memory that locks anything (mlock, mlock2, mlockall, MAP_LOCKED) is registered here until it is
/// torn down, so a read looks only at those memories, and in each at its locked areas only while its
/// locked total (a running sum of the map, VmLck) is not 0. The cost is that of the locked memory,
/// not of the number of processes or mappings. Each frame counts once, as Linux's NR_MLOCK counts
/// pages with PG_mlocked: a frame mapped once counts as it is met, the few mapped more than once
/// (shared memory locked by two processes, twice in one) are collected and counted once each. The
/// zero page and the vDSO's frames are never counted (Linux never mlocks them). Lichen has no swap and no page reclaim, so
/// nothing else is unevictable: Unevictable is Mlocked (SHM_LOCKed segments not included).
enum LockedMemory {
    private struct Registry {
        var memories: [Unmanaged<ProcessMemory>] = []
    }
    private static let registry = SpinLock(Registry())

    /// Registers `memory` once (its slot is remembered in it, so leaving is O(1)).
    static func register(_ memory: ProcessMemory) {
        registry.withLock { r in
            guard memory.lockedRegistrySlot < 0 else { return }
            memory.lockedRegistrySlot = r.memories.count
            r.memories.append(Unmanaged.passUnretained(memory))
        }
    }

    /// From ProcessMemory's deinit: the last slot moves into the one freed.
    static func unregister(_ memory: ProcessMemory) {
        registry.withLock { r in
            let slot = memory.lockedRegistrySlot
            guard slot >= 0 else { return }
            let last = r.memories.removeLast()
            if slot < r.memories.count {
                r.memories[slot] = last
                last._withUnsafeGuaranteedRef { $0.lockedRegistrySlot = slot }
            }
            memory.lockedRegistrySlot = -1
        }
    }

    /// Resident pages in locked areas, over every registered memory. Walked under the registry's
    /// lock: a memory being torn down waits in `unregister` until the walk is done, so every one
    /// seen is still whole (and is not retained: its deinit may have begun).
    static func residentPages() -> Int {
        registry.withLock { r in
            var pages = 0
            var shared: [UInt64] = []
            for m in r.memories {
                m._withUnsafeGuaranteedRef { memory in
                    memory.locked {
                        guard memory.map.lockedBytes != 0 else { return }
                        for area in memory.map.areas where area.locked {
                            var cursor = area.start
                            while cursor < area.end, let (address, frame) = memory.space.firstMapping(from: cursor, through: area.end - 1) {
                                cursor = address + UInt64(pageSize)
                                if ZeroPage.owns(frame) || Vdso.owns(frame) { continue }
                                if PhysicalMemory.userReferences(frame) <= 1 { pages += 1 } else { shared.append(frame.value) }
                            }
                        }
                    }
                }
            }
            return pages + distinctCount(&shared)
        }
    }

    /// How many different values `values` holds (sorted in place).
    static func distinctCount(_ values: inout [UInt64]) -> Int {
        guard !values.isEmpty else { return 0 }
        values.sort()
        var count = 1
        for i in 1..<values.count where values[i] != values[i - 1] { count += 1 }
        return count
    }
}
