// A page-table descriptor format: how one 64-bit entry of a radix page table encodes a table pointer,
// a block or page mapping, and the arch-neutral MemoryAttributes. The walker (PageTable), its bulk
// operations and its geometry are generic over it; each architecture supplies one conformance
// (AArch64: PageTableEntry, VMSAv8-64 stage 1 with 4 KiB granules).
//
// Shared assumptions: tables are 4 KiB holding 512 entries, pages are 4 KiB, level 0 is the root and
// `levels - 1` the page level (at most four levels: PageTableBulk's DestinationPath), each level
// indexes 9 VA bits, and bit 0 of an entry is its valid bit (as on AArch64, RISC-V and x86-64).

/// What an entry is at its level.
public enum PageTableEntryKind: Hashable, Sendable { case invalid, table, block, page }

public protocol PageTableFormat: Hashable, Sendable {
    init(rawValue: UInt64)
    var rawValue: UInt64 { get }

    // MARK: Geometry

    /// Number of levels of the tree.
    static var levels: Int { get }
    /// Each canonical half (user below, kernel above) spans 2^canonicalHalfBits bytes: VA bits
    /// [63:canonicalHalfBits] are all zero or all one.
    static var canonicalHalfBits: Int { get }
    /// Output addresses must be below this.
    static var physicalAddressLimit: UInt64 { get }
    /// Whether entries at `level` may be block (huge page) mappings.
    static func allowsBlock(level: Int) -> Bool

    // MARK: Descriptors

    /// What the entry is at `level`; encodings the hardware treats as faults read as invalid.
    func kind(level: Int) -> PageTableEntryKind
    /// The next-level table, block or page address.
    var outputAddress: PhysAddr { get }
    /// An entry pointing at the next-level table `next`.
    static func table(_ next: PhysAddr) -> Self
    /// A block (level < levels - 1) or page mapping of `output`, without checks: the caller validated
    /// `attributes` and the level, and `output` is aligned and below `physicalAddressLimit`.
    static func leafUnchecked(_ output: PhysAddr, level: Int, attributes: MemoryAttributes) -> Self
    /// The attributes of a block or page entry.
    var attributes: MemoryAttributes { get }
    /// This leaf (built for output address 0) mapping the page-aligned `output`, below
    /// `physicalAddressLimit`: how the bulk map stamps one template onto many frames.
    func placing(_ output: PhysAddr) -> Self
    /// The same leaf one level down, covering the `index`th slice of this block (splitting a block
    /// into a table of smaller blocks or pages with identical attributes).
    func splitPart(_ index: Int, blockLevel: Int) -> Self
    /// The same leaf without write permission (copy on write: a permission change only, which needs
    /// no break-before-make).
    var readOnly: Self { get }
}

/// The valid bit of every format (see the top of this file).
public let pageTableValidBit: UInt64 = 1

extension PageTableFormat {
    public static var invalid: Self { Self(rawValue: 0) }

    @inline(__always) public var isValid: Bool { rawValue & pageTableValidBit != 0 }

    /// A block or page mapping `output` with `attributes`, checked.
    public static func leaf(_ output: PhysAddr, level: Int, attributes: MemoryAttributes)
        throws(MappingError) -> Self {
        typealias Geometry = PageTableGeometry<Self>
        try attributes.validate()
        guard level == levels - 1 || allowsBlock(level: level) else { throw .misaligned }
        guard output.value < physicalAddressLimit else { throw .invalidAddress }
        guard output.isAligned(to: Geometry.entrySize(level: level)) else { throw .misaligned }
        return leafUnchecked(output, level: level, attributes: attributes)
    }

    /// A page (last level) mapping.
    public static func page(_ output: PhysAddr, attributes: MemoryAttributes) throws(MappingError) -> Self {
        try leaf(output, level: levels - 1, attributes: attributes)
    }

    /// A block mapping at `level` (AArch64: 1 GiB at level 1, 2 MiB at level 2).
    public static func block(_ output: PhysAddr, level: Int, attributes: MemoryAttributes)
        throws(MappingError) -> Self {
        guard allowsBlock(level: level) else { throw .misaligned }
        return try leaf(output, level: level, attributes: attributes)
    }
}
