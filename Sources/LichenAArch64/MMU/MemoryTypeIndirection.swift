// How VMSAv8-64 descriptors name a MemoryType: the descriptor's AttrIndx field (bits [4:2]) indexes
// MAIR_EL1, whose byte n describes memory type n. KernelAddressSpace writes `mairEL1Value` on every CPU.

import LichenCore

extension MemoryType {
    /// The MAIR_EL1 index (AttrIndx) of this type.
    @inline(__always) public var attributeIndex: UInt64 {
        switch self {
        case .normal: 0
        case .device: 1
        case .normalNonCacheable: 2
        case .deviceStrong: 3
        }
    }

    /// The type at MAIR_EL1 index `index`; indexes 4-7 (never written by Lichen) read as the most
    /// restrictive type.
    @inline(__always) public init(attributeIndex index: UInt64) {
        switch index {
        case 0: self = .normal
        case 1: self = .device
        case 2: self = .normalNonCacheable
        default: self = .deviceStrong
        }
    }

    /// The MAIR_EL1 attribute byte for this type.
    public var mairAttribute: UInt8 {
        switch self {
        case .normal: 0xff              // Normal, inner and outer write-back, read/write-allocate, non-transient
        case .device: 0x04              // Device-nGnRE: no gathering, no reordering, early write acknowledgement
        case .normalNonCacheable: 0x44  // Normal, inner and outer non-cacheable
        case .deviceStrong: 0x00        // Device-nGnRnE
        }
    }
}

/// MAIR_EL1 with Attr<n> (bits [8n+7:8n]) = the mairAttribute of the type whose attributeIndex is n.
/// Attr4..7 are unused (0 = Device-nGnRnE).
public let mairEL1Value: UInt64 = 0x0000_0000_0044_04ff
