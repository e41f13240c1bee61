/// The address windows a PCI host bridge forwards (the `ranges` of its devicetree node, IEEE 1275
/// PCI binding 2.2.1.1): each maps a range of PCI bus addresses of one space to CPU addresses.
public struct PCIWindow: Equatable, Sendable {
    public enum Space: Equatable, Sendable { case io, memory32, memory64 }
    public let space: Space
    public let prefetchable: Bool
    public let pciBase: UInt64
    public let cpuBase: UInt64
    public let size: UInt64

    public init(space: Space, prefetchable: Bool, pciBase: UInt64, cpuBase: UInt64, size: UInt64) {
        self.space = space
        self.prefetchable = prefetchable
        self.pciBase = pciBase
        self.cpuBase = cpuBase
        self.size = size
    }

    /// Decodes `ranges`: (PCI address: 3 cells, CPU address: `parentAddressCells`, size: `sizeCells`)
    /// entries. The PCI address's first cell (phys.hi, `npt000ss ...`) gives the space (ss: 1 I/O,
    /// 2 32-bit memory, 3 64-bit memory) and p the prefetchable bit; configuration-space entries
    /// (ss 0) are skipped. Sizes of 0 and ranges that wrap around are malformed.
    public static func decode(ranges: UnsafeRawBufferPointer, parentAddressCells: Int, sizeCells: Int) throws(DeviceTreeError) -> [PCIWindow] {
        guard (1...2).contains(parentAddressCells), (1...2).contains(sizeCells) else { throw .badProperty }
        let stride = 3 + parentAddressCells + sizeCells
        guard ranges.count % (stride * 4) == 0 else { throw .badProperty }
        var windows: [PCIWindow] = []
        var cell = 0
        while cell < ranges.count / 4 {
            guard let high = readCells(ranges, at: cell, count: 1),
                  let pci = readCells(ranges, at: cell + 1, count: 2),
                  let cpu = readCells(ranges, at: cell + 3, count: parentAddressCells),
                  let size = readCells(ranges, at: cell + 3 + parentAddressCells, count: sizeCells),
                  size > 0, pci <= UInt64.max - (size - 1), cpu <= UInt64.max - (size - 1) else { throw .badProperty }
            cell += stride
            let space: Space
            switch (high >> 24) & 3 {
            case 1: space = .io
            case 2: space = .memory32
            case 3: space = .memory64
            default: continue
            }
            if space == .memory32 && pci + (size - 1) > 0xffff_ffff { throw .badProperty }
            windows.append(PCIWindow(space: space, prefetchable: high & (1 << 30) != 0, pciBase: pci, cpuBase: cpu, size: size))
        }
        return windows
    }
}
