// Shape of the translation regime Lichen uses: 4 KiB granule, 48-bit virtual addresses,
// four levels (0..3), 512 eight-byte entries per table. Level n indexes VA bits
// [47-9n : 39-9n]: [47:39], [38:30], [29:21], [20:12].

public enum TranslationGeometry {
    public static let levels = 4
    public static let entriesPerTable = 512
    public static let tableSize: UInt64 = 4096
    public static let pageSize: UInt64 = 4096
    public static let virtualAddressBits = 48
    /// Output (physical) addresses are bits [47:12] of a descriptor.
    public static let physicalAddressLimit: UInt64 = 1 << 48

    /// Lowest VA bit indexed at `level`: 39, 30, 21, 12.
    @inline(__always) public static func shift(level: Int) -> Int { 39 - 9 * level }

    /// Bytes covered by one entry at `level`: 512 GiB, 1 GiB, 2 MiB, 4 KiB.
    @inline(__always) public static func entrySize(level: Int) -> UInt64 { 1 << UInt64(shift(level: level)) }

    /// The entry index of `va` in the table at `level`.
    @inline(__always) public static func index(of va: UInt64, level: Int) -> Int {
        Int(truncatingIfNeeded: (va >> UInt64(shift(level: level))) & 0x1ff)
    }

    /// Levels whose entries may be blocks: 1 (1 GiB) and 2 (2 MiB). Level 0 blocks need FEAT_LPA2.
    @inline(__always) public static func allowsBlock(level: Int) -> Bool { level == 1 || level == 2 }

    /// Bits [63:48] all zero (TTBR0, lower half) or all one (TTBR1, upper half).
    @inline(__always) public static func isCanonical(_ va: UInt64) -> Bool {
        let top = va >> 48
        return top == 0 || top == 0xffff
    }

    /// Whether [va, va+size) is non-empty and lies within one canonical half.
    public static func isCanonicalRange(_ va: UInt64, size: UInt64) -> Bool {
        guard size > 0, isCanonical(va) else { return false }
        let (last, overflow) = va.addingReportingOverflow(size - 1)
        return !overflow && last >> 48 == va >> 48
    }
}
