import LichenCore
import Synchronization

/// A process's memory: its VMAs (LichenCore's VirtualMemoryMap decides what a fault means) and the
/// page tables and frames that realise them. fork shares every present page with the child
/// (reference-counted frames); private writable pages are mapped read-only in both and copied on the
/// first write (`handleFault`).
final class ProcessMemory {
    let space: UserAddressSpace
    /// Changed only under `lock` once the process runs.
    var map: VirtualMemoryMap<SharedMemoryObject>
    /// The VMAs, page tables and frame references change under this lock: the threads of a process
    /// fault, map and unmap on several CPUs at once (the unfair lock: see UnfairSpinLock). It guards
    /// a critical section over `map`, `space` and the frames' counts together, so it owns no value.
    /// TODO: own `map` (callers in the syscall layer reach it as `memory.map` inside `locked`).
    private let lock = UnfairSpinLock(())

    func locked<R, E: Error>(_ body: () throws(E) -> R) throws(E) -> R {
        try lock.withLock { (_: inout Void) throws(E) -> R in try body() }
    }

    /// The pages this memory has charged to Committed_AS (MemoryCommit).
    let committedPages = Atomic<Int>(0)

    /// Where the last read of /proc/<pid>/maps stopped: the line at byte `position` is that of the
    /// first area ending above `address`. The next read from there resumes at that address (as
    /// Linux's seq_file does) instead of measuring every line before it. Guarded by `lock`.
    var mapsCursor: (position: Int, address: UserAddr)? = nil
    /// The same for /proc/<pid>/smaps (whose blocks are formatted to be measured).
    var smapsCursor: (position: Int, address: UserAddr)? = nil
    /// This memory's slot in LockedMemory's registry (-1: it never locked anything). Guarded by
    /// the registry's lock.
    var lockedRegistrySlot = -1
    /// The running program's file may not be written (ETXTBSY) while this memory runs it.
    var programWriteDenial: ExecutableWriteDenial? = nil

    /// A snapshot of the VMAs (procfs).
    var areas: [VirtualMemoryArea<SharedMemoryObject>] { locked { Array(map.areas) } }
    /// The mmap area grows down from here (below the stack).
    static let mmapBase = UserAddr(0x0000_7fff_0000_0000)
    static let stackTop = UserAddr(0x0000_7fff_ffff_f000)
    init?() {
        guard let space = UserAddressSpace() else { return nil }
        self.space = space
        map = VirtualMemoryMap(mmapBase: ProcessMemory.mmapBase)
    }

    /// The memory of every process that has exited (a zombie has no mappings, as Linux's has no mm):
    /// no areas, so every access to it fails.
    static let exited: ProcessMemory = ProcessMemory()!

    deinit {
        LockedMemory.unregister(self)
        for area in map.areas { releaseFrames(area.start, area.end) }
        MemoryCommit.released(self)
        OutOfMemory.memoryReleased(ObjectIdentifier(self))
    }

    /// The code of a fault that failed for want of memory (no signal is sent: the OOM killer runs).
    static let outOfMemoryCode = Int32.min
    /// The code of a fault that needs a disk file's page read in first (`pendingReadIn`), which
    /// cannot happen under the lock: the caller awaits `completeReadIn` and faults again.
    static let readInCode = Int32.min + 1
    /// The page the last such fault needs. Guarded by `lock`.
    private var pendingReadIn: (file: any FilePageCache, index: Int64)? = nil

    /// User W^X: a page of a writable and executable area is mapped writable, or executable while
    /// code runs from it (`executing`: an instruction fetch faulted; the next write faults it back).
    static func attributes(_ p: MemoryProtection, executing: Bool = false) -> UserMemoryAttributes {
        if executing && p.contains(.execute) { return UserMemoryAttributes(.code) }
        if p.contains(.write) { return UserMemoryAttributes(.data) }
        if p.contains(.execute) { return UserMemoryAttributes(.code) }
        return UserMemoryAttributes(p.isEmpty ? .noAccess : .readOnly)
    }

    /// The frame mapped at `page`, if any.
    func frame(at page: UserAddr) -> PhysAddr? { space.translate(page.pageAlignedDown) }

    /// Maps a zeroed frame at `page` with `protection`; returns it (or the one already there).
    @discardableResult
    func populate(_ page: UserAddr, protection: MemoryProtection) -> PhysAddr? {
        if let existing = frame(at: page) {
            // The zero page (a read fault came first) is never written: the page gets its own frame.
            guard ZeroPage.owns(existing) else { return existing }
            do { try space.unmap(page, size: UInt64(pageSize)) } catch { return nil }
        }
        guard let frame = PhysicalMemory.allocateForUser() else { return nil }
        let pointer = KernelLayout.directMap(frame).pointer
        pointer.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize)
        if protection.contains(.execute) { CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: pointer)), size: pageSize) }
        do { try space.map(page, frame: frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection)) }
        catch { PhysicalMemory.free(frame); return nil }
        PhysicalMemory.setUserReferences(frame, 1)
        return frame
    }

    /// Maps a new frame at each page of [start, end) not mapped yet (exec: a segment, the initial stack),
    /// in one walk of the tables: `fill` writes all of each frame first, given the page's address. Pages
    /// already mapped are left and handed to `present` with their frame. False when memory ran out; the
    /// pages mapped until then stay (their area's teardown releases them).
    func populate(_ start: UserAddr, _ end: UserAddr, protection: MemoryProtection,
                  fill: (UnsafeMutableRawPointer, UserAddr) -> Void,
                  present: (UserAddr, PhysAddr) -> Void = { _, _ in }) -> Bool {
        let executable = protection.contains(.execute)
        do {
            try space.mapPages(start, end, attributes: ProcessMemory.attributes(protection), frame: { page in
                guard let frame = PhysicalMemory.allocateForUser() else { return nil }
                let pointer = KernelLayout.directMap(frame).pointer
                fill(pointer, page)
                if executable { CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: pointer)), size: pageSize) }
                // Frames from the allocator are aligned and in range: a frame handed over is mapped.
                PhysicalMemory.setUserReferences(frame, 1)
                return frame
            }, present: present)
        } catch {
            return false
        }
        return true
    }

    /// A user page fault: resolved (demand-zero, a shared object's page, copy-on-write, stack
    /// growth), or the signal to send (SIGSEGV; SIGBUS past the end of a shared object).
    func handleFault(at address: UserAddr, write: Bool, instruction: Bool) -> (resolved: Bool, signal: Signal, code: Int32) {
        locked { resolveFault(at: address, write: write, instruction: instruction) }
    }

    /// A fault from a context that may sleep: a disk file's page missing from its cache is read in
    /// (with no lock held) and the fault retried.
    func handleFaultReadingIn(at address: UserAddr, write: Bool, instruction: Bool) async -> (resolved: Bool, signal: Signal, code: Int32) {
        while true {
            let outcome = handleFault(at: address, write: write, instruction: instruction)
            guard !outcome.resolved && outcome.code == ProcessMemory.readInCode else { return outcome }
            if let failure = await completeReadIn() { return (false, failure.signal, failure.code) }
        }
    }

    /// Reads in the page a fault found missing (`readInCode`): nil when it is cached now (fault
    /// again), else the fault's signal. Paths that cannot sleep (copies to and from user memory in a
    /// syscall) fail with EFAULT; the thread then reads the page in and restarts the syscall.
    func completeReadIn() async -> (signal: Signal, code: Int32)? {
        guard let pending = locked({ () -> (file: any FilePageCache, index: Int64)? in
            defer { pendingReadIn = nil }
            return pendingReadIn
        }) else { return nil }
        switch await pending.file.readIn(at: pending.index) {
        case .ready: return nil
        case .beyondEnd, .ioError: return (.SIGBUS, LinuxSigInfo.BUS_ADRERR)
        case .outOfMemory: return (.SIGSEGV, ProcessMemory.outOfMemoryCode)
        }
    }

    /// Whether a fault left a page to read in (the syscall that failed with EFAULT is restarted).
    var readInPending: Bool { locked { pendingReadIn != nil } }

    private func resolveFault(at address: UserAddr, write: Bool, instruction: Bool) -> (resolved: Bool, signal: Signal, code: Int32) {
        let resolved = (resolved: true, signal: Signal.SIGSEGV, code: Int32(0))
        let outOfMemory = (resolved: false, signal: Signal.SIGSEGV, code: ProcessMemory.outOfMemoryCode)
        let unresolved = (resolved: false, signal: Signal.SIGSEGV, code: LinuxSigInfo.SEGV_ACCERR)
        switch map.resolveFault(at: address, access: instruction ? .execute : write ? .write : .read) {
        case .signal(_, let code):
            return (false, .SIGSEGV, code)
        case .map(let mapping):
            guard let existing = frame(at: mapping.page) else {
                if mapping.kind == .vdso || mapping.kind == .vvar, let shared = Vdso.frame(for: mapping.page, kind: mapping.kind) {
                    return remapVdso(mapping.page, frame: shared, protection: mapping.protection) ? resolved : outOfMemory
                }
                if case .file(let object, let offset) = mapping.source {
                    switch object.page(at: offset) {
                    case .beyondEnd: return (false, .SIGBUS, LinuxSigInfo.BUS_ADRERR)
                    case .outOfMemory: return outOfMemory
                    case .readIn(let file, let index):
                        pendingReadIn = (file, index)
                        return (false, .SIGBUS, ProcessMemory.readInCode)
                    case .frame(let frame):
                        guard mapObjectPage(mapping, frame: frame, write: write) else { return outOfMemory }
                        if !write && (mapping.kind == .code || mapping.kind == .data) { mapAround(mapping, object) }
                        return resolved
                    }
                }
                if !write && !instruction && mapping.sharing == .private && ZeroPage.available {
                    return mapZeroPage(mapping.page, protection: mapping.protection) ? resolved : outOfMemory
                }
                return populate(mapping.page, protection: mapping.protection) != nil ? resolved : outOfMemory
            }
            if mapping.copyOnWrite && PhysicalMemory.userReferences(existing) > 1 {
                return copyOnWrite(mapping.page, from: existing, protection: mapping.protection) ? resolved : outOfMemory
            }
            // Ours alone (the other side of a fork copied or exited), or mprotect changed the area. A
            // private page still shared since fork stays read-only (fork only cleared write permission,
            // so executing a writable and executable area's page faults here): its first write copies it.
            var protection = mapping.protection
            if mapping.sharing == .private && PhysicalMemory.userReferences(existing) > 1 { protection.remove(.write) }
            if mapping.sharing == .shared && protection.contains(.write) { trackDirty(mapping, write: write, &protection) }
            do { try space.protect(mapping.page, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection, executing: instruction)) }
            catch { return unresolved }
            return resolved
        }
    }

    /// Maps an object's page (its reference taken for this entry): the same frame every mapping of
    /// the object gets. A private file mapping maps it read-only, so that it sees the file change
    /// until its first write, which copies it (as Linux).
    private func mapObjectPage(_ mapping: VirtualMemoryMap<SharedMemoryObject>.FaultMapping, frame: PhysAddr, write: Bool) -> Bool {
        var protection = mapping.protection
        if mapping.sharing == .private { protection.remove(.write) }
        else if protection.contains(.write) { trackDirty(mapping, write: write, &protection) }
        // Its bytes were written as data (write(2), another mapping): code run from it must see them.
        if protection.contains(.execute) { CPU.syncInstructionCache(address: KernelLayout.directMap(frame).value, size: pageSize) }
        do { try space.map(mapping.page, frame: frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection)) }
        catch { PhysicalMemory.releaseUserPage(frame); return false }
        if mapping.copyOnWrite { return copyOnWrite(mapping.page, from: frame, protection: mapping.protection) }
        return true
    }

    /// Fault-around for a program's segments (LichenCore's FaultAround): the other pages of the window
    /// that the file's cache holds and that are not mapped yet, read-only (a write copies them as it
    /// would the faulting one). Nothing is read in or allocated for a page not in memory.
    private func mapAround(_ mapping: VirtualMemoryMap<SharedMemoryObject>.FaultMapping, _ object: SharedMemoryObject) {
        guard mapping.sharing == .private, let area = map.area(containing: mapping.page) else { return }
        let window = FaultAround.window(around: mapping.page.value, areaStart: area.start.value, areaEnd: area.end.value)
        var protection = mapping.protection
        protection.remove(.write)
        var page = window.lowerBound
        while page < window.upperBound {
            defer { page += UInt64(pageSize) }
            let address = UserAddr(page)
            if address == mapping.page || frame(at: address) != nil { continue }
            guard let frame = object.cachedPage(at: area.fileOffset(of: address)) else { continue }
            if protection.contains(.execute) { CPU.syncInstructionCache(address: KernelLayout.directMap(frame).value, size: pageSize) }
            do { try space.map(address, frame: frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection)) }
            catch { PhysicalMemory.releaseUserPage(frame); return }
        }
    }

    /// A disk file's shared page is writable only once dirty: a write marks it (before the entry
    /// allows stores), a read maps it read-only, so that its first store faults here again.
    private func trackDirty(_ mapping: VirtualMemoryMap<SharedMemoryObject>.FaultMapping, write: Bool, _ protection: inout MemoryProtection) {
        guard case .file(let object, let offset) = mapping.source, let file = object.file, file.tracksDirtyPages else { return }
        if write { file.pageDirtied(at: Int64(offset / UInt64(pageSize))) } else { protection.remove(.write) }
    }

    /// A vDSO page whose entry went while its area stayed (MADV_DONTNEED), mapped again: its first
    /// write, if mprotect allowed one, copies it like a page shared since fork.
    private func remapVdso(_ page: UserAddr, frame: PhysAddr, protection: MemoryProtection) -> Bool {
        var readOnly = protection
        readOnly.remove(.write)
        do { try space.map(page, frame: frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(readOnly)) }
        catch { return false }
        return true
    }

    /// A read of untouched private anonymous memory maps the shared zero page read-only (as Linux's
    /// do_anonymous_page): no frame is taken until the first write (`copyOnWrite` from it).
    private func mapZeroPage(_ page: UserAddr, protection: MemoryProtection) -> Bool {
        var readOnly = protection
        readOnly.remove(.write)
        do { try space.map(page, frame: ZeroPage.frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(readOnly)) }
        catch { return false }
        return true
    }

    /// A write to a page still shared since fork (or to the zero page): this process gets its own copy.
    private func copyOnWrite(_ page: UserAddr, from shared: PhysAddr, protection: MemoryProtection) -> Bool {
        guard let copy = PhysicalMemory.allocateForUser() else { return false }
        let target = KernelLayout.directMap(copy).pointer
        if ZeroPage.owns(shared) { target.initializeMemory(as: UInt8.self, repeating: 0, count: pageSize) }
        else { target.copyMemory(from: KernelLayout.directMap(shared).pointer, byteCount: pageSize) }
        if protection.contains(.execute) { CPU.syncInstructionCache(address: KernelLayout.directMap(copy).value, size: pageSize) }
        do {
            try space.unmap(page, size: UInt64(pageSize))
            try space.map(page, frame: copy, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection))
        } catch {
            PhysicalMemory.free(copy)
            return false
        }
        PhysicalMemory.setUserReferences(copy, 1)
        PhysicalMemory.releaseUserPage(shared)
        return true
    }

    /// Frees the frames mapped in [start, end) and removes their entries. Visits only what is
    /// mapped: an area of terabytes that was barely touched is torn down quickly. Frames are freed
    /// only after the TLB invalidation (another thread may still use a cached entry until then), so
    /// they are collected in batches, one invalidation each.
    func releaseFrames(_ start: UserAddr, _ end: UserAddr) {
        // Stack storage left uninitialised: zeroing a batch costs about what a small munmap's walk does.
        withUnsafeTemporaryAllocation(of: PhysAddr.self, capacity: 64) { batch in
            var cursor: UserAddr? = start
            while let from = cursor {
                var count = 0
                cursor = space.unmapPages(from, end) { frame in
                    batch.initializeElement(at: count, to: frame)
                    count += 1
                    return count < batch.count
                }
                for i in 0..<count { PhysicalMemory.releaseUserPage(batch[i]) }
            }
        }
    }

    /// Copies kernel bytes into user memory that is mapped (the loader, the initial stack, file
    /// mappings). `instructions`: the bytes are code, so the instruction cache must see them.
    func write(_ bytes: UnsafeRawBufferPointer, at address: UserAddr, instructions: Bool = false) {
        var done = 0
        while done < bytes.count {
            let a = address + UInt64(done)
            guard let frame = frame(at: a), !ZeroPage.owns(frame) else { return }
            let n = min(bytes.count - done, pageSize - Int(a.pageOffset))
            let target = KernelLayout.directMap(frame).pointer + Int(a.pageOffset)
            target.copyMemory(from: bytes.baseAddress! + done, byteCount: n)
            if instructions { CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: target)), size: n) }
            done += n
        }
    }

    /// Fills `count` bytes at `offset` in `frame` (a page mapped already) through `fill`.
    /// `instructions`: the bytes are code, so the instruction cache must see them.
    static func fill(_ frame: PhysAddr, at offset: Int, count: Int, instructions: Bool, _ fill: (UnsafeMutableRawBufferPointer) -> Void) {
        let target = KernelLayout.directMap(frame).pointer + offset
        fill(UnsafeMutableRawBufferPointer(start: target, count: count))
        if instructions { CPU.syncInstructionCache(address: UInt64(UInt(bitPattern: target)), size: count) }
    }

    /// fork: the child gets the same areas and shares every present page. Private writable pages become
    /// read-only on both sides until one writes (copy-on-write); shared mappings stay writable.
    func duplicate() -> ProcessMemory? {
        guard let child = ProcessMemory() else { return nil }
        return locked { duplicate(into: child) }
    }

    private func duplicate(into child: ProcessMemory) -> ProcessMemory? {
        child.map = map.forked()
        child.programWriteDenial = programWriteDenial?.duplicate()
        guard MemoryCommit.inherit(from: self, into: child) else { return nil }
        // One walk per area over the present pages, and one TLB invalidation for all the entries made
        // read-only, even after a failure. Until then another thread of this process may still write
        // through a cached writable entry, as on Linux: such a write races with the fork anyway.
        defer { space.flushTLB() }
        for area in map.areas {
            let copyOnWrite = area.sharing == .private && area.protection.contains(.write)
            do {
                try space.copyPages(area.start, area.end, into: child.space, copyOnWrite: copyOnWrite) { frame in
                    PhysicalMemory.shareUserPage(frame)
                }
            } catch {
                return nil          // the child's areas are set: its deinit releases what was shared
            }
        }
        return child
    }
}
