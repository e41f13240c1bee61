import LichenCore
import LichenAArch64
import AArch64Intrinsics

/// A process's translation tables: its own lower half (user, non-global, tagged by ASID) and the
/// kernel's upper half shared by copying the kernel root's L0 entries 256-511, which never change after
/// boot (KernelAddressSpace.populateKernelHalf). Switching address spaces is one TTBR0 write.
final class UserAddressSpace {
    private(set) var table: TranslationTable<KernelTableMemory>
    let asid: UInt64
    /// The space each CPU's TTBR0 holds. Switching is lazy (kept after user code stops, since every
    /// TTBR0 change is costly), so each CPU holds a reference: a space is never freed while loaded.
    nonisolated(unsafe) private static let loaded: UnsafeMutablePointer<UserAddressSpace?> = {
        let p = UnsafeMutablePointer<UserAddressSpace?>.allocate(capacity: PerCPU.maxCPUs)
        p.initialize(repeating: nil, count: PerCPU.maxCPUs)
        return p
    }()

    init?() {
        guard let kernel = KernelAddressSpace.table,
              let created = try? TranslationTable<KernelTableMemory>.create(memory: KernelTableMemory(forUser: true)) else { return nil }
        table = created
        for index in 256..<512 {
            table.memory.writeEntry(table: table.root, index: index, kernel.memory.readEntry(table: kernel.root, index: index))
        }
        asid = UserAddressSpace.allocateASID()
    }

    deinit {
        for index in 256..<512 { table.memory.writeEntry(table: table.root, index: index, 0) }   // not ours to free
        _ = table.destroy()
        tlb_flush_asid(asid)
    }

    /// The next ASID to hand out. Processes are created on several CPUs at once: two must never
    /// get the same one.
    private static let nextASID = SpinLock<UInt64>(1)

    private static func allocateASID() -> UInt64 {
        nextASID.withLock { next in
            if next > 0xffff {                          // wrapped: start over with a clean TLB
                next = 1
                tlb_flush_all()
            }
            defer { next += 1 }
            return next
        }
    }

    /// Makes this the address space of the current CPU (a no-op if it already is).
    func activate() {
        let cpu = PerCPU.currentIndex
        guard UserAddressSpace.loaded[cpu] !== self else { return }
        write_ttbr0(table.root.value | (asid << 48))
        isb()
        UserAddressSpace.loaded[cpu] = self          // may free the previous space: no CPU has it now
    }

    /// Switches this CPU back to the kernel's own tables, dropping its reference to a user space
    /// (when the CPU goes idle, or a test is done with a space).
    static func deactivateCurrent() {
        guard let kernel = KernelAddressSpace.table else { return }
        let cpu = PerCPU.currentIndex
        guard loaded[cpu] != nil else { return }
        write_ttbr0(kernel.root.value)
        isb()
        loaded[cpu] = nil
    }

    func map(_ address: UserAddr, frame: PhysAddr, size: UInt64, attributes: MemoryAttributes) throws(MappingError) {
        try table.map(virtual: address, physical: frame, size: size, attributes: attributes, allowBlocks: false)
    }

    /// Maps the pages of [start, end) not mapped yet in one walk, each to the frame `frame` gives (nil stops
    /// with `.outOfMemory`); `present` gets each page already mapped. Only invalid entries are written: no
    /// TLB maintenance. On an error the pages before it stay mapped (`TranslationTable.mapPages`).
    func mapPages(_ start: UserAddr, _ end: UserAddr, attributes: MemoryAttributes, frame: (UserAddr) -> PhysAddr?,
                  present: (UserAddr, PhysAddr) -> Void) throws(MappingError) {
        try table.mapPages(from: start, to: end, attributes: attributes, frame: frame, present: present)
    }

    func unmap(_ address: UserAddr, size: UInt64) throws(MappingError) {
        try table.unmap(virtual: address, size: size)
        var page = address.pageAlignedDown.value
        while page < address.value + size {
            tlb_flush_page(page, asid)
            page += UInt64(pageSize)
        }
    }

    func protect(_ address: UserAddr, size: UInt64, attributes: MemoryAttributes) throws(MappingError) {
        try table.protect(virtual: address, size: size, attributes: attributes)
        var page = address.pageAlignedDown.value
        while page < address.value + size {
            tlb_flush_page(page, asid)
            page += UInt64(pageSize)
        }
    }

    /// fork: maps the pages of [start, end) into `child` too (one walk over the present entries),
    /// calling `visit` with each frame; with `copyOnWrite` both sides lose write permission. No TLB
    /// maintenance: this space's entries may be cached writable until the caller's `flushTLB()`, once
    /// after all areas. On an error the pages before it are copied and visited (`copyPages`).
    func copyPages(_ start: UserAddr, _ end: UserAddr, into child: UserAddressSpace, copyOnWrite: Bool,
                   _ visit: (PhysAddr) -> Void) throws(MappingError) {
        try table.copyPages(from: start, to: end, into: &child.table, copyOnWrite: copyOnWrite) { _, frame in visit(frame) }
    }

    /// The lowest mapped page in [first, last] and its frame.
    func firstMapping(from first: UserAddr, through last: UserAddr) -> (UserAddr, PhysAddr)? {
        table.firstMapping(from: first, through: last).map { ($0.address, $0.translation.physical) }
    }

    /// Invalidates every TLB entry of this space, on every CPU.
    func flushTLB() { tlb_flush_asid(asid) }

    /// Unmaps the pages of [start, end) in one walk, handing each frame to `visit` (which returns false
    /// to stop, e.g. when its buffer is full), then invalidates the TLB once: the caller may free the
    /// frames when this returns, not earlier. Returns where to resume, nil when the range is done.
    func unmapPages(_ start: UserAddr, _ end: UserAddr, _ visit: (PhysAddr) -> Bool) -> UserAddr? {
        var count = 0
        var lastPage = UserAddr(0)
        // Every page the range touches. User trees hold pages only: nothing left to throw.
        let resume = try? table.unmapPages(from: start.pageAlignedDown, to: end.pageAlignedUp) { page, frame in
            count += 1
            lastPage = page
            return visit(frame)
        }
        if count == 1 { tlb_flush_page(lastPage.value, asid) } else if count > 1 { tlb_flush_asid(asid) }
        return resume
    }

    func translate(_ address: UserAddr) -> PhysAddr? {
        table.translate(address).map { $0.physical + (address.value & ($0.mappingSize - 1)) }
    }
}

/// Copies between kernel memory and a user address space. Every user range is checked to lie in user
/// space first (kernel memory is mapped in the same tables), and is accessed with EL0's permissions
/// (usermode.S); a fault on a user page is caught by the exception fixup and reported as an error
/// carrying the address (UserMemory resolves demand paging and copy-on-write, then retries).
enum UserAccess {
    enum Failure: Error { case fault(UserAddr) }

    static func copyIn(_ destination: UnsafeMutableRawBufferPointer, from source: UserAddr,
                       in space: UserAddressSpace) throws(Failure) {
        guard source.rangeIsUser(count: destination.count) else { throw .fault(source) }
        guard let base = destination.baseAddress, destination.count > 0 else { return }
        space.activate()
        let left = lichen_user_copy_in(base, UnsafeRawPointer(bitPattern: UInt(source.value)), UInt64(destination.count))
        if left != 0 { throw .fault(ExceptionFixup.lastFault) }
    }

    static func copyOut(_ source: UnsafeRawBufferPointer, to destination: UserAddr,
                        in space: UserAddressSpace) throws(Failure) {
        guard destination.rangeIsUser(count: source.count) else { throw .fault(destination) }
        guard let base = source.baseAddress, source.count > 0 else { return }
        space.activate()
        let left = lichen_user_copy_out(UnsafeMutableRawPointer(bitPattern: UInt(destination.value)), base, UInt64(source.count))
        if left != 0 { throw .fault(ExceptionFixup.lastFault) }
    }

    /// Length of the NUL-terminated string at `address`, or nil if there is no NUL in `limit` bytes.
    static func stringLength(at address: UserAddr, limit: Int, in space: UserAddressSpace) throws(Failure) -> Int? {
        let reachable = min(UInt64(limit), address.value < UserAddr.limit ? UserAddr.limit - address.value : 0)
        guard reachable > 0 else { throw .fault(address) }
        space.activate()
        let length = lichen_user_string_length(UnsafeRawPointer(bitPattern: UInt(address.value)), reachable)
        if length < 0 { throw .fault(ExceptionFixup.lastFault) }
        return length < limit ? Int(length) : nil
    }
}

/// Kernel faults on user addresses inside the user-access routines resume at their fixup code.
enum ExceptionFixup {
    nonisolated(unsafe) private static var faults = [UInt64](repeating: 0, count: PerCPU.maxCPUs)

    static var lastFault: UserAddr { UserAddr(faults[PerCPU.currentIndex]) }

    /// Redirects `frame` to a fixup if it faulted on a user address in a user-access routine.
    static func apply(_ frame: TrapFrame) -> Bool {
        let syndrome = ExceptionSyndrome(frame.esr)
        guard syndrome.exceptionClass == .dataAbortSameEL, frame.far < UserAddr.limit else { return false }
        let pc = frame.elr
        let fixup: UInt64
        if pc >= address_of___uaccess_bulk_in_start() && pc < address_of___uaccess_bulk_in_end() {
            fixup = address_of_lichen_user_copy_in_words()      // redone word by word from the block
        } else if pc >= address_of___uaccess_bulk_out_start() && pc < address_of___uaccess_bulk_out_end() {
            fixup = address_of_lichen_user_copy_out_words()
        } else if pc >= address_of___uaccess_start() && pc < address_of___uaccess_end() {
            fixup = address_of_lichen_user_copy_fault()
        } else if pc >= address_of___ustring_start() && pc < address_of___ustring_end() {
            fixup = address_of_lichen_user_string_fault()
        } else {
            return false
        }
        faults[PerCPU.currentIndex] = frame.far
        frame.elr = fixup
        return true
    }
}
