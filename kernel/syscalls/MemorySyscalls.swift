import LichenCore

/// brk, mmap (anonymous private or shared; files through their page cache, or read in when they have
/// none), munmap, mprotect, madvise, mremap.
enum MemorySyscalls {
    static let MAP_SHARED: UInt64 = 0x01, MAP_PRIVATE: UInt64 = 0x02, MAP_FIXED: UInt64 = 0x10
    static let MAP_ANONYMOUS: UInt64 = 0x20, MAP_GROWSDOWN: UInt64 = 0x100, MAP_NORESERVE: UInt64 = 0x4000
    static let MAP_FIXED_NOREPLACE: UInt64 = 0x100000, MAP_POPULATE: UInt64 = 0x8000, MAP_LOCKED: UInt64 = 0x2000


    /// CAP_SYS_ADMIN, for strict overcommit's admin reserve.
    static func isAdmin(_ a: SyscallArguments) -> Bool { a.credentials.euid == 0 }

    // Each change runs under the memory's lock: other threads of the process fault and map on other
    // CPUs meanwhile.

    static func brk(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let requested = a.address(0)
        let memory = a.process.memory
        let admin = isAdmin(a), process = a.process
        return memory.locked {
            let current = memory.map.currentBreak
            // The heap's growth is promised (Committed_AS) first: brk refuses by returning the old break.
            var growth: UInt64 = 0
            if requested > current, requested.value <= UserAddr.limit {
                growth = requested.pageAlignedUp - current.pageAlignedUp
                do throws(Errno) {
                    try MemoryLimits.check(process, adding: growth, data: true, areas: memory.map.areas)
                    try MemoryCommit.charge(growth, to: memory, admin: admin, areas: memory.map.areas)
                } catch { return current.value }
            }
            let (newBreak, released) = memory.map.setBreak(requested)
            if growth > 0 && newBreak != requested { MemoryCommit.uncharge(MemoryCommit.pages(growth), from: memory) }
            MemoryCommit.release(released, from: memory)
            for area in released { memory.releaseFrames(area.start, area.end) }
            return newBreak.value
        }
    }

    static func munmap(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let start = a.address(0), length = a[1]
        let memory = a.process.memory
        try memory.locked { () throws(Errno) in
            let released = try memory.map.unmap(start: start, length: length)
            MemoryCommit.release(released, from: memory)
            for area in released { memory.releaseFrames(area.start, area.end) }
        }
        return 0
    }

    static func mprotect(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let start = a.address(0), length = a[1], linuxProtection = a[2]
        let memory = a.process.memory
        try memory.locked { () throws(Errno) in
            let (changed, protection, failure) = try memory.map.protect(start: start, length: length, linuxProtection: linuxProtection)
            for range in changed { reprotect(memory, range, protection) }   // also when it stopped part way
            if let failure { throw failure }
        }
        return 0
    }

    static func mremap(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let oldAddress = a.address(0), oldSize = a[1], newSize = a[2], flags = MemoryRemapFlags(rawValue: a[3])
        let newAddress = a.address(4)
        let memory = a.process.memory
        let admin = isAdmin(a), process = a.process
        return try memory.locked { () throws(Errno) -> UInt64 in
            // Growth counts against RLIMIT_AS/RLIMIT_DATA and is promised (Committed_AS) first.
            var charged = 0
            if newSize > oldSize, newSize <= UserAddr.limit, let area = memory.map.area(containing: oldAddress) {
                let growth = UInt64(MemoryCommit.pages(newSize) - MemoryCommit.pages(oldSize)) * UInt64(pageSize)
                try MemoryLimits.check(process, adding: growth, data: MemoryLimits.isData(area), areas: memory.map.areas)
                if MemoryCommit.isAccountable(area) {
                    try MemoryCommit.charge(growth, to: memory, admin: admin, areas: memory.map.areas)
                    charged = MemoryCommit.pages(growth)
                }
            }
            let r: VirtualMemoryMap<SharedMemoryObject>.RemapResult
            do throws(Errno) {
                r = try memory.map.remap(oldAddress: oldAddress, oldSize: oldSize, newSize: newSize,
                                         flags: flags, newAddress: newAddress)
            } catch {
                if charged > 0 { MemoryCommit.uncharge(charged, from: memory) }
                throw error
            }
            MemoryCommit.release(r.released, from: memory)
            if let old = r.movedFrom { move(memory, from: old, to: r.address) }
            for area in r.released { memory.releaseFrames(area.start, area.end) }
            return r.address.value
        }
    }

    static let MADV_DONTNEED: UInt64 = 4, MADV_REMOVE: UInt64 = 9, MADV_DONTNEED_LOCKED: UInt64 = 24
    static let MADV_WILLNEED: UInt64 = 3
    private static let removeReport = ReportOnce(count: 1)

    /// madvise, arguments checked as Linux does (EINVAL; ENOMEM for a range not wholly mapped, after
    /// advising the mapped part). MADV_DONTNEED drops the pages: private anonymous memory reads as
    /// zeros again, shared memory, file mappings and the vDSO as their object's pages. Pages copied
    /// from files without a page cache stay (Linux would read the file again; Lichen keeps no link
    /// to it). MADV_REMOVE frees a shared anonymous object's pages (EINVAL on private memory, EACCES
    /// unless writable, EOPNOTSUPP on a file: no hole punching yet). MADV_WILLNEED starts reading a
    /// disk file mapping's pages into its page cache (after the lock). Other advice changes nothing
    /// (no swap, no huge pages; MADV_DONTFORK and MADV_WIPEONFORK are not implemented).
    static func madvise(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let start = a[0], length = a[1], advice = a[2]
        guard MemoryRangeArguments.isKnownAdvice(advice) else { throw .EINVAL }
        guard let range = try MemoryRangeArguments.adviceRange(start: start, length: length) else { return 0 }
        let memory = a.process.memory
        var wanted: [(file: any FilePageCache, pages: Range<Int64>)] = []
        defer { for w in wanted { w.file.willNeed(w.pages) } }
        return try memory.locked { () throws(Errno) -> UInt64 in
            let mapped = memory.map.isFullyMapped(range.start, range.end)
            for area in memory.map.areas(overlapping: range) {
                let piece = UserRange(start: max(area.start, range.start), end: min(area.end, range.end))
                switch advice {
                case MADV_DONTNEED, MADV_DONTNEED_LOCKED:
                    if !area.isFileCopy { memory.releaseFrames(piece.start, piece.end) }
                case MADV_REMOVE:
                    guard area.sharing == .shared, let object = area.backing else { throw .EINVAL }
                    guard area.protection.contains(.write) else { throw .EACCES }
                    if object.file != nil {
                        // Punching a hole in a file (tmpfs's fallocate PUNCH_HOLE) is not implemented.
                        if removeReport.first(0) { KernelLog.warning("madvise: MADV_REMOVE of a file mapping is not supported: EOPNOTSUPP") }
                        throw .EOPNOTSUPP
                    }
                    memory.releaseFrames(piece.start, piece.end)
                    object.removePages(area.fileOffset(of: piece.start), area.fileOffset(of: piece.end))
                case MADV_WILLNEED:
                    if let file = area.backing?.file {
                        let first = Int64(area.fileOffset(of: piece.start) / UInt64(pageSize))
                        let end = Int64((area.fileOffset(of: piece.end) + UInt64(pageSize) - 1) / UInt64(pageSize))
                        wanted.append((file, first..<end))
                    }
                default:
                    break
                }
            }
            guard mapped else { throw .ENOMEM }
            return 0
        }
    }

    /// Sleeps only to read a file mapping in.
    static func mmap(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let hint = a.address(0), length = a[1], linuxProtection = a[2], flags = a[3], fd = a.fd(4), offset = a[5]
        let memory = a.process.memory
        guard offset & UInt64(pageSize - 1) == 0 else { throw .EINVAL }      // arm64's sys_mmap, anonymous too
        guard let protection = MemoryProtection(linux: linuxProtection) else { throw .EINVAL }
        let sharing = flags & (MAP_SHARED | MAP_PRIVATE)
        guard sharing == MAP_PRIVATE || sharing == MAP_SHARED else { throw .EINVAL }
        let growsDown = flags & MAP_GROWSDOWN != 0
        // Linux refuses a growing shared mapping (VM_GROWSDOWN with VM_SHARED).
        if growsDown && sharing == MAP_SHARED { throw .EINVAL }
        // MAP_LOCKED (and mlockall(MCL_FUTURE)) lock the mapping: EPERM if the caller may not lock
        // at all, EAGAIN past RLIMIT_MEMLOCK (Linux's can_do_mlock, mlock_future_ok).
        let (lockLimit, lockPrivileged) = MemoryResidencySyscalls.lockLimit(a)
        if flags & MAP_LOCKED != 0 && lockLimit == 0 && !lockPrivileged { throw .EPERM }
        let accountable = sharing == MAP_PRIVATE && protection.contains(.write)
            && (flags & MAP_NORESERVE == 0 || !MemoryCommit.honoursNoReserve)
        let placement: MemoryPlacement
        if flags & MAP_FIXED_NOREPLACE != 0 { placement = .fixedNoReplace(hint) }
        else if flags & MAP_FIXED != 0 { placement = .fixed(hint) }
        else { placement = .anywhere(hint: hint) }
        var file: OpenFile? = nil
        var maximumProtection = MemoryProtection.all
        var sharedObject: SharedMemoryObject? = nil
        if flags & MAP_ANONYMOUS == 0 {
            file = try a.process.file(fd)
            // Past the largest file offset (a length beyond user space is ENOMEM, found when placing it).
            if length <= UserAddr.limit && !MemoryRangeArguments.fileRangeFits(offset: offset, length: length) { throw .EOVERFLOW }
            let mode = file!.flags
            guard mode.allowsRead, sharing == MAP_PRIVATE || !protection.contains(.write) || mode.allowsWrite else { throw .EACCES }
            guard !protection.contains(.execute) || !file!.location.mount.flags.contains(.noExec) else { throw .EPERM }
            // A shared mapping of a file opened read-only may never become writable (VM_MAYWRITE).
            if sharing == MAP_SHARED && !mode.allowsWrite { maximumProtection.remove(.write) }
            if let cache = file!.inode.pageCache {
                sharedObject = try await mappingObject(cache, file!, shared: sharing == MAP_SHARED, protection: protection,
                                                       maximumProtection: &maximumProtection, a)
                // Mapping a file is an access (generic_file_mmap's file_accessed); files read in below count through read.
                await file!.location.accessed(noAtime: mode.contains(.O_NOATIME))
            } else {
                // Read in at mmap: a writable shared mapping could not reach the file, nor may mprotect
                // make one writable later.
                guard sharing == MAP_PRIVATE || !protection.contains(.write) else { throw .ENODEV }
                if sharing == MAP_SHARED { maximumProtection.remove(.write) }
            }
        } else if sharing == MAP_SHARED {
            // Shared anonymous memory lives in one object from now on, whoever touches a page first.
            sharedObject = SharedMemoryObject(size: length)
        }
        let admin = isAdmin(a), process = a.process
        let address = try memory.locked { () throws(Errno) -> UserAddr in
            try MemoryLimits.check(process, adding: length, data: sharing == MAP_PRIVATE && protection.contains(.write) && !growsDown,
                                   areas: memory.map.areas)
            if (flags & MAP_LOCKED != 0 || memory.map.lockFuture != nil) && !lockPrivileged,
               !memory.map.lockFits(length, limit: lockLimit) { throw .EAGAIN }
            if accountable { try MemoryCommit.charge(length, to: memory, admin: admin, areas: memory.map.areas) }
            let mapped: (address: UserAddr, replaced: [VirtualMemoryArea<SharedMemoryObject>])
            do throws(Errno) {
                mapped = try memory.map.map(length: length, placement: placement, protection: protection,
                                            maximumProtection: maximumProtection,
                                            sharing: sharing == MAP_SHARED ? .shared : .private,
                                            backing: sharedObject, fileOffset: sharedObject?.file != nil ? offset : 0,
                                            kind: file == nil ? .mmap : .file, growsDown: growsDown)
            } catch {
                if accountable { MemoryCommit.uncharge(MemoryCommit.pages(length), from: memory) }
                throw error
            }
            MemoryCommit.release(mapped.replaced, from: memory)
            for area in mapped.replaced { memory.releaseFrames(area.start, area.end) }
            if flags & MAP_LOCKED != 0 {
                let end = mapped.address + UInt64(MemoryCommit.pages(length) * pageSize)
                _ = memory.map.setLock(start: mapped.address, end: end, mode: .populate)
            }
            return mapped.address
        }
        if flags & MAP_LOCKED != 0 { LockedMemory.register(memory) }      // Mlocked in /proc/meminfo
        let lockedFuture = memory.locked { memory.map.lockFuture == .populate }
        if let file, sharedObject == nil {
            do throws(Errno) { try await readIn(file, offset: offset, length: length, at: address, protection: protection, memory) }
            catch {
                memory.locked {
                    let released = (try? memory.map.unmap(start: address, length: length)) ?? []
                    MemoryCommit.release(released, from: memory)
                    for area in released { memory.releaseFrames(area.start, area.end) }
                }
                throw error
            }
        }
        if (flags & (MAP_POPULATE | MAP_LOCKED) != 0 || lockedFuture) && file == nil {
            await MemoryPopulation.populate(a.process, memory, from: address, length: length, write: protection.contains(.write))
        }
        return address.value
    }

    /// The object through which an area maps a file's page cache: private mappings fault its pages
    /// in read-only and copy them on write, shared ones write to them. The file's seals may refuse
    /// (EPERM) or forbid a later PROT_WRITE.
    static func mappingObject(_ cache: any FilePageCache, _ file: OpenFile, shared: Bool, protection: MemoryProtection,
                              maximumProtection: inout MemoryProtection, _ a: SyscallArguments) async throws(Errno) -> SharedMemoryObject {
        let sharedWritable = shared && file.flags.allowsWrite
        let mayWrite = try cache.mappingAdded(sharedWritable: sharedWritable, writing: shared && protection.contains(.write))
        if shared && !mayWrite { maximumProtection.remove(.write) }
        let object = SharedMemoryObject(file: cache, sharedWritable: sharedWritable,
                                        mapsName: await mapsName(file, a), location: shared ? file.location : nil)
        return object
    }

    /// "major:minor inode path" as /proc/<pid>/maps shows a file mapping.
    static func mapsName(_ file: OpenFile, _ a: SyscallArguments) async -> [UInt8] {
        mapsName(file, path: await ProcPid.fileName(file, context: a.fs))
    }

    /// The same with the file's path found already (execve's program and interpreter).
    static func mapsName(_ file: OpenFile, path: [UInt8]) -> [UInt8] {
        let device = file.location.mount.fileSystem.device, status = file.status
        var name = Array((Format.hex(UInt64(device.major), width: 2, prefix: false) + ":"
                          + Format.hex(UInt64(device.minor), width: 2, prefix: false) + " "
                          + Format.decimal(status.ino)).utf8)
        name.append(0x20)
        return name + path
    }

    /// A private file mapping's pages, read in now (files live in memory), one page at a time so
    /// that a large mapping needs no large kernel buffer. Past the end of the file the pages are
    /// demand-zero (a huge mapping of a small file costs what the file has).
    static func readIn(_ file: OpenFile, offset: UInt64, length: UInt64, at address: UserAddr,
                       protection: MemoryProtection, _ memory: ProcessMemory) async throws(Errno) {
        let page = try IOBuffer(count: pageSize)
        var done: UInt64 = 0
        while done < length {
            guard memory.locked({ memory.populate(address + done, protection: protection) }) != nil else { throw .ENOMEM }
            let n = try await page.withBytes { (b: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int in
                let n = try await file.read(into: b, at: Int64(bitPattern: offset &+ done))
                memory.locked { memory.write(UnsafeRawBufferPointer(rebasing: b[0..<n]), at: address + done, instructions: protection.contains(.execute)) }
                return n
            }
            done += UInt64(pageSize)
            if n < pageSize { return }              // end of file: the rest fills with zeros on demand
        }
    }

    /// New protections for pages already present (PROT_NONE keeps them, inaccessible). A private page
    /// still shared since fork stays read-only: its first write must copy it (`handleFault`).
    static func reprotect(_ memory: ProcessMemory, _ range: UserRange, _ protection: MemoryProtection) {
        let area = memory.map.area(containing: range.start)
        let shared = area?.sharing == .shared
        // A disk file's shared page becomes writable on its write fault, which marks it dirty.
        let dirtyTracked = shared && area?.backing?.file?.tracksDirtyPages == true
        var readOnly = protection
        readOnly.remove(.write)
        var cursor = range.start
        while let (page, frame) = memory.space.firstMapping(from: cursor, through: range.end - 1) {
            let copyOnWrite = dirtyTracked || !shared && protection.contains(.write) && PhysicalMemory.userReferences(frame) > 1
            try? memory.space.protect(page, size: UInt64(pageSize), attributes: ProcessMemory.attributes(copyOnWrite ? readOnly : protection))
            cursor = page + UInt64(pageSize)
            if cursor >= range.end { break }
        }
    }

    /// mremap moved an area: its present pages follow it (re-mapped, not copied). Visits only the
    /// mapped pages: a huge, barely touched area moves quickly.
    static func move(_ memory: ProcessMemory, from old: UserRange, to newStart: UserAddr) {
        var cursor = old.start
        while let (source, frame) = memory.space.firstMapping(from: cursor, through: old.end - 1) {
            let target = newStart + (source - old.start)
            if let area = memory.map.area(containing: target) {
                // A private page still shared since fork stays read-only: its first write copies it.
                var protection = area.protection
                if area.sharing == .private && PhysicalMemory.userReferences(frame) > 1 { protection.remove(.write) }
                try? memory.space.unmap(source, size: UInt64(pageSize))
                try? memory.space.map(target, frame: frame, size: UInt64(pageSize), attributes: ProcessMemory.attributes(protection))
            }
            cursor = source + UInt64(pageSize)
            if cursor >= old.end { break }
        }
    }
}
