// Test-only flattened-device-tree writer (the inverse of DeviceTree), so every test builds
// its blob in code, plus a model of the tree qemu's `virt` machine generates.
@testable import LichenCore

/// A node to serialise: properties in order, then children.
struct FDTNode {
    var name: String
    var properties: [(name: String, value: [UInt8])]
    var children: [FDTNode]

    init(_ name: String, _ properties: [(String, [UInt8])] = [], _ children: [FDTNode] = []) {
        self.name = name
        self.properties = properties.map { (name: $0.0, value: $0.1) }
        self.children = children
    }
}

/// Property value encoders.
enum FDT {
    static func cells(_ values: UInt32...) -> [UInt8] { values.flatMap(bigEndian) }
    static func u64(_ value: UInt64) -> [UInt8] { bigEndian(UInt32(value >> 32)) + bigEndian(UInt32(truncatingIfNeeded: value)) }
    static func string(_ s: String) -> [UInt8] { Array(s.utf8) + [0] }
    static func strings(_ list: String...) -> [UInt8] { list.flatMap(string) }
    static let empty: [UInt8] = []

    static func bigEndian(_ v: UInt32) -> [UInt8] { [UInt8(v >> 24), UInt8(v >> 16 & 0xff), UInt8(v >> 8 & 0xff), UInt8(v & 0xff)] }

    static let beginNode: UInt32 = 1, endNode: UInt32 = 2, prop: UInt32 = 3, nop: UInt32 = 4, end: UInt32 = 9
    // Header field byte offsets.
    static let totalSizeField = 4, structOffsetField = 8, stringsOffsetField = 12, reservationsField = 16
    static let versionField = 20, lastCompatibleField = 24, stringsSizeField = 32, structSizeField = 36
}

/// Serialises a tree in dtc's layout: header, /memreserve/ block, structure block, strings.
struct FDTBuilder {
    var reservations: [(address: UInt64, size: UInt64)] = []
    var version: UInt32 = 17
    var lastCompatibleVersion: UInt32 = 16
    /// Sprinkle FDT_NOP tokens everywhere they are allowed.
    var insertNops = false
    /// Extra zero bytes after the strings block (like `dtc -p`).
    var padding = 0

    func build(_ root: FDTNode) -> [UInt8] {
        var structure: [UInt8] = []
        var strings: [UInt8] = []
        var stringOffsets: [String: Int] = [:]
        func token(_ t: UInt32) { structure += FDT.bigEndian(t) }
        func nop() { if insertNops { token(FDT.nop) } }
        func pad() { while structure.count % 4 != 0 { structure.append(0) } }
        func emit(_ node: FDTNode) {
            nop()
            token(FDT.beginNode)
            structure += Array(node.name.utf8) + [0]
            pad()
            for p in node.properties {
                nop()
                let offset = stringOffsets[p.name] ?? strings.count
                if stringOffsets[p.name] == nil { stringOffsets[p.name] = offset; strings += Array(p.name.utf8) + [0] }
                token(FDT.prop)
                structure += FDT.bigEndian(UInt32(p.value.count)) + FDT.bigEndian(UInt32(offset)) + p.value
                pad()
            }
            node.children.forEach(emit)
            nop()
            token(FDT.endNode)
        }
        emit(root)
        nop()
        token(FDT.end)

        var reservationBlock: [UInt8] = []
        for r in reservations + [(0, 0)] { reservationBlock += FDT.u64(r.address) + FDT.u64(r.size) }
        let reservationsOffset = 40
        let structOffset = reservationsOffset + reservationBlock.count
        let stringsOffset = structOffset + structure.count
        let total = stringsOffset + strings.count + padding
        let header = [0xd00d_feed, UInt32(total), UInt32(structOffset), UInt32(stringsOffset),
                      UInt32(reservationsOffset), version, lastCompatibleVersion, 0,
                      UInt32(strings.count), UInt32(structure.count)].flatMap(FDT.bigEndian)
        return header + reservationBlock + structure + strings + [UInt8](repeating: 0, count: padding)
    }
}

extension Array where Element == UInt8 {
    func u32(at offset: Int) -> UInt32 { self[offset..<offset + 4].reduce(0) { $0 << 8 | UInt32($1) } }
    mutating func setU32(_ value: UInt32, at offset: Int) { replaceSubrange(offset..<offset + 4, with: FDT.bigEndian(value)) }
}

/// Parses `blob` and hands the tree to `body` while the bytes are alive.
@discardableResult func withDeviceTree<R>(_ blob: [UInt8], _ body: (DeviceTree) throws -> R) throws -> R {
    try blob.withUnsafeBytes { try body(try DeviceTree($0)) }
}

/// The error `DeviceTree.init` throws for `blob`, or nil if it parses.
func parseError(_ blob: [UInt8]) -> DeviceTreeError? {
    blob.withUnsafeBytes { buffer -> DeviceTreeError? in
        do throws(DeviceTreeError) { _ = try DeviceTree(buffer); return nil } catch { return error }
    }
}

/// A tree shaped like the one `qemu-system-aarch64 -M virt -cpu cortex-a72 -smp 2` generates.
struct VirtMachine {
    var gicV3 = false
    var memorySize: UInt64 = 0x2000_0000
    var reservedMemory = false
    var bootArguments = "console=ttyAMA0 root=/dev/vda"

    static let gicPhandle: UInt32 = 0x8002

    var root: FDTNode {
        let gic: FDTNode = gicV3
            ? FDTNode("intc@8000000", [
                ("phandle", FDT.cells(Self.gicPhandle)),
                ("reg", FDT.cells(0, 0x800_0000, 0, 0x1_0000, 0, 0x80a_0000, 0, 0xf6_0000)),
                ("#redistributor-regions", FDT.cells(1)),
                ("compatible", FDT.string("arm,gic-v3")),
                ("ranges", FDT.empty), ("#size-cells", FDT.cells(2)), ("#address-cells", FDT.cells(2)),
                ("interrupt-controller", FDT.empty), ("#interrupt-cells", FDT.cells(3)),
            ])
            : FDTNode("intc@8000000", [
                ("phandle", FDT.cells(Self.gicPhandle)),
                ("reg", FDT.cells(0, 0x800_0000, 0, 0x1_0000, 0, 0x801_0000, 0, 0x1_0000)),
                ("compatible", FDT.string("arm,cortex-a15-gic")),
                ("ranges", FDT.empty), ("#size-cells", FDT.cells(2)), ("#address-cells", FDT.cells(2)),
                ("interrupt-controller", FDT.empty), ("#interrupt-cells", FDT.cells(3)),
            ], [
                FDTNode("v2m@8020000", [("phandle", FDT.cells(0x8003)), ("reg", FDT.cells(0, 0x802_0000, 0, 0x1000)),
                                        ("msi-controller", FDT.empty), ("compatible", FDT.string("arm,gic-v2m-frame"))]),
            ])
        func cpu(_ n: UInt32) -> FDTNode {
            FDTNode("cpu@\(n)", [("phandle", FDT.cells(0x8010 + n)), ("reg", FDT.cells(n)), ("enable-method", FDT.string("psci")),
                                 ("compatible", FDT.string("arm,cortex-a72")), ("device_type", FDT.string("cpu"))])
        }
        var children: [FDTNode] = [
            FDTNode("psci", [("migrate", FDT.cells(0xc400_0005)), ("cpu_on", FDT.cells(0xc400_0003)),
                             ("cpu_off", FDT.cells(0x8400_0002)), ("cpu_suspend", FDT.cells(0xc400_0001)),
                             ("method", FDT.string("hvc")),
                             ("compatible", FDT.strings("arm,psci-1.0", "arm,psci-0.2", "arm,psci"))]),
            FDTNode("memory@40000000", [("reg", FDT.cells(0, 0x4000_0000) + FDT.u64(memorySize)),
                                        ("device_type", FDT.string("memory"))]),
            FDTNode("platform-bus@c000000", [("interrupt-parent", FDT.cells(Self.gicPhandle)),
                                             ("ranges", FDT.cells(0, 0, 0xc00_0000, 0x200_0000)),
                                             ("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1)),
                                             ("compatible", FDT.strings("qemu,platform", "simple-bus"))]),
            FDTNode("pl031@9010000", [("clock-names", FDT.string("apb_pclk")), ("clocks", FDT.cells(0x8000)),
                                      ("interrupts", FDT.cells(0, 2, 4)), ("reg", FDT.cells(0, 0x901_0000, 0, 0x1000)),
                                      ("compatible", FDT.strings("arm,pl031", "arm,primecell"))]),
            FDTNode("pl011@9000000", [("clock-names", FDT.strings("uartclk", "apb_pclk")), ("clocks", FDT.cells(0x8000, 0x8000)),
                                      ("interrupts", FDT.cells(0, 1, 4)), ("reg", FDT.cells(0, 0x900_0000, 0, 0x1000)),
                                      ("compatible", FDT.strings("arm,pl011", "arm,primecell"))]),
            gic,
            FDTNode("timer", [("interrupts", FDT.cells(1, 13, 0xf04, 1, 14, 0xf04, 1, 11, 0xf04, 1, 10, 0xf04)),
                              ("always-on", FDT.empty), ("compatible", FDT.strings("arm,armv8-timer", "arm,armv7-timer"))]),
            FDTNode("cpus", [("#size-cells", FDT.cells(0)), ("#address-cells", FDT.cells(1))], [
                FDTNode("cpu-map", [], [FDTNode("socket0", [], [FDTNode("cluster0", [], [
                    FDTNode("core0", [("cpu", FDT.cells(0x8010))]), FDTNode("core1", [("cpu", FDT.cells(0x8011))]),
                ])])]),
                cpu(0), cpu(1),
            ]),
            FDTNode("aliases", [("serial0", FDT.string("/pl011@9000000"))]),
            FDTNode("chosen", [("linux,initrd-end", FDT.u64(0x4880_0000)), ("linux,initrd-start", FDT.u64(0x4800_0000)),
                               ("bootargs", FDT.string(bootArguments)), ("stdout-path", FDT.string("/pl011@9000000"))]),
        ]
        if reservedMemory {
            children.append(FDTNode("reserved-memory", [("#address-cells", FDT.cells(2)), ("#size-cells", FDT.cells(2)),
                                                        ("ranges", FDT.empty)], [
                FDTNode("secmon@5e000000", [("reg", FDT.cells(0, 0x5e00_0000, 0, 0x20_0000)), ("no-map", FDT.empty)]),
                FDTNode("linux,cma", [("compatible", FDT.string("shared-dma-pool")), ("size", FDT.cells(0, 0x400_0000)),
                                      ("reusable", FDT.empty)]),  // dynamic: no reg, not reported
                FDTNode("ramoops@50000000", [("reg", FDT.cells(0, 0x5000_0000, 0, 0x1_0000)), ("status", FDT.string("disabled"))]),
            ]))
        }
        return FDTNode("", [("interrupt-parent", FDT.cells(Self.gicPhandle)), ("model", FDT.string("linux,dummy-virt")),
                            ("#size-cells", FDT.cells(2)), ("#address-cells", FDT.cells(2)),
                            ("compatible", FDT.string("linux,dummy-virt"))], children)
    }

    func blob(_ builder: FDTBuilder = FDTBuilder()) -> [UInt8] { builder.build(root) }
}
