import LichenCore

/// Connects the page caches of LichenCore's filesystems to user memory: tmpfs pages are frames with
/// user reference counts (the file holds one, each page-table entry mapping it another), and a
/// truncation removes the pages past the new end from every process that maps them.
enum PageCacheGlue {
    static func install() {
        TmpfsPageMemory.allocate = {
            guard let frame = PhysicalMemory.allocateForUser() else { return nil }
            PhysicalMemory.setUserReferences(frame, 1)          // the file's
            return KernelLayout.directMap(frame).pointer
        }
        TmpfsPageMemory.release = { PhysicalMemory.releaseUserPage(frame(of: $0)) }
        TmpfsPageMemory.retain = { PhysicalMemory.shareUserPage(frame(of: $0)) }
        FilePageCacheEvents.truncated = { cache, size in unmapPages(of: cache, from: UInt64(size)) }
        // The disk page cache (ext4, FAT): eviction asks whether a page table still maps a page.
        DiskPageCacheHooks.references = { PhysicalMemory.userReferences(frame(of: $0)) }
        DiskPageCacheHooks.now = { MonotonicClock.now }
        // read(2) reclaims clean cached pages before eating into the last 8 MiB user space may have.
        DiskPageCacheHooks.hasRoom = { PhysicalMemory.hasRoomForUser(frames: $0 + 2048) }
        FilePageCacheEvents.writeProtect = { cache, index in writeProtect(page: index, of: cache) }
    }

    /// Every shared mapping of page `index` of `cache` loses write permission (its dirty page is being
    /// written back: the next store faults and marks it dirty again).
    static func writeProtect(page index: Int64, of cache: any FilePageCache) {
        let offset = UInt64(index) * UInt64(pageSize)
        for process in Processes.all() {
            let memory = process.memory
            memory.locked {
                for area in memory.map.areas where area.sharing == .shared && area.protection.contains(.write) {
                    guard let file = area.backing?.file, file === cache,
                          offset >= area.fileOffset, offset - area.fileOffset < area.length else { continue }
                    let page = area.start + (offset - area.fileOffset)
                    guard memory.frame(at: page) != nil else { continue }
                    var readOnly = area.protection
                    readOnly.remove(.write)
                    try? memory.space.protect(page, size: UInt64(pageSize), attributes: ProcessMemory.attributes(readOnly))
                }
            }
        }
    }

    private static func frame(of pointer: UnsafeMutableRawPointer) -> PhysAddr {
        PhysAddr(UInt64(UInt(bitPattern: pointer)) - KernelLayout.directMapBase)
    }

    /// Every mapping of `cache` drops its pages wholly past `size` bytes (private copies too, as
    /// Linux's truncate_pagecache): touching them again is SIGBUS while the file stays that short.
    static func unmapPages(of cache: any FilePageCache, from size: UInt64) {
        let firstGone = (size + UInt64(pageSize) - 1) & ~UInt64(pageSize - 1)
        for process in Processes.all() {
            let memory = process.memory
            memory.locked {
                for area in memory.map.areas {
                    guard let file = area.backing?.file, file === cache else { continue }
                    let areaEnd = area.fileOffset + area.length
                    guard areaEnd > firstGone else { continue }
                    let start = firstGone <= area.fileOffset ? area.start : area.start + (firstGone - area.fileOffset)
                    memory.releaseFrames(start, area.end)
                }
            }
        }
    }
}
