import Testing
@testable import LichenCore

@Suite struct DeviceTreeMachineTests {
    func describe(_ machine: VirtMachine, _ builder: FDTBuilder = FDTBuilder()) throws -> MachineDescription {
        try withDeviceTree(machine.blob(builder)) { try MachineDescription($0) }
    }

    func describe(_ root: FDTNode) throws -> MachineDescription {
        try withDeviceTree(FDTBuilder().build(root)) { try MachineDescription($0) }
    }

    @Test func qemuVirtGICv2() throws {
        let m = try describe(VirtMachine())
        #expect(m.model == "linux,dummy-virt")
        #expect(m.memory == [PhysRange(start: PhysAddr(0x4000_0000), size: 0x2000_0000)])
        #expect(m.reserved.isEmpty)
        #expect(m.bootArguments == "console=ttyAMA0 root=/dev/vda")
        #expect(m.initrd == PhysRange(start: PhysAddr(0x4800_0000), end: PhysAddr(0x4880_0000)))
        #expect(m.stdoutPath == "/pl011@9000000")
        let d = try bootDevices(VirtMachine().blob())
        #expect(d.uart == DeviceRegion(registers: PhysRange(start: PhysAddr(0x900_0000), size: 0x1000), interrupt: InterruptID(33)))
        #expect(d.rtc == DeviceRegion(registers: PhysRange(start: PhysAddr(0x901_0000), size: 0x1000), interrupt: InterruptID(34)))
        #expect(d.gic == .v2(distributor: PhysRange(start: PhysAddr(0x800_0000), size: 0x1_0000),
                             cpuInterface: PhysRange(start: PhysAddr(0x801_0000), size: 0x1_0000)))
        #expect(d.timer == TimerDescription(securePhysical: InterruptID(29), nonSecurePhysical: InterruptID(30),
                                            virtual: InterruptID(27), hypervisor: InterruptID(26)))
        #expect(m.psci == .hvc)
        #expect(m.cpuCount == 2)
        #expect(m.cpuIDs == [0, 1])
        #expect(m.cpuCompatible == "arm,cortex-a72")
    }

    @Test func qemuVirtGICv3() throws {
        let d = try bootDevices(VirtMachine(gicV3: true).blob())
        #expect(d.gic == .v3(distributor: PhysRange(start: PhysAddr(0x800_0000), size: 0x1_0000),
                             redistributors: PhysRange(start: PhysAddr(0x80a_0000), size: 0xf6_0000)))
        #expect(d.uart?.interrupt == InterruptID(33))
        #expect(d.timer?.virtual == InterruptID(27))
    }

    @Test func twoGiBOfMemory() throws {
        let m = try describe(VirtMachine(memorySize: 0x8000_0000))
        #expect(m.memory == [PhysRange(start: PhysAddr(0x4000_0000), size: 0x8000_0000)])
        #expect(m.memory[0].end == PhysAddr(0xc000_0000))
    }

    @Test func reservedMemory() throws {
        var builder = FDTBuilder()
        builder.reservations = [(0x4000_0000, 0x1_0000)]
        let m = try describe(VirtMachine(reservedMemory: true), builder)
        // memreserve + secmon; the dynamic CMA pool has no reg and ramoops is disabled.
        #expect(m.reserved == [PhysRange(start: PhysAddr(0x4000_0000), size: 0x1_0000),
                               PhysRange(start: PhysAddr(0x5e00_0000), size: 0x20_0000)])
    }

    @Test func severalMemoryNodesAreSorted() throws {
        let root = FDTNode("", [("#address-cells", FDT.cells(2)), ("#size-cells", FDT.cells(2))], [
            FDTNode("memory@80000000", [("device_type", FDT.string("memory")),
                                        ("reg", FDT.cells(0, 0x8000_0000, 0, 0x4000_0000, 0x8, 0, 0, 0x1000_0000))]),
            FDTNode("memory@40000000", [("device_type", FDT.string("memory")), ("reg", FDT.cells(0, 0x4000_0000, 0, 0x1000_0000))]),
            FDTNode("memory@0", [("device_type", FDT.string("memory")), ("reg", FDT.cells(0, 0, 0, 0))]),  // empty: dropped
            FDTNode("memory@c0000000", [("device_type", FDT.string("memory")), ("status", FDT.string("disabled")),
                                        ("reg", FDT.cells(0, 0xc000_0000, 0, 0x1000))]),
            FDTNode("sram@10000000", [("device_type", FDT.string("memoryx")), ("reg", FDT.cells(0, 0x1000_0000, 0, 0x1000))]),
        ])
        let m = try describe(root)
        let d = try bootDevices(FDTBuilder().build(root))
        #expect(m.memory == [PhysRange(start: PhysAddr(0x4000_0000), size: 0x1000_0000),
                             PhysRange(start: PhysAddr(0x8000_0000), size: 0x4000_0000),
                             PhysRange(start: PhysAddr(0x8_0000_0000), size: 0x1000_0000)])
        #expect(m.model == "" && m.bootArguments == "" && m.stdoutPath == "" && m.initrd == nil)
        #expect(d.uart == nil && d.gic == nil && d.timer == nil && m.psci == nil && d.rtc == nil)
        #expect(m.cpuCount == 0 && m.cpuCompatible == "")
    }

    @Test func thirtyTwoBitInitrdAndSMC() throws {
        let root = FDTNode("", [], [
            FDTNode("chosen", [("linux,initrd-start", FDT.cells(0x4400_0000)), ("linux,initrd-end", FDT.u64(0x4410_0000))]),
            FDTNode("psci", [("compatible", FDT.string("arm,psci-0.2")), ("method", FDT.string("smc"))]),
        ])
        let m = try describe(root)
        #expect(m.initrd == PhysRange(start: PhysAddr(0x4400_0000), size: 0x10_0000))
        #expect(m.psci == .smc)
    }

    @Test func unknownPSCIMethodAndHalfAnInitrd() throws {
        let root = FDTNode("", [], [
            FDTNode("chosen", [("linux,initrd-start", FDT.cells(0x4400_0000))]),
            FDTNode("psci", [("compatible", FDT.string("arm,psci")), ("method", FDT.string("magic"))]),
        ])
        let m = try describe(root)
        #expect(m.initrd == nil && m.psci == nil)
    }

    @Test func disabledDevicesAreSkipped() throws {
        let root = FDTNode("", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1))], [
            FDTNode("serial@1000", [("compatible", FDT.string("arm,pl011")), ("status", FDT.string("disabled")),
                                    ("reg", FDT.cells(0x1000, 0x100))]),
            FDTNode("serial@2000", [("compatible", FDT.string("arm,pl011")), ("status", FDT.string("okay")),
                                    ("reg", FDT.cells(0x2000, 0x100))]),
            FDTNode("cpus", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(0))], [
                FDTNode("cpu@0", [("device_type", FDT.string("cpu")), ("status", FDT.string("fail")),
                                  ("compatible", FDT.string("arm,cortex-a53"))]),
                FDTNode("cpu@1", [("device_type", FDT.string("cpu")), ("compatible", FDT.strings("arm,cortex-a57", "arm,armv8"))]),
            ]),
        ])
        let m = try describe(root)
        // No interrupt parent anywhere: the UART has no decodable interrupt.
        #expect(try bootDevices(FDTBuilder().build(root)).uart == DeviceRegion(registers: PhysRange(start: PhysAddr(0x2000), size: 0x100), interrupt: nil))
        #expect(m.cpuCount == 1 && m.cpuCompatible == "arm,cortex-a57")
    }

    @Test func malformedDevicesAreErrors() throws {
        let cases: [FDTNode] = [
            FDTNode("", [], [FDTNode("uart", [("compatible", FDT.string("arm,pl011"))])]),                            // no reg
            FDTNode("", [], [FDTNode("intc", [("compatible", FDT.string("arm,gic-400")), ("reg", FDT.cells(0, 0, 1))])]), // one window
            FDTNode("", [("model", FDT.cells(1))]),                                                                  // not a string
            FDTNode("", [], [FDTNode("chosen", [("bootargs", Array("abc".utf8))])]),                                 // unterminated
            FDTNode("", [], [FDTNode("chosen", [("linux,initrd-start", FDT.cells(2)), ("linux,initrd-end", FDT.cells(1))])]),
            FDTNode("", [], [FDTNode("chosen", [("linux,initrd-start", FDT.cells(0, 0, 2)), ("linux,initrd-end", FDT.cells(1))])]),
            FDTNode("", [("#address-cells", FDT.cells(1, 2))], [FDTNode("memory", [("device_type", FDT.string("memory")),
                                                                                   ("reg", FDT.cells(0, 0, 1))])]),
        ]
        for (index, root) in cases.enumerated() {
            // The first two are devices: their drivers' decoders refuse them.
            #expect(throws: DeviceTreeError.badProperty) {
                if index < 2 { _ = try bootDevices(FDTBuilder().build(root)) } else { _ = try describe(root) }
            }
        }
    }
}
