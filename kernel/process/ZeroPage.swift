import LichenCore

/// The shared zero page (Linux's ZERO_PAGE): one zeroed frame, allocated at boot and never freed,
/// that a read fault on untouched private anonymous memory maps read-only instead of allocating a
/// frame. The first write copies nothing: it allocates a zeroed frame of its own (copy-on-write from
/// the zero page, `ProcessMemory.copyOnWrite`). Like the vDSO's frames it is not reference counted
/// (`PhysicalMemory` answers "shared by many" for it, so every copy-on-write rule applies) and, as
/// on Linux, it is not counted in any process's RSS, smaps Rss/Pss, or Mlocked; pagemap and mincore
/// see it present.
enum ZeroPage {
    /// Not page aligned until `start`: no frame is the zero page before it.
    nonisolated(unsafe) private static var address: UInt64 = 1

    static var available: Bool { address & UInt64(pageSize - 1) == 0 }
    static var frame: PhysAddr { PhysAddr(address) }

    @inline(__always)
    static func owns(_ frame: PhysAddr) -> Bool { frame.value == address }

    /// At boot, once physical memory is up. False without memory: read faults then allocate.
    static func start() -> Bool {
        guard let frame = PhysicalMemory.allocate() else { return false }
        let pointer = KernelLayout.directMap(frame).pointer
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
        // It may be mapped executable (a PROT_EXEC anonymous area read before it runs).
        CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: pointer)), size: pageSize)
        CPU.completeStores()
        address = frame.value
        return true
    }
}
