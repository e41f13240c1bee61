// mremap(2) on a VirtualMemoryMap, checked in the order of Linux 6.1 (mm/mremap.c: sys_mremap,
// mremap_to, vma_to_resize), so that hostile arguments get Linux's errno. Every size and address a
// user passes goes through `pageAlignUp` and `userRange` before any arithmetic: nothing here traps.

/// mremap flags.
public struct MemoryRemapFlags: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    public static let mayMove = MemoryRemapFlags(rawValue: 1)      // MREMAP_MAYMOVE
    public static let fixed = MemoryRemapFlags(rawValue: 2)        // MREMAP_FIXED
    public static let dontUnmap = MemoryRemapFlags(rawValue: 4)    // MREMAP_DONTUNMAP
    public static let all: MemoryRemapFlags = [.mayMove, .fixed, .dontUnmap]
}

extension VirtualMemoryMap {
    public struct RemapResult {
        /// The mapping's (possibly new) address.
        public var address: UserAddr
        /// When the mapping moved: the old range whose pages now belong at `address`; the kernel
        /// moves their page-table entries. With MREMAP_DONTUNMAP the old range stays mapped, empty.
        public var movedFrom: UserRange?
        /// Pieces unmapped (a shrunk tail, or what MREMAP_FIXED replaced).
        public var released: [Area]
    }

    /// mremap: shrinks in place, grows in place when the pages after the mapping are free, or moves
    /// it (MREMAP_MAYMOVE; MREMAP_FIXED to `newAddress`; MREMAP_DONTUNMAP leaves the old range
    /// mapped). A zero old size duplicates a shared mapping of an object. Errors as Linux: EINVAL
    /// (unknown or inconsistent flags, unaligned addresses, zero new size, a new range outside user
    /// space or overlapping the old one, a zero old size on a private mapping), EFAULT (the old range
    /// is not inside one mapping, or the vDSO would grow), ENOMEM (no room), EPERM (below
    /// mmap_min_addr).
    public mutating func remap(oldAddress: UserAddr, oldSize: UInt64, newSize: UInt64, flags: MemoryRemapFlags,
                               newAddress: UserAddr = UserAddr(0)) throws(Errno) -> RemapResult {
        guard flags.isSubset(of: .all) else { throw .EINVAL }
        if flags.contains(.fixed) && !flags.contains(.mayMove) { throw .EINVAL }
        // MREMAP_DONTUNMAP always moves and never resizes (the sizes are compared before rounding).
        if flags.contains(.dontUnmap) && (!flags.contains(.mayMove) || oldSize != newSize) { throw .EINVAL }
        guard oldAddress.isPageAligned else { throw .EINVAL }
        // Linux's PAGE_ALIGN wraps a size within a page of 2^64 to zero.
        let oldLength = Self.pageAlignUp(oldSize) ?? 0, newLength = Self.pageAlignUp(newSize) ?? 0
        guard newLength > 0 else { throw .EINVAL }
        guard let area = area(containing: oldAddress) else { throw .EFAULT }
        if flags.contains(.fixed) || flags.contains(.dontUnmap) {
            return try remapTo(area, oldAddress: oldAddress, oldLength: oldLength, newAddress: newAddress,
                               newLength: newLength, flags: flags)
        }
        if newLength <= oldLength {                     // shrinking unmaps the tail, as munmap would
            guard newLength < oldLength else { return RemapResult(address: oldAddress, movedFrom: nil, released: []) }
            guard let tail = userRange(oldAddress + newLength, length: oldLength - newLength) else { throw .EINVAL }
            return RemapResult(address: oldAddress, movedFrom: nil, released: removeRange(tail.start, tail.end))
        }
        try checkResize(area, at: oldAddress, oldLength: oldLength, newLength: newLength)
        let oldEnd = oldAddress + oldLength
        if oldEnd == area.end, let growth = userRange(oldEnd, length: newLength - oldLength),
           isFreeWithGaps(growth.start, growth.end) {
            let i = firstIndex(endingAbove: oldAddress)
            areas[i].end = growth.end
            merge(around: i)
            return RemapResult(address: oldAddress, movedFrom: nil, released: [])
        }
        guard flags.contains(.mayMove), let target = findFreeRange(length: newLength) else { throw .ENOMEM }
        relocate(area, from: oldAddress, length: oldLength, to: target, newLength: newLength, keepingOld: false)
        return RemapResult(address: target, movedFrom: oldLength > 0 ? UserRange(start: oldAddress, end: oldEnd) : nil,
                           released: [])
    }

    /// MREMAP_FIXED or MREMAP_DONTUNMAP (Linux's mremap_to). Everything is checked before anything is
    /// unmapped, so a failing call changes nothing.
    mutating func remapTo(_ area: Area, oldAddress: UserAddr, oldLength: UInt64, newAddress: UserAddr,
                          newLength: UInt64, flags: MemoryRemapFlags) throws(Errno) -> RemapResult {
        guard newAddress.isPageAligned, let target = userRange(newAddress, length: newLength) else { throw .EINVAL }
        // Linux's overlap test, with its wrapping sum.
        if oldAddress.value &+ oldLength > newAddress.value && target.end > oldAddress { throw .EINVAL }
        guard areas.count + 2 < maximumAreaCount - 3 else { throw .ENOMEM }
        let keptLength = min(oldLength, newLength)
        var tail: UserRange? = nil
        if oldLength > newLength {
            guard let t = userRange(oldAddress + newLength, length: oldLength - newLength) else { throw .EINVAL }
            tail = t
        }
        try checkResize(area, at: oldAddress, oldLength: keptLength, newLength: newLength)
        if flags.contains(.dontUnmap) && area.isSpecial { throw .EINVAL }
        var destination = target.start
        if flags.contains(.fixed) {
            guard newAddress >= minimumAddress else { throw .EPERM }
        } else {
            guard let free = findFreeRange(length: newLength, hint: newAddress) else { throw .ENOMEM }
            destination = free
        }
        var released: [Area] = []
        if flags.contains(.fixed) { released += removeRange(target.start, target.end) }
        if let tail { released += removeRange(tail.start, tail.end) }
        relocate(area, from: oldAddress, length: keptLength, to: destination, newLength: newLength,
                 keepingOld: flags.contains(.dontUnmap))
        let moved = UserRange(start: oldAddress, end: oldAddress + keptLength)
        return RemapResult(address: destination, movedFrom: moved.isEmpty ? nil : moved, released: released)
    }

    /// Linux's vma_to_resize: whether [address, address + oldLength) of `area` may become
    /// `newLength` bytes long (moved or in place).
    func checkResize(_ area: Area, at address: UserAddr, oldLength: UInt64, newLength: UInt64) throws(Errno) {
        // A zero old size duplicates a mapping of a shared object; a private mapping has nothing to share.
        if oldLength == 0 && !(area.sharing == .shared && area.backing != nil) { throw .EINVAL }
        guard oldLength <= area.end - address else { throw .EFAULT }
        guard newLength != oldLength else { return }
        if area.backing != nil && area.fileOffset(of: address) > UInt64.max - newLength { throw .EINVAL }
        if area.isSpecial { throw .EFAULT }             // VM_DONTEXPAND
    }

    /// Puts [from, from + length) of `area` (its attributes, and its backing at the matching offset)
    /// at the free range `to`, `newLength` long, and removes the original unless `keepingOld`.
    mutating func relocate(_ area: Area, from: UserAddr, length: UInt64, to: UserAddr, newLength: UInt64,
                           keepingOld: Bool) {
        var moved = area.slice(from: from, to: from + length)
        moved.start = to
        moved.end = to + newLength
        if !keepingOld { _ = removeRange(from, from + length) }
        insert(moved)
    }
}

extension VirtualMemoryMap.RemapResult: Sendable where Backing: Sendable {}
