// The shape of a format's translation regime: 4 KiB pages and tables of 512 eight-byte entries, level 0
// the root, level `levels - 1` the pages; level n indexes VA bits [20+9k : 12+9k] with k = levels-1-n.
// AArch64 (four levels, 48-bit halves): [47:39], [38:30], [29:21], [20:12].

public enum PageTableGeometry<Entry: PageTableFormat> {
    @inline(__always) public static var levels: Int { Entry.levels }
    public static var entriesPerTable: Int { 512 }
    public static var tableSize: UInt64 { 4096 }
    public static var pageSize: UInt64 { 4096 }
    @inline(__always) public static var physicalAddressLimit: UInt64 { Entry.physicalAddressLimit }
    /// The page level.
    @inline(__always) public static var lastLevel: Int { Entry.levels - 1 }

    /// Lowest VA bit indexed at `level` (AArch64: 39, 30, 21, 12).
    @inline(__always) public static func shift(level: Int) -> Int { rootShift - 9 * level }

    /// Lowest VA bit the root indexes (AArch64: 39); a constant once specialized.
    @inline(__always) static var rootShift: Int { 12 + 9 * (Entry.levels - 1) }

    /// Bytes covered by one entry at `level` (AArch64: 512 GiB, 1 GiB, 2 MiB, 4 KiB).
    @inline(__always) public static func entrySize(level: Int) -> UInt64 { 1 << UInt64(shift(level: level)) }

    /// The entry index of `va` in the table at `level`.
    @inline(__always) public static func index(of va: UInt64, level: Int) -> Int {
        Int(truncatingIfNeeded: (va >> UInt64(shift(level: level))) & 0x1ff)
    }

    @inline(__always) public static func allowsBlock(level: Int) -> Bool { Entry.allowsBlock(level: level) }

    /// User addresses are below this: UserAddr.limit, or the lower half if that is smaller.
    @inline(__always) public static var userLimit: UInt64 { Swift.min(UserAddr.limit, 1 << UInt64(Entry.canonicalHalfBits)) }

    /// Whether `va` lies in the lower half (user), below 2^canonicalHalfBits.
    @inline(__always) public static func isLowerHalf(_ va: UInt64) -> Bool { va >> UInt64(Entry.canonicalHalfBits) == 0 }

    /// Bits above the half all zero (lower half) or all one (upper half).
    @inline(__always) public static func isCanonical(_ va: UInt64) -> Bool {
        let top = va >> UInt64(Entry.canonicalHalfBits)
        return top == 0 || top == ~UInt64(0) >> UInt64(Entry.canonicalHalfBits)
    }

    /// Whether [va, va+size) is non-empty and lies within one canonical half.
    public static func isCanonicalRange(_ va: UInt64, size: UInt64) -> Bool {
        guard size > 0, isCanonical(va) else { return false }
        let (last, overflow) = va.addingReportingOverflow(size - 1)
        return !overflow && last >> UInt64(Entry.canonicalHalfBits) == va >> UInt64(Entry.canonicalHalfBits)
    }
}
