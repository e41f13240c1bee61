// A VMSAv8-64 stage 1 descriptor, 4 KiB granule (Arm ARM D8.3): AArch64's PageTableFormat, so the
// generic walker (LichenCore's PageTable) builds AArch64 tables as TranslationTable. Bit layout:
//   [0] valid  [1] table (levels 0-2) / page (level 3); 0 at levels 1-2 = block
//   [4:2] AttrIndx (MAIR index)  [5] NS  [7:6] AP[2:1]  [9:8] SH  [10] AF  [11] nG
//   [47:12] output address (table: next-level table; block: bits [47:30] or [47:21])
//   [52] Contiguous  [53] PXN  [54] UXN  [58:55] ignored by hardware (software use)
//   [63:59] table descriptors only: PXNTable, UXNTable, APTable, NSTable (left zero).

import LichenCore

public struct PageTableEntry: PageTableFormat {
    public var rawValue: UInt64
    @inline(__always) public init(rawValue: UInt64) { self.rawValue = rawValue }

    public static let valid: UInt64 = 1 << 0
    /// Table descriptor at levels 0-2, page descriptor at level 3.
    public static let tableOrPage: UInt64 = 1 << 1
    public static let attrIndexShift: UInt64 = 2
    public static let attrIndexMask: UInt64 = 0b111 << 2
    /// AP[1]: EL0 may access.
    public static let apUser: UInt64 = 1 << 6
    /// AP[2]: read-only (at every EL that has access).
    public static let apReadOnly: UInt64 = 1 << 7
    /// SH = 0b11: inner shareable. Ignored for device memory, which is always outer shareable.
    public static let innerShareable: UInt64 = 0b11 << 8
    public static let shareabilityMask: UInt64 = 0b11 << 8
    /// Access flag; set eagerly so hardware never raises access-flag faults.
    public static let accessFlag: UInt64 = 1 << 10
    /// Not global: the TLB entry belongs to the current ASID only.
    public static let notGlobal: UInt64 = 1 << 11
    public static let contiguous: UInt64 = 1 << 52
    public static let privilegedExecuteNever: UInt64 = 1 << 53
    public static let userExecuteNever: UInt64 = 1 << 54
    public static let softwareShift: UInt64 = 55
    public static let softwareMask: UInt64 = 0xf << 55
    /// Output address bits [47:12].
    public static let addressMask: UInt64 = 0x0000_ffff_ffff_f000

    public typealias Kind = PageTableEntryKind

    // MARK: Geometry: 4 KiB granule, 48-bit VAs in each half, levels 0-3 (TranslationGeometry).

    public static var levels: Int { 4 }
    public static var canonicalHalfBits: Int { 48 }
    /// Output addresses are bits [47:12] of a descriptor.
    public static var physicalAddressLimit: UInt64 { 1 << 48 }
    /// Levels 1 (1 GiB) and 2 (2 MiB). Level 0 blocks need FEAT_LPA2.
    @inline(__always) public static func allowsBlock(level: Int) -> Bool { level == 1 || level == 2 }

    // MARK: Descriptors

    /// What the entry is at `level`. Encodings the hardware treats as faults (a level 0 block,
    /// a level 3 entry with bit 1 clear) read as invalid.
    public func kind(level: Int) -> Kind {
        guard isValid else { return .invalid }
        let bit1 = rawValue & Self.tableOrPage != 0
        if level == 3 { return bit1 ? .page : .invalid }
        if bit1 { return .table }
        return Self.allowsBlock(level: level) ? .block : .invalid
    }

    /// Next-level table, block or page address (bits [47:12]; blocks' low bits are zero).
    @inline(__always) public var outputAddress: PhysAddr { PhysAddr(rawValue & Self.addressMask) }

    /// Points at the next-level table.
    public static func table(_ next: PhysAddr) -> PageTableEntry {
        PageTableEntry(rawValue: (next.value & addressMask) | tableOrPage | valid)
    }

    /// Encoding without checks, for callers that validated already (`leaf` checks).
    public static func leafUnchecked(_ output: PhysAddr, level: Int, attributes a: MemoryAttributes) -> PageTableEntry {
        var bits = valid | accessFlag | (a.memoryType.attributeIndex << attrIndexShift)
        if level == 3 { bits |= tableOrPage }
        if a.user { bits |= apUser }
        if !a.writable { bits |= apReadOnly }
        if !a.memoryType.isDevice { bits |= innerShareable }
        if !a.global { bits |= notGlobal }
        if !a.kernelExecutable { bits |= privilegedExecuteNever }
        if !a.userExecutable { bits |= userExecuteNever }
        bits |= (UInt64(a.software) << softwareShift) & softwareMask
        return PageTableEntry(rawValue: bits | (output.value & addressMask))
    }

    /// The template's bits with `output` in [47:12] (checked page-aligned and below 2^48 by the caller).
    @inline(__always) public func placing(_ output: PhysAddr) -> PageTableEntry {
        PageTableEntry(rawValue: rawValue | output.value)
    }

    /// AP[2] set: read-only at every EL that has access.
    @inline(__always) public var readOnly: PageTableEntry { PageTableEntry(rawValue: rawValue | Self.apReadOnly) }

    /// The attributes of a block or page descriptor. AttrIndx 4-7 (never written by Lichen)
    /// read as the most restrictive type.
    public var attributes: MemoryAttributes {
        MemoryAttributes(
            writable: rawValue & Self.apReadOnly == 0,
            kernelExecutable: rawValue & Self.privilegedExecuteNever == 0,
            user: rawValue & Self.apUser != 0,
            userExecutable: rawValue & Self.userExecuteNever == 0,
            global: rawValue & Self.notGlobal == 0,
            memoryType: MemoryType(attributeIndex: (rawValue & Self.attrIndexMask) >> Self.attrIndexShift),
            software: UInt8(truncatingIfNeeded: (rawValue & Self.softwareMask) >> Self.softwareShift))
    }

    /// The same leaf one level down, covering the `index`th slice of this block; used to split
    /// a block into a table of smaller blocks or pages with identical attributes.
    public func splitPart(_ index: Int, blockLevel: Int) -> PageTableEntry {
        let childLevel = blockLevel + 1
        let offset = UInt64(index) << UInt64(TranslationGeometry.shift(level: childLevel))
        var bits = rawValue & ~Self.addressMask & ~Self.tableOrPage
        if childLevel == 3 { bits |= Self.tableOrPage }
        return PageTableEntry(rawValue: bits | (outputAddress.value &+ offset))
    }
}

/// AArch64's translation tables: the generic walker over VMSAv8-64 descriptors. TTBR0_EL1/TTBR1_EL1
/// take `root` (with the ASID in bits [63:48]).
public typealias TranslationTable<Memory: PageTableMemory> = PageTable<PageTableEntry, Memory>

/// The VMSAv8-64 regime Lichen uses: 4 KiB granule, 48-bit VAs, four levels, 512 entries a table.
public typealias TranslationGeometry = PageTableGeometry<PageTableEntry>
