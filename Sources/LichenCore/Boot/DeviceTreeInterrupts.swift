// Interrupt specifiers (devicetree spec 2.4). Only controllers with >= 3 interrupt cells are
// decoded, as GIC specifiers <type number flags>; anything else (e.g. an interrupt-map
// nexus) yields nil rather than a guess.

/// A GIC interrupt ID (INTID): SGIs 0-15, PPIs 16-31, SPIs 32-1019.
public struct InterruptID: Hashable, Sendable {
    public let value: UInt32
    public init(_ value: UInt32) { self.value = value }

    public static func ppi(_ n: UInt32) -> InterruptID { InterruptID(16 + n) }
    public static func spi(_ n: UInt32) -> InterruptID { InterruptID(32 + n) }

    /// Decodes a GIC binding specifier's first two cells; nil for unknown types or numbers.
    public init?(gicType type: UInt32, number n: UInt32) {
        switch type {
        case 0 where n < 988: value = 32 + n     // SPI
        case 1 where n < 16: value = 16 + n      // PPI
        case 2 where n < 1024: value = 4096 + n  // extended SPI (GICv3.1)
        case 3 where n < 64: value = 1056 + n    // extended PPI (GICv3.1)
        default: return nil
        }
    }
}

extension DeviceTree.Node {
    /// The controller this node's `interrupts` refer to, found as Linux's
    /// of_irq_find_parent does: follow `interrupt-parent` (or else the tree parent) until a
    /// node with `#interrupt-cells`. Bounded, so a phandle cycle cannot loop forever.
    public func interruptParent() throws(DeviceTreeError) -> DeviceTree.Node? {
        var current = self
        for _ in 0..<64 {
            let next: DeviceTree.Node?
            if let phandle = try current.u32("interrupt-parent") {
                next = tree.node(withPhandle: phandle)
            } else {
                next = current.parent
            }
            guard let candidate = next else { return nil }
            if candidate.property("#interrupt-cells") != nil { return candidate }
            current = candidate
        }
        return nil
    }

    /// The `index`th interrupt (from `interrupts-extended` or `interrupts`) as a GIC INTID;
    /// nil when absent or not decodable as a GIC specifier.
    public func interrupt(at index: Int) throws(DeviceTreeError) -> InterruptID? {
        if let extended = property("interrupts-extended") {
            // <phandle specifier...> entries, each sized by its own controller.
            var cell = 0, entry = 0
            while cell < extended.cellCount {
                guard let phandle = extended.cell(cell), let controller = tree.node(withPhandle: phandle),
                      let cells = try controller.u32("#interrupt-cells") else { throw .badProperty }
                let count = Int(cells)
                guard count <= extended.cellCount - cell - 1 else { throw .badProperty }
                if entry == index { return Self.decode(extended, at: cell + 1, cells: count, controller: controller) }
                cell += 1 + count
                entry += 1
            }
            return nil
        }
        guard let interrupts = property("interrupts"), let controller = try interruptParent(),
              let cells = try controller.u32("#interrupt-cells") else { return nil }
        let count = Int(cells)
        guard count > 0, interrupts.cellCount * 4 == interrupts.value.count,
              interrupts.cellCount % count == 0 else { throw .badProperty }
        guard index >= 0, index < interrupts.cellCount / count else { return nil }
        return Self.decode(interrupts, at: index * count, cells: count, controller: controller)
    }

    static func decode(_ specifier: DeviceTree.Property, at cell: Int, cells: Int,
                       controller: DeviceTree.Node) -> InterruptID? {
        guard cells >= 3, controller.property("interrupt-map") == nil,
              let type = specifier.cell(cell), let number = specifier.cell(cell + 1) else { return nil }
        return InterruptID(gicType: type, number: number)
    }
}
