/// A Base Address Register decoded (PCI 3.0, 6.2.5.1): what kind of space it asks for and how much.
/// Sizing writes all-ones to the register and reads back which address bits stick; the bits that
/// stay 0 are the size. The kernel does the writes, this does the arithmetic.
public struct PCIBar: Equatable, Sendable {
    public enum Space: Equatable, Sendable { case io, memory32, memory64 }
    public let space: Space
    public let prefetchable: Bool
    /// A power of two (the device decodes `size` bytes, aligned to `size`).
    public let size: UInt64

    public init(space: Space, prefetchable: Bool, size: UInt64) {
        self.space = space
        self.prefetchable = prefetchable
        self.size = size
    }

    /// Whether the register's low bits (its value before sizing) say a 64-bit memory BAR, which
    /// takes the next register for its high half.
    public static func is64Bit(_ original: UInt32) -> Bool { original & 1 == 0 && (original >> 1) & 3 == 2 }

    /// Decodes a BAR from its value before sizing and what read back after writing all-ones (and,
    /// for a 64-bit BAR, the high register's read-back). The size is the lowest address bit that
    /// stuck, as Linux's pci_size takes it (a 16-bit I/O BAR reads its high half as 0). nil: not
    /// implemented (no address bit sticks) or a reserved memory type.
    public init?(original: UInt32, sizedLow: UInt32, sizedHigh: UInt32?) {
        let bits: UInt64
        if original & 1 == 1 {                                   // I/O: bits 31:2 are the address
            space = .io
            prefetchable = false
            bits = UInt64(sizedLow & ~3)
        } else {
            switch (original >> 1) & 3 {
            case 0: space = .memory32
            case 2: space = .memory64
            default: return nil
            }
            prefetchable = original & 8 != 0
            bits = (space == .memory64 ? UInt64(sizedHigh ?? 0) << 32 : 0) | UInt64(sizedLow & ~0xf)
        }
        guard bits != 0 else { return nil }
        size = bits & (~bits &+ 1)
    }
}
