// A VMSAv8-64 stage 1 descriptor, 4 KiB granule (Arm ARM D8.3). Bit layout:
//   [0] valid  [1] table (levels 0-2) / page (level 3); 0 at levels 1-2 = block
//   [4:2] AttrIndx (MAIR index)  [5] NS  [7:6] AP[2:1]  [9:8] SH  [10] AF  [11] nG
//   [47:12] output address (table: next-level table; block: bits [47:30] or [47:21])
//   [52] Contiguous  [53] PXN  [54] UXN  [58:55] ignored by hardware (software use)
//   [63:59] table descriptors only: PXNTable, UXNTable, APTable, NSTable (left zero).

import LichenCore

public struct PageTableEntry: Hashable, Sendable {
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

    public static let invalid = PageTableEntry(rawValue: 0)

    public enum Kind: Hashable, Sendable { case invalid, table, block, page }

    @inline(__always) public var isValid: Bool { rawValue & Self.valid != 0 }

    /// What the entry is at `level`. Encodings the hardware treats as faults (a level 0 block,
    /// a level 3 entry with bit 1 clear) read as invalid.
    public func kind(level: Int) -> Kind {
        guard isValid else { return .invalid }
        let bit1 = rawValue & Self.tableOrPage != 0
        if level == 3 { return bit1 ? .page : .invalid }
        if bit1 { return .table }
        return TranslationGeometry.allowsBlock(level: level) ? .block : .invalid
    }

    /// Next-level table, block or page address (bits [47:12]; blocks' low bits are zero).
    @inline(__always) public var outputAddress: PhysAddr { PhysAddr(rawValue & Self.addressMask) }

    /// Points at the next-level table.
    public static func table(_ next: PhysAddr) -> PageTableEntry {
        PageTableEntry(rawValue: (next.value & addressMask) | tableOrPage | valid)
    }

    /// A block (level 1 or 2) or page (level 3) mapping `output` with `attributes`.
    public static func leaf(_ output: PhysAddr, level: Int, attributes: MemoryAttributes)
        throws(MappingError) -> PageTableEntry {
        try attributes.validate()
        guard level == 3 || TranslationGeometry.allowsBlock(level: level) else { throw .misaligned }
        guard output.value < TranslationGeometry.physicalAddressLimit else { throw .invalidAddress }
        guard output.isAligned(to: TranslationGeometry.entrySize(level: level)) else { throw .misaligned }
        return leafUnchecked(output, level: level, attributes: attributes)
    }

    /// A level 3 page descriptor.
    public static func page(_ output: PhysAddr, attributes: MemoryAttributes) throws(MappingError) -> PageTableEntry {
        try leaf(output, level: 3, attributes: attributes)
    }

    /// A level 1 (1 GiB) or level 2 (2 MiB) block descriptor.
    public static func block(_ output: PhysAddr, level: Int, attributes: MemoryAttributes)
        throws(MappingError) -> PageTableEntry {
        guard TranslationGeometry.allowsBlock(level: level) else { throw .misaligned }
        return try leaf(output, level: level, attributes: attributes)
    }

    /// Encoding without checks, for callers that validated already.
    static func leafUnchecked(_ output: PhysAddr, level: Int, attributes a: MemoryAttributes) -> PageTableEntry {
        var bits = valid | accessFlag | (UInt64(a.memoryType.rawValue) << attrIndexShift)
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

    /// The attributes of a block or page descriptor. AttrIndx 4-7 (never written by Lichen)
    /// read as the most restrictive type.
    public var attributes: MemoryAttributes {
        let index = UInt8(truncatingIfNeeded: (rawValue & Self.attrIndexMask) >> Self.attrIndexShift)
        return MemoryAttributes(
            writable: rawValue & Self.apReadOnly == 0,
            kernelExecutable: rawValue & Self.privilegedExecuteNever == 0,
            user: rawValue & Self.apUser != 0,
            userExecutable: rawValue & Self.userExecuteNever == 0,
            global: rawValue & Self.notGlobal == 0,
            memoryType: MemoryType(rawValue: index) ?? .deviceStrong,
            software: UInt8(truncatingIfNeeded: (rawValue & Self.softwareMask) >> Self.softwareShift))
    }

    /// The same leaf one level down, covering the `index`th slice of this block; used to split
    /// a block into a table of smaller blocks or pages with identical attributes.
    func splitPart(_ index: Int, blockLevel: Int) -> PageTableEntry {
        let childLevel = blockLevel + 1
        let offset = UInt64(index) << UInt64(TranslationGeometry.shift(level: childLevel))
        var bits = rawValue & ~Self.addressMask & ~Self.tableOrPage
        if childLevel == 3 { bits |= Self.tableOrPage }
        return PageTableEntry(rawValue: bits | (outputAddress.value &+ offset))
    }
}
