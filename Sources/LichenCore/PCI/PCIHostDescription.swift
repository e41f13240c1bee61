/// What the generic ECAM host bridge driver needs from its devicetree node
/// (`pci-host-ecam-generic`, Linux's Documentation/devicetree/bindings/pci/host-generic-pci.yaml):
/// the ECAM window, the buses it covers, the forwarded windows and the INTx routing.
public struct PCIHostDescription: Sendable {
    public let ecam: PhysRange
    public let firstBus: UInt8
    public let lastBus: UInt8
    public let windows: [PCIWindow]
    public let interruptMap: PCIInterruptMap?

    public static let compatibles: [StaticString] = ["pci-host-ecam-generic"]

    public init(_ node: DeviceTree.Node) throws(DeviceTreeError) {
        guard let ecam = try node.registers().first, try node.addressCells() == 3 else { throw .badProperty }
        var first: UInt64 = 0, last: UInt64 = 255
        if let range = node.property("bus-range") {
            guard range.cellCount == 2, let a = range.cell(0), let b = range.cell(1), a <= b, b <= 255 else { throw .badProperty }
            first = UInt64(a)
            last = UInt64(b)
        }
        // ECAM gives each bus 1 MiB: the window bounds the buses reachable.
        let reachable = ecam.size >> 20
        guard reachable > 0 else { throw .badProperty }
        last = min(last, first + reachable - 1)
        guard let ranges = node.property("ranges") else { throw .badProperty }
        let parentAddressCells = try node.parent?.addressCells() ?? 2
        let windows = try PCIWindow.decode(ranges: ranges.value, parentAddressCells: parentAddressCells, sizeCells: try node.sizeCells())
        var interruptMap: PCIInterruptMap? = nil
        if let map = node.property("interrupt-map"), let mask = node.property("interrupt-map-mask") {
            let tree = node.tree
            interruptMap = try PCIInterruptMap.decode(map: map.value, mask: mask.value,
                                                      interruptCells: Int(try node.u32("#interrupt-cells") ?? 0)) { phandle in
                guard let parent = tree.node(withPhandle: phandle),
                      let cells = try? parent.u32("#interrupt-cells") else { return nil }
                let address = (try? parent.u32("#address-cells")) ?? 0
                return PCIInterruptMap.Parent(addressCells: Int(address), interruptCells: Int(cells))
            }
        }
        self.ecam = ecam
        firstBus = UInt8(first)
        lastBus = UInt8(last)
        self.windows = windows
        self.interruptMap = interruptMap
    }
}
