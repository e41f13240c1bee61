import LichenCore
import _Concurrency

/// shmget, shmat, shmdt, shmctl. A segment's pages are an unlinked file of an internal tmpfs (as
/// Linux's shm_mnt), attached as MAP_SHARED mappings of it: fork, mremap and exit treat them as any
/// shared file mapping. The segment counts its mapping objects (SysVShmPages), so one marked by
/// IPC_RMID leaves when the last goes; shm_nattch counts the areas mapping it in every process.
enum SharedMemorySyscalls {
    private static let fileSystem = SpinLock<MemfdFileSystem?>(nil)
    private static let reported = ReportOnce(count: 1)

    static func shmget(_ a: SyscallArguments) async throws(Errno) -> UInt64 {
        let key = a.int32(0), size = a[1], flags = a.uint32(2)
        let credentials = a.credentials
        let moreChecks = { (segment: SysVSharedMemorySegment) throws(Errno) in
            if segment.size < size { throw .EINVAL }
        }
        if let id = try IPCNamespace.locked({ (s: inout SysVIPCState) throws(Errno) -> Int32? in
            try s.segments.get(key: key, flags: flags, credentials: credentials, moreChecks: moreChecks).map { s.segments.id(of: $0) }
        }) { return UInt64(id) }
        if flags & SysVSharedMemorySegment.SHM_HUGETLB != 0 {
            if reported.first(0) { KernelLog.warning("shmget: SHM_HUGETLB is not supported (no huge pages): ENOMEM") }
            throw .ENOMEM
        }
        let pages = (size &+ UInt64(pageSize - 1)) / UInt64(pageSize)
        try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) in
            guard size >= SysVIPCLimits.shmmin, size <= s.limits.shmmax else { throw .EINVAL }
            guard pages.multipliedReportingOverflow(by: UInt64(pageSize)).partialValue >= size else { throw .ENOSPC }
            let (total, overflow) = s.segmentPages.addingReportingOverflow(pages)
            guard !overflow, total <= s.limits.shmall else { throw .ENOSPC }
        }
        // Committed memory, as Linux's shmem_acct_size (SHM_NORESERVE is ignored under strict overcommit).
        let charged = flags & SysVSharedMemorySegment.SHM_NORESERVE != 0 && MemoryCommit.honoursNoReserve ? 0 : Int(pages)
        if charged > 0 { try MemoryCommit.chargeShared(charged, admin: credentials.has(.CAP_SYS_ADMIN)) }
        do throws(Errno) {
            return try await create(a, key: key, size: size, flags: flags, pages: pages, charged: charged, moreChecks: moreChecks)
        } catch {
            if charged > 0 { MemoryCommit.unchargeShared(charged) }
            throw error
        }
    }

    /// The segment's file, then its entry (unless another creator came first meanwhile).
    private static func create(_ a: SyscallArguments, key: Int32, size: UInt64, flags: UInt32, pages: UInt64, charged: Int,
                               moreChecks: (SysVSharedMemorySegment) throws(Errno) -> Void) async throws(Errno) -> UInt64 {
        let credentials = a.credentials
        let fs = fileSystem.withLock { (fs: inout MemfdFileSystem?) -> MemfdFileSystem in
            if let fs { return fs }
            let made = MemfdFileSystem(device: RootFilesystem.anonymousDevice(), clock: RootFilesystem.clock)
            fs = made
            return made
        }
        let file = fs.create(name: Array("SYSV".utf8), flags: 0, owner: InodeOwner(uid: credentials.euid, gid: credentials.egid))
        guard size <= UInt64(Int64.max) else { throw .EINVAL }
        try await file.truncate(to: Int64(size))
        guard let cache = file.inode.pageCache else { throw .ENOMEM }
        let shmPages = SysVShmPages(file: cache)
        shmPages.lastUnmapped = lastDetached
        let pid = a.process.pid
        return try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> UInt64 in
            // Another creator may have come first while the file was made.
            if let found = try s.segments.get(key: key, flags: flags, credentials: credentials, moreChecks: moreChecks) {
                if charged > 0 { MemoryCommit.unchargeShared(charged) }
                return UInt64(s.segments.id(of: found))
            }
            let (total, overflow) = s.segmentPages.addingReportingOverflow(pages)
            guard !overflow, total <= s.limits.shmall else { throw .ENOSPC }
            let segment = SysVSharedMemorySegment(permissions: IPCPermissions(key: key, mode: flags, creator: credentials),
                                                  size: size, creator: pid, now: IPCNamespace.now, pages: shmPages)
            let id = try s.segments.add(segment, limit: s.limits.shmmni)
            s.segmentsByPages.append(SysVIPCState.pagesKey(shmPages), segment)
            segment.chargedPages = charged
            s.segmentPages = total
            return UInt64(id)
        }
    }

    /// The last mapping of a segment's pages went: a segment marked for destruction goes now.
    static func lastDetached(_ pages: SysVShmPages) {
        IPCNamespace.locked { s in
            guard let segment = s.segment(of: pages), segment.markedForDestruction else { return }
            destroy(segment, &s)
        }
    }

    static func destroy(_ segment: SysVSharedMemorySegment, _ s: inout SysVIPCState) {
        s.segments.remove(segment)
        s.segmentsByPages.remove(SysVIPCState.pagesKey(segment.pages)) { $0 === segment }
        s.unlock(segment)
        s.segmentPages -= segment.pageCount
        if segment.chargedPages > 0 { MemoryCommit.unchargeShared(segment.chargedPages) }
    }

    static func shmat(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let id = a.int32(0), flags = a.uint32(2)
        var address = a[1]
        let pageMask = UInt64(pageSize - 1)
        guard id >= 0 else { throw .EINVAL }
        if address != 0 {
            if address & pageMask != 0 {
                guard flags & SysVSharedMemorySegment.SHM_RND != 0 else { throw .EINVAL }
                address &= ~pageMask                               // SHMLBA is PAGE_SIZE on arm64
                if address == 0 && flags & SysVSharedMemorySegment.SHM_REMAP != 0 { throw .EINVAL }
            }
        } else if flags & SysVSharedMemorySegment.SHM_REMAP != 0 { throw .EINVAL }
        let readOnly = flags & SysVSharedMemorySegment.SHM_RDONLY != 0
        var protection: MemoryProtection = readOnly ? [.read] : [.read, .write]
        var access = readOnly ? SysVIPC.readBits : SysVIPC.readBits | SysVIPC.writeBits
        if flags & SysVSharedMemorySegment.SHM_EXEC != 0 {
            protection.insert(.execute)
            access |= 0o111
        }
        let credentials = a.credentials, pid = a.process.pid
        let (segment, segmentID) = try IPCNamespace.locked { (s: inout SysVIPCState) throws(Errno) -> (SysVSharedMemorySegment, Int32) in
            let segment = try s.segments.object(id: id)
            try segment.permissions.check(access, credentials)
            // Counted under the lock, so that an IPC_RMID cannot destroy it before it is mapped.
            _ = try segment.pages.mappingAdded(sharedWritable: !readOnly, writing: !readOnly)
            return (segment, s.segments.id(of: segment))
        }
        let object = SharedMemoryObject(file: segment.pages, sharedWritable: !readOnly, mapsName: mapsName(segment, id: segmentID))
        var maximumProtection = MemoryProtection.all
        if readOnly { maximumProtection.remove(.write) }
        let placement: MemoryPlacement
        if address == 0 { placement = .anywhere(hint: UserAddr(0)) }
        else if flags & SysVSharedMemorySegment.SHM_REMAP != 0 { placement = .fixed(UserAddr(address)) }
        else { placement = .fixedNoReplace(UserAddr(address)) }
        let memory = a.process.memory
        let length = segment.pageCount * UInt64(pageSize)
        let mapped = try memory.locked { () throws(Errno) -> UserAddr in
            let result: (address: UserAddr, replaced: [VirtualMemoryArea<SharedMemoryObject>])
            do throws(Errno) {
                result = try memory.map.map(length: length, placement: placement, protection: protection,
                                            maximumProtection: maximumProtection, sharing: .shared, backing: object,
                                            fileOffset: 0, kind: .mmap, growsDown: false)
            } catch { throw error == .EEXIST ? .EINVAL : error }
            MemoryCommit.release(result.replaced, from: memory)
            for area in result.replaced { memory.releaseFrames(area.start, area.end) }
            return result.address
        }
        IPCNamespace.locked { _ in
            segment.atime = IPCNamespace.now
            segment.lastPid = pid
        }
        return mapped.value
    }

    /// "00:01 <shmid> /SYSV<key> (deleted)", as Linux's maps shows a segment.
    private static func mapsName(_ segment: SysVSharedMemorySegment, id: Int32) -> [UInt8] {
        Array(("00:01 " + Format.decimal(UInt64(id)) + " /SYSV"
               + Format.hex(UInt64(UInt32(bitPattern: segment.permissions.key)), width: 8, prefix: false) + " (deleted)").utf8)
    }

    static func shmdt(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let address = a.address(0)
        guard address.value & UInt64(pageSize - 1) == 0 else { throw .EINVAL }
        let memory = a.process.memory
        // The segment is found from its pages, the areas from the address: no walk over every
        // segment or every mapping (issue 13). The IPC lock may be taken inside the memory's.
        let detached = try memory.locked { () throws(Errno) -> SysVSharedMemorySegment in
            guard let area = memory.map.area(containing: address), area.start == address, area.fileOffset == 0,
                  let pages = area.backing?.file,
                  let segment = IPCNamespace.locked({ s in s.segment(of: pages) }) else { throw .EINVAL }
            let end = address + segment.pageCount * UInt64(pageSize)
            let ranges = memory.map.areas(overlapping: UserRange(start: address, end: end))
                .filter { $0.start >= address && $0.backing?.file === pages }
                .map { ($0.start, $0.length) }
            for (start, length) in ranges {
                let released = try memory.map.unmap(start: start, length: length)
                MemoryCommit.release(released, from: memory)
                for area in released { memory.releaseFrames(area.start, area.end) }
            }
            return segment
        }
        let pid = a.process.pid
        IPCNamespace.locked { _ in
            detached.dtime = IPCNamespace.now
            detached.lastPid = pid
        }
        return 0
    }

    /// shm_nattch: the areas mapping the segment's pages in every process (Linux counts each VMA).
    static func attaches(_ segment: SysVSharedMemorySegment) -> UInt64 {
        var count: UInt64 = 0
        for process in Processes.all() {
            let memory = process.memory
            memory.locked {
                for area in memory.map.areas where area.backing?.file === segment.pages { count += 1 }
            }
        }
        return count
    }
}
