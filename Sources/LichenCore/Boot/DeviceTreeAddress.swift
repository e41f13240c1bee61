// Decoding `reg` and translating bus addresses to CPU physical addresses through the
// ancestors' `ranges` (devicetree spec 2.3.6 and 2.3.8). Cell counts above 2 (e.g. PCI's 3)
// are rejected: such addresses do not fit a PhysAddr without bus-specific decoding.

extension DeviceTree.Node {
    /// `reg` as addresses on the parent bus, decoded with the parent's `#address-cells` and
    /// `#size-cells`. Empty when there is no `reg`.
    public func reg() throws(DeviceTreeError) -> [PhysRange] {
        guard let reg = property("reg") else { return [] }
        let parent = self.parent
        let addressCells = try parent?.addressCells() ?? 2
        let sizeCells = try parent?.sizeCells() ?? 1
        guard (1...2).contains(addressCells), (0...2).contains(sizeCells) else { throw .badProperty }
        let stride = addressCells + sizeCells
        guard reg.value.count % (stride * 4) == 0 else { throw .badProperty }
        var result: [PhysRange] = []
        var cell = 0
        while cell < reg.cellCount {
            guard let address = readCells(reg.value, at: cell, count: addressCells),
                  let size = readCells(reg.value, at: cell + addressCells, count: sizeCells),
                  address <= UInt64.max - size
            else { throw .badProperty }
            result.append(PhysRange(start: PhysAddr(address), size: size))
            cell += stride
        }
        return result
    }

    /// `reg` translated to CPU physical addresses. Each ancestor bus below the root must
    /// have `ranges` (empty means identity); an address no range covers is `badProperty`.
    /// Only for memory-mapped nodes: a `reg` that is not an address (a cpu's MPIDR under
    /// /cpus, which has no `ranges`) does not translate; use `reg()` for those.
    public func registers() throws(DeviceTreeError) -> [PhysRange] {
        var regions = try reg()
        var bus = parent
        while let child = bus, let up = child.parent {
            guard let ranges = child.property("ranges") else { throw .badProperty }
            if ranges.value.count > 0 {
                let childAddressCells = try child.addressCells()
                let childSizeCells = try child.sizeCells()
                let parentAddressCells = try up.addressCells()
                for i in regions.indices {
                    regions[i].start = try Self.translate(regions[i], through: ranges.value,
                        childAddressCells: childAddressCells, parentAddressCells: parentAddressCells,
                        sizeCells: childSizeCells)
                }
            }
            bus = up
        }
        return regions
    }

    /// Maps `region` (on the child bus) through one `ranges` table of
    /// (child address, parent address, length) triples.
    static func translate(_ region: PhysRange, through ranges: UnsafeRawBufferPointer,
                          childAddressCells: Int, parentAddressCells: Int, sizeCells: Int)
        throws(DeviceTreeError) -> PhysAddr {
        guard (1...2).contains(childAddressCells), (1...2).contains(parentAddressCells),
              (1...2).contains(sizeCells) else { throw .badProperty }
        let stride = childAddressCells + parentAddressCells + sizeCells
        guard ranges.count % (stride * 4) == 0 else { throw .badProperty }
        let address = region.start.value
        var cell = 0
        while cell < ranges.count / 4 {
            guard let childBase = readCells(ranges, at: cell, count: childAddressCells),
                  let parentBase = readCells(ranges, at: cell + childAddressCells, count: parentAddressCells),
                  let length = readCells(ranges, at: cell + childAddressCells + parentAddressCells, count: sizeCells)
            else { throw .badProperty }
            if address >= childBase, address - childBase < length, region.size <= length - (address - childBase) {
                let offset = address - childBase
                guard parentBase <= UInt64.max - offset - region.size else { throw .badProperty }
                return PhysAddr(parentBase + offset)
            }
            cell += stride
        }
        throw .badProperty
    }
}
