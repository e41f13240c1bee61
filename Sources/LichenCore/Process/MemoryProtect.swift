// mprotect(2) with Linux's raw `prot`, checked in the order of Linux 6.1's do_mprotect_pkey, so that
// the errno for a combination of bad arguments is Linux's (a zero length succeeds whatever `prot` is).

extension MemoryProtection {
    /// PROT_SEM: accepted and meaningless on arm64. PROT_GROWSDOWN/PROT_GROWSUP: mprotect only.
    public static let semaphoreBit: UInt64 = 0x8
    public static let growsDownBit: UInt64 = 0x0100_0000
    public static let growsUpBit: UInt64 = 0x0200_0000
}

extension VirtualMemoryMap {
    /// mprotect: EINVAL for PROT_GROWSDOWN with PROT_GROWSUP or an unaligned start; nothing for a zero
    /// length; ENOMEM for an end that wraps or a range not mapped; then EINVAL for unknown bits (PROT_BTI
    /// and PROT_MTE: this CPU has neither). PROT_GROWSDOWN extends the range down to the start of the
    /// area it begins in, which must grow down (EINVAL); PROT_GROWSUP is EINVAL (no area grows up).
    /// Returns the ranges whose protection changed, the protection set, and the failure that stopped
    /// the change part way (the changed ranges' pages must be updated even then).
    public mutating func protect(start: UserAddr, length: UInt64, linuxProtection prot: UInt64) throws(Errno)
        -> (changed: [UserRange], protection: MemoryProtection, failure: Errno?) {
        let growsDown = prot & MemoryProtection.growsDownBit != 0, growsUp = prot & MemoryProtection.growsUpBit != 0
        if growsDown && growsUp { throw .EINVAL }
        guard start.isPageAligned else { throw .EINVAL }
        guard length > 0 else { return ([], [], nil) }
        guard let rounded = Self.pageAlignUp(length), !start.value.addingReportingOverflow(rounded).overflow else { throw .ENOMEM }
        let bits = prot & ~(MemoryProtection.semaphoreBit | MemoryProtection.growsDownBit | MemoryProtection.growsUpBit)
        guard let protection = MemoryProtection(linux: bits) else { throw .EINVAL }
        var first = start
        if growsDown || growsUp {
            let i = firstIndex(endingAbove: start)
            guard i < areas.count, areas[i].start < start + rounded else { throw .ENOMEM }
            guard growsDown, areas[i].growsDown else { throw .EINVAL }
            first = areas[i].start
        }
        let (changed, failure) = try protectReporting(start: first, length: start + rounded - first, protection: protection)
        return (changed, protection, failure)
    }
}
