import LichenCore

/// The vDSO (docs/userspace.md "vDSO"): the shared object built from kernel/vdso and a data page
/// ("vvar", kernel/vdso/vvar.h), both mapped read-only into every process at a fixed place, so that
/// clock_gettime, gettimeofday and clock_getres run in user space (AT_SYSINFO_EHDR points at it) and
/// signal handlers return through its __kernel_rt_sigreturn.
///
/// The frames are allocated once at boot, contiguous (data page first, then the text pages), and
/// owned by nobody: the page tables of every process map them, fork shares them and teardown unmaps
/// them, but PhysicalMemory neither counts nor frees them (`owns`).
enum Vdso {
    /// The data page's address in every process: just above the mmap area (which grows down from
    /// mmapBase), far below the stack (whose 8 MiB limit ends 4 GiB higher). The text follows it.
    static let dataAddress = ProcessMemory.mmapBase
    static let textAddress = ProcessMemory.mmapBase + UInt64(pageSize)

    nonisolated(unsafe) private static var first: UInt64 = 0
    nonisolated(unsafe) private static var end: UInt64 = 0
    nonisolated(unsafe) private(set) static var textPages = 0

    static var available: Bool { textPages > 0 }
    /// Where a handler returns without SA_RESTORER: the vDSO's __kernel_rt_sigreturn.
    static var sigreturn: UserAddr { textAddress + KernelLayout.vdsoSigreturnOffset }

    /// Whether `frame` is one of the vDSO's (not reference counted, never freed).
    @inline(__always)
    static func owns(_ frame: PhysAddr) -> Bool { frame.value &- first < end &- first }

    /// At boot, once physical memory is up: copies the embedded image to its frames and fills the
    /// data page. False without memory (processes then get neither a vDSO nor AT_SYSINFO_EHDR).
    static func start() -> Bool {
        let image = KernelLayout.vdsoImage
        let size = image.count
        let pages = (size + pageSize - 1) / pageSize
        var order = 0
        while 1 << order < pages + 1 { order += 1 }
        guard size > 0, let frames = PhysicalMemory.allocate(order: order) else { return false }
        let data = KernelLayout.directMap(frames).pointer
        data.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize * (pages + 1))
        let text = data + pageSize
        text.copyMemory(from: image.baseAddress!, byteCount: size)
        CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: text)), size: pages * pageSize)
        data.storeBytes(of: Clock.frequency, toByteOffset: 8, as: UInt64.self)
        data.storeBytes(of: RealtimeClock.base, toByteOffset: 16, as: UInt64.self)
        CPU.completeStores()
        first = frames.value
        end = frames.value + UInt64((pages + 1) * pageSize)
        textPages = pages
        return true
    }

    /// A new CLOCK_REALTIME base (RealtimeClock, which serialises the callers): the data page's
    /// sequence counter is odd while the base changes, so the vDSO retries a reading that overlapped.
    static func publish(realtimeBase base: UInt64) {
        guard available else { return }
        let data = KernelLayout.directMap(PhysAddr(first)).pointer
        let sequence = data.load(as: UInt32.self)
        data.storeBytes(of: sequence &+ 1, as: UInt32.self)
        CPU.orderStores()
        data.storeBytes(of: base, toByteOffset: 16, as: UInt64.self)
        CPU.orderStores()
        data.storeBytes(of: sequence &+ 2, as: UInt32.self)
    }

    /// execve: the [vvar] and [vdso] areas and their page table entries in a new process's memory.
    /// The data page may never become writable (EACCES from mprotect, as Linux); the text may (a
    /// debugger's breakpoint): the first write copies the page.
    static func install(in memory: ProcessMemory) -> Bool {
        guard available else { return true }
        let textEnd = textAddress + UInt64(textPages * pageSize)
        memory.map.add(VirtualMemoryArea(start: dataAddress, end: textAddress, protection: [.read],
                                         maximumProtection: [.read], kind: .vvar))
        memory.map.add(VirtualMemoryArea(start: textAddress, end: textEnd, protection: [.read, .execute], kind: .vdso))
        do {
            try memory.space.map(dataAddress, frame: PhysAddr(first), size: UInt64(pageSize), attributes: UserMemoryAttributes(.readOnly))
            try memory.space.map(textAddress, frame: PhysAddr(first + UInt64(pageSize)), size: UInt64(textPages * pageSize),
                                 attributes: UserMemoryAttributes(.code))
        } catch { return false }
        return true
    }

    /// The vDSO frame for `page` of a [vvar] or [vdso] area (`kind`) whose entry went while the area stayed
    /// (madvise(MADV_DONTNEED), once Lichen's madvise does more than advise), or nil.
    static func frame(for page: UserAddr, kind: MemoryAreaKind) -> PhysAddr? {
        guard available else { return nil }
        switch kind {
        case .vvar where page == dataAddress: return PhysAddr(first)
        case .vdso where page >= textAddress && page < textAddress + UInt64(textPages * pageSize):
            return PhysAddr(first + UInt64(pageSize) + (page - textAddress))
        default: return nil
        }
    }
}
