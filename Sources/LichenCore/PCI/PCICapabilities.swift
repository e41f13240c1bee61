/// The capability list of a function's configuration space (PCI 3.0, 6.7): a chain of (id, next)
/// byte pairs from the pointer at 0x34. The bytes come from the device, so the walk trusts nothing:
/// a pointer into the header or out of the 256-byte space ends it, and a loop ends after as many
/// steps as the space can hold capabilities.
public struct PCICapability: Equatable, Sendable {
    public let id: UInt8
    /// Of the capability's first byte (its id) in configuration space.
    public let offset: Int
    public init(id: UInt8, offset: Int) {
        self.id = id
        self.offset = offset
    }
}

public enum PCICapabilities {
    /// The most capabilities 256 bytes can chain (each is at least 4 bytes, after the header).
    static let limit = (PCIConfig.legacySpaceSize - PCIConfig.headerSize) / 4

    /// Walks the list; `read8` reads one byte of configuration space. Empty when the status register
    /// says there is no list.
    public static func walk(_ read8: (Int) -> UInt8) -> [PCICapability] {
        let status = UInt16(read8(PCIConfig.status)) | UInt16(read8(PCIConfig.status + 1)) << 8
        guard status & PCIConfig.Status.capabilitiesList != 0 else { return [] }
        var found: [PCICapability] = []
        var pointer = Int(read8(PCIConfig.capabilitiesPointer)) & ~3     // the low 2 bits are reserved
        while pointer >= PCIConfig.headerSize, pointer <= PCIConfig.legacySpaceSize - 2, found.count < limit {
            found.append(PCICapability(id: read8(pointer), offset: pointer))
            pointer = Int(read8(pointer + 1)) & ~3
        }
        return found
    }
}
