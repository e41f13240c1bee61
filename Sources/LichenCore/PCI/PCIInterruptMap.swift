/// Legacy INTx routing of a PCI host bridge (devicetree `interrupt-map` and `interrupt-map-mask`,
/// devicetree spec 2.4.3, PCI binding "Open Firmware Recommended Practice: Interrupt Mapping"):
/// (phys.hi, phys.mid, phys.lo, pin) of a function, masked, selects a parent interrupt. On qemu
/// `virt` the table spreads INTA-INTD of slots 0-3 over four SPIs, rotated by slot.
public struct PCIInterruptMap: Equatable, Sendable {
    public struct Entry: Equatable, Sendable {
        public let childAddressHigh: UInt32
        public let pin: UInt32
        public let interrupt: InterruptID
        public init(childAddressHigh: UInt32, pin: UInt32, interrupt: InterruptID) {
            self.childAddressHigh = childAddressHigh
            self.pin = pin
            self.interrupt = interrupt
        }
    }

    public let entries: [Entry]
    public let addressMask: UInt32
    public let pinMask: UInt32

    public init(entries: [Entry], addressMask: UInt32, pinMask: UInt32) {
        self.entries = entries
        self.addressMask = addressMask
        self.pinMask = pinMask
    }

    /// What a parent interrupt controller's phandle says about its specifiers.
    public struct Parent: Sendable {
        public let addressCells: Int
        public let interruptCells: Int
        public init(addressCells: Int, interruptCells: Int) {
            self.addressCells = addressCells
            self.interruptCells = interruptCells
        }
    }

    /// Decodes the table: each entry is the child unit address (3 cells), the child interrupt
    /// specifier (`#interrupt-cells` of the bridge, 1: the pin), the parent's phandle, the parent unit
    /// address and interrupt specifier (sized by `parent(phandle)`). Parent specifiers must be GIC
    /// ones (<type number flags>); an unknown phandle or another kind of parent is malformed. Only the
    /// mask's phys.hi and pin cells are kept: phys.mid and phys.lo are 0 in every PCI mask.
    public static func decode(map: UnsafeRawBufferPointer, mask: UnsafeRawBufferPointer, interruptCells: Int,
                              parent: (UInt32) -> Parent?) throws(DeviceTreeError) -> PCIInterruptMap {
        guard interruptCells == 1, mask.count == 16, map.count % 4 == 0,
              let addressMask = readCells(mask, at: 0, count: 1), let pinMask = readCells(mask, at: 3, count: 1)
        else { throw .badProperty }
        var entries: [Entry] = []
        var cell = 0
        let cells = map.count / 4
        while cell < cells {
            guard cells - cell >= 5, let high = readCells(map, at: cell, count: 1), let pin = readCells(map, at: cell + 3, count: 1),
                  let phandle = readCells(map, at: cell + 4, count: 1), let p = parent(UInt32(truncatingIfNeeded: phandle)),
                  (0...3).contains(p.addressCells), (3...4).contains(p.interruptCells) else { throw .badProperty }
            let specifier = cell + 5 + p.addressCells
            guard cells - specifier >= p.interruptCells, let type = readCells(map, at: specifier, count: 1),
                  let number = readCells(map, at: specifier + 1, count: 1),
                  let interrupt = InterruptID(gicType: UInt32(truncatingIfNeeded: type), number: UInt32(truncatingIfNeeded: number))
            else { throw .badProperty }
            entries.append(Entry(childAddressHigh: UInt32(truncatingIfNeeded: high), pin: UInt32(truncatingIfNeeded: pin), interrupt: interrupt))
            cell = specifier + p.interruptCells
        }
        return PCIInterruptMap(entries: entries, addressMask: UInt32(truncatingIfNeeded: addressMask),
                               pinMask: UInt32(truncatingIfNeeded: pinMask))
    }

    /// The interrupt of `pin` (1-4: INTA-INTD) of the function at `address`; nil when the table has no
    /// entry for it. Functions behind bridges would first be swizzled to the root slot (not done:
    /// only the root bus is enumerated).
    public func interrupt(for address: PCIFunctionAddress, pin: UInt8) -> InterruptID? {
        guard (1...4).contains(pin) else { return nil }
        let key = address.unitAddressHigh & addressMask
        let pinKey = UInt32(pin) & pinMask
        return entries.first { $0.childAddressHigh & addressMask == key && $0.pin & pinMask == pinKey }?.interrupt
    }
}
