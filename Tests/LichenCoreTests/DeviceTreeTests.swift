import Testing
@testable import LichenCore

@Suite struct DeviceTreeTests {
    let virt = VirtMachine().blob()

    @Test func headerAndTotalSize() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            #expect(tree.size == virt.count)
            #expect(tree.bootCPUID == 0)
            #expect(tree.memoryReservations.isEmpty)
        }
        let size = try Array(virt[0..<40]).withUnsafeBytes { try DeviceTree.totalSize(ofBlobAt: $0) }
        #expect(size == virt.count)
        // The header alone is enough; a buffer larger than totalsize is fine too.
        let padded = virt + [UInt8](repeating: 0xaa, count: 100)
        try withDeviceTree(padded) { tree in #expect(tree.size == virt.count) }
    }

    @Test func totalSizeErrors() {
        #expect(throws: DeviceTreeError.truncated) { try Array(virt[0..<39]).withUnsafeBytes { try DeviceTree.totalSize(ofBlobAt: $0) } }
        #expect(throws: DeviceTreeError.truncated) { try [UInt8]().withUnsafeBytes { try DeviceTree.totalSize(ofBlobAt: $0) } }
        var bad = Array(virt[0..<40])
        bad[0] = 0
        #expect(throws: DeviceTreeError.badMagic) { try bad.withUnsafeBytes { try DeviceTree.totalSize(ofBlobAt: $0) } }
        var tiny = Array(virt[0..<40])
        tiny.setU32(39, at: FDT.totalSizeField)
        #expect(throws: DeviceTreeError.badOffset) { try tiny.withUnsafeBytes { try DeviceTree.totalSize(ofBlobAt: $0) } }
    }

    @Test func memoryReservations() throws {
        var builder = FDTBuilder()
        builder.reservations = [(0x4000_0000, 0x1000), (0x4800_0000, 0x20_0000)]
        try withDeviceTree(VirtMachine().blob(builder)) { (tree: DeviceTree) throws in
            #expect(tree.memoryReservations == [PhysRange(start: PhysAddr(0x4000_0000), size: 0x1000),
                                                PhysRange(start: PhysAddr(0x4800_0000), size: 0x20_0000)])
        }
    }

    @Test func walkingNodes() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            let root = tree.root
            #expect(root.nameString == "" && root.depth == 0 && root.parent == nil)
            let names = root.children.map(\.nameString)
            #expect(names == ["psci", "memory@40000000", "platform-bus@c000000", "pl031@9010000", "pl011@9000000",
                              "intc@8000000", "timer", "cpus", "aliases", "chosen"])
            let all = Array(tree.nodes)
            #expect(all.count == 19)
            #expect(all.first == root)
            let cpus = try #require(root.child(named: "cpus"))
            #expect(cpus.children.map(\.nameString) == ["cpu-map", "cpu@0", "cpu@1"])
            #expect(cpus.descendants.map(\.nameString) == ["cpu-map", "socket0", "cluster0", "core0", "core1", "cpu@0", "cpu@1"])
            let core1 = try #require(tree.node(atPath: "/cpus/cpu-map/socket0/cluster0/core1"))
            #expect(core1.depth == 5)
            #expect(core1.parent?.nameString == "cluster0")
            #expect(core1.parent?.parent?.parent?.parent == cpus)
            #expect(Array(core1.children).isEmpty)
        }
    }

    @Test func pathsAndAliases() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            #expect(tree.node(atPath: "/")?.depth == 0)
            #expect(tree.node(atPath: "/chosen")?.nameString == "chosen")
            #expect(tree.node(atPath: "/memory")?.nameString == "memory@40000000")  // unit address optional
            #expect(tree.node(atPath: "/memory@40000000") != nil)
            #expect(tree.node(atPath: "/memory@50000000") == nil)
            #expect(tree.node(atPath: "/intc/v2m")?.nameString == "v2m@8020000")
            #expect(tree.node(atPath: "//cpus//cpu@1/")?.nameString == "cpu@1")
            #expect(tree.node(atPath: "/pl011@9000000:115200n8")?.nameString == "pl011@9000000")
            #expect(tree.node(atPath: "serial0")?.nameString == "pl011@9000000")
            #expect(tree.node(atPath: "serial0:115200")?.nameString == "pl011@9000000")
            #expect(tree.node(atPath: "serial1") == nil)
            #expect(tree.node(atPath: "/nonexistent") == nil)
            #expect(tree.node(atPath: "") == nil)
            #expect(tree.node(atPath: "/chos") == nil)
        }
    }

    @Test func propertiesAndTypes() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            let uart = try #require(tree.node(atPath: "/pl011"))
            #expect(uart.properties.map(\.nameString) == ["clock-names", "clocks", "interrupts", "reg", "compatible"])
            #expect(try uart.strings("compatible") == ["arm,pl011", "arm,primecell"])
            #expect(try uart.strings("clock-names") == ["uartclk", "apb_pclk"])
            #expect(try uart.string("compatible") == "arm,pl011")  // first string
            #expect(uart.isCompatible(with: "arm,primecell") && !uart.isCompatible(with: "arm,pl01"))
            #expect(uart.isEnabled)
            #expect(try uart.u32("missing") == nil)
            let clocks = try #require(uart.property("clocks"))
            #expect(clocks.cellCount == 2 && clocks.cell(1) == 0x8000 && clocks.cell(2) == nil)
            #expect(throws: DeviceTreeError.badProperty) { try clocks.u32() }
            #expect(try clocks.u64() == 0x0000_8000_0000_8000)
            #expect(throws: DeviceTreeError.badProperty) { try uart.string("interrupts") }  // not NUL-terminated
            let chosen = try #require(tree.node(atPath: "/chosen"))
            #expect(try chosen.u64("linux,initrd-start") == 0x4800_0000)
            #expect(try chosen.integer("linux,initrd-end") == 0x4880_0000)
            let timer = try #require(tree.node(atPath: "/timer"))
            #expect(timer.property("always-on")?.value.count == 0)
            #expect(throws: DeviceTreeError.badProperty) { try timer.string("always-on") }
            #expect(throws: DeviceTreeError.badProperty) { try timer.strings("always-on") }
            #expect(try tree.root.addressCells() == 2 && tree.root.sizeCells() == 2)
            #expect(try timer.addressCells() == 2 && timer.sizeCells() == 1)  // spec defaults
        }
    }

    @Test func phandlesAndCompatible() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            #expect(tree.node(withPhandle: VirtMachine.gicPhandle)?.nameString == "intc@8000000")
            #expect(tree.node(withPhandle: 0x8011)?.nameString == "cpu@1")
            #expect(tree.node(withPhandle: 0x1234) == nil)
            #expect(tree.node(withPhandle: 0) == nil)
            #expect(tree.nodes(compatibleWith: "arm,primecell").map(\.nameString) == ["pl031@9010000", "pl011@9000000"])
            #expect(tree.firstEnabledNode(compatibleWith: ["nope", "arm,pl031"])?.nameString == "pl031@9010000")
        }
    }

    @Test func regDecoding() throws {
        try withDeviceTree(virt) { (tree: DeviceTree) throws in
            let gic = try #require(tree.node(atPath: "/intc"))
            #expect(try gic.reg() == [PhysRange(start: PhysAddr(0x800_0000), size: 0x1_0000),
                                      PhysRange(start: PhysAddr(0x801_0000), size: 0x1_0000)])
            let cpu1 = try #require(tree.node(atPath: "/cpus/cpu@1"))
            #expect(try cpu1.reg() == [PhysRange(start: PhysAddr(1), size: 0)])  // #size-cells 0
            #expect(try tree.node(atPath: "/timer")?.reg() == [])
        }
    }

    /// Devices behind a bus whose `ranges` maps its addresses into the parent's.
    @Test func rangesTranslation() throws {
        let root = FDTNode("", [("#address-cells", FDT.cells(2)), ("#size-cells", FDT.cells(2))], [
            FDTNode("soc", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1)),
                            ("ranges", FDT.cells(0x7e00_0000, 0, 0xfe00_0000, 0x180_0000, 0x4000_0000, 0, 0xff80_0000, 0x80_0000))], [
                FDTNode("serial@7e201000", [("reg", FDT.cells(0x7e20_1000, 0x200))]),
                FDTNode("local@40000000", [("reg", FDT.cells(0x4000_0010, 0x10))]),
                FDTNode("outside@10000000", [("reg", FDT.cells(0x1000_0000, 0x10))]),
                FDTNode("straddling@7f7fff00", [("reg", FDT.cells(0x7f7f_ff00, 0x200))]),
                FDTNode("identity", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1)), ("ranges", FDT.empty)], [
                    FDTNode("deep@7e300000", [("reg", FDT.cells(0x7e30_0000, 0x100))]),
                ]),
                FDTNode("opaque", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1))], [
                    FDTNode("hidden@0", [("reg", FDT.cells(0, 0x100))]),
                ]),
            ]),
        ])
        try withDeviceTree(FDTBuilder().build(root)) { (tree: DeviceTree) throws in
            func registers(_ path: String) throws -> [PhysRange] { try #require(tree.node(atPath: path)).registers() }
            #expect(try tree.node(atPath: "/soc/serial")?.reg() == [PhysRange(start: PhysAddr(0x7e20_1000), size: 0x200)])
            #expect(try registers("/soc/serial") == [PhysRange(start: PhysAddr(0xfe20_1000), size: 0x200)])
            #expect(try registers("/soc/local") == [PhysRange(start: PhysAddr(0xff80_0010), size: 0x10)])
            #expect(try registers("/soc/identity/deep") == [PhysRange(start: PhysAddr(0xfe30_0000), size: 0x100)])
            #expect(throws: DeviceTreeError.badProperty) { try registers("/soc/outside") }
            #expect(throws: DeviceTreeError.badProperty) { try registers("/soc/straddling") }
            #expect(throws: DeviceTreeError.badProperty) { try registers("/soc/opaque/hidden") }  // no `ranges`
        }
    }

    @Test func malformedReg() throws {
        let root = FDTNode("", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1))], [
            FDTNode("odd", [("reg", FDT.cells(1, 2, 3))]),
            FDTNode("wrap", [("reg", FDT.cells(0xffff_f000, 0x2000))]),
            FDTNode("bus", [("#address-cells", FDT.cells(3)), ("#size-cells", FDT.cells(2))], [
                FDTNode("pci", [("reg", FDT.cells(0, 0, 0, 0, 0))]),
            ]),
        ])
        try withDeviceTree(FDTBuilder().build(root)) { (tree: DeviceTree) throws in
            for path in ["/odd", "/bus/pci"] {
                #expect(throws: DeviceTreeError.badProperty) { try tree.node(atPath: path)?.reg() }
            }
            #expect(try tree.node(atPath: "/wrap")?.reg() == [PhysRange(start: PhysAddr(0xffff_f000), size: 0x2000)])
        }
        let wrapping = FDTNode("", [], [FDTNode("wrap", [("reg", FDT.u64(UInt64.max - 0xfff) + FDT.cells(0x2000))])])
        try withDeviceTree(FDTBuilder().build(wrapping)) { (tree: DeviceTree) throws in
            #expect(throws: DeviceTreeError.badProperty) { try tree.node(atPath: "/wrap")?.reg() }
        }
    }

    @Test func nopTokensAreIgnored() throws {
        var builder = FDTBuilder()
        builder.insertNops = true
        builder.padding = 64
        let plain = VirtMachine().blob()
        let nopped = VirtMachine().blob(builder)
        #expect(nopped.count > plain.count + 64)
        let expected = try withDeviceTree(plain) { try MachineDescription($0) }
        let actual = try withDeviceTree(nopped) { (tree: DeviceTree) throws in
            #expect(tree.root.child(named: "chosen")?.properties.map(\.nameString).count == 4)
            return try MachineDescription(tree)
        }
        #expect(actual.memory == expected.memory)
        let (plainDevices, noppedDevices) = (try bootDevices(plain), try bootDevices(nopped))
        #expect(noppedDevices.uart == plainDevices.uart && noppedDevices.timer == plainDevices.timer)
        #expect(actual.cpuCount == 2 && actual.bootArguments == expected.bootArguments)
    }

    @Test func interruptParents() throws {
        let root = FDTNode("", [("interrupt-parent", FDT.cells(1))], [
            FDTNode("gic", [("phandle", FDT.cells(1)), ("interrupt-controller", FDT.empty), ("#interrupt-cells", FDT.cells(3))]),
            FDTNode("gic2", [("phandle", FDT.cells(2)), ("interrupt-controller", FDT.empty), ("#interrupt-cells", FDT.cells(4))]),
            FDTNode("simple", [("phandle", FDT.cells(3)), ("interrupt-controller", FDT.empty), ("#interrupt-cells", FDT.cells(1))]),
            FDTNode("bus", [], [
                FDTNode("inherits", [("interrupts", FDT.cells(0, 5, 4, 1, 9, 8))]),
                FDTNode("own", [("interrupt-parent", FDT.cells(2)), ("interrupts", FDT.cells(1, 3, 4, 0))]),
                FDTNode("espi", [("interrupts", FDT.cells(2, 7, 4, 3, 1, 4, 0, 988, 4, 7, 1, 4))]),
                FDTNode("onecell", [("interrupt-parent", FDT.cells(3)), ("interrupts", FDT.cells(42))]),
                FDTNode("dangling", [("interrupt-parent", FDT.cells(99)), ("interrupts", FDT.cells(0, 1, 4))]),
                FDTNode("ragged", [("interrupts", FDT.cells(0, 1))]),
                FDTNode("extended", [("interrupts-extended", FDT.cells(1, 0, 10, 4, 3, 42, 2, 1, 12, 4, 0))]),
                FDTNode("badextended", [("interrupts-extended", FDT.cells(1, 0, 10))]),
            ]),
        ])
        try withDeviceTree(FDTBuilder().build(root)) { (tree: DeviceTree) throws in
            func node(_ path: String) throws -> DeviceTree.Node { try #require(tree.node(atPath: path)) }
            #expect(try node("/bus/inherits").interruptParent()?.nameString == "gic")
            #expect(try node("/bus/inherits").interrupt(at: 0) == .spi(5))
            #expect(try node("/bus/inherits").interrupt(at: 1) == .ppi(9))
            #expect(try node("/bus/inherits").interrupt(at: 2) == nil)
            #expect(try node("/bus/own").interrupt(at: 0) == InterruptID(19))
            #expect(try node("/bus/espi").interrupt(at: 0) == InterruptID(4103))
            #expect(try node("/bus/espi").interrupt(at: 1) == InterruptID(1057))
            #expect(try node("/bus/espi").interrupt(at: 2) == nil)  // SPI 988 is out of range
            #expect(try node("/bus/espi").interrupt(at: 3) == nil)  // unknown type
            #expect(try node("/bus/onecell").interrupt(at: 0) == nil)  // not a GIC specifier
            #expect(try node("/bus/dangling").interruptParent() == nil)
            #expect(try node("/bus/dangling").interrupt(at: 0) == nil)
            #expect(throws: DeviceTreeError.badProperty) { try node("/bus/ragged").interrupt(at: 0) }
            #expect(try node("/bus/extended").interrupt(at: 0) == .spi(10))
            #expect(try node("/bus/extended").interrupt(at: 1) == nil)
            #expect(try node("/bus/extended").interrupt(at: 2) == .ppi(12))
            #expect(try node("/bus/extended").interrupt(at: 3) == nil)
            #expect(throws: DeviceTreeError.badProperty) { try node("/bus/badextended").interrupt(at: 0) }
            #expect(try node("/gic").interrupt(at: 0) == nil)  // no interrupts property
        }
    }

    /// A cycle of interrupt-parent phandles through nodes without #interrupt-cells ends.
    @Test func interruptParentCycle() throws {
        let root = FDTNode("", [], [
            FDTNode("a", [("phandle", FDT.cells(1)), ("interrupt-parent", FDT.cells(2)), ("interrupts", FDT.cells(0, 1, 4))]),
            FDTNode("b", [("phandle", FDT.cells(2)), ("interrupt-parent", FDT.cells(1))]),
        ])
        try withDeviceTree(FDTBuilder().build(root)) { (tree: DeviceTree) throws in
            #expect(try tree.node(atPath: "/a")?.interrupt(at: 0) == nil)
        }
    }
}
