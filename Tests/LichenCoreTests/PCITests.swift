import Testing
@testable import LichenCore

/// The PCI host bridge's sans-IO parts: the devicetree node of qemu `virt`'s ECAM bridge, BAR sizing
/// arithmetic, window allocation, the capability walk, and the virtio-pci capability layout.
@Suite struct PCITests {
    /// The pcie node `qemu-system-aarch64 -M virt` generates (qemu 7.2, highmem ECAM), under a root
    /// with its GIC: the 64-bit window is not marked prefetchable; interrupt-map rotating INTA-D of slots 0-3 over SPIs 3-6.
    static func virtTree(ranges: [UInt8]? = nil, interruptMap: [UInt8]? = nil) -> [UInt8] {
        var map: [UInt32] = []
        for slot: UInt32 in 0..<4 {
            for pin: UInt32 in 1...4 {
                map += [slot << 11, 0, 0, pin, 0x8002, 0, 0, 0, 3 + (slot + pin - 1) % 4, 4]
            }
        }
        let pcie = FDTNode("pcie@10000000", [
            ("interrupt-map-mask", FDT.cells(0x1800, 0, 0, 7)),
            ("interrupt-map", interruptMap ?? map.flatMap(FDT.bigEndian)),
            ("#interrupt-cells", FDT.cells(1)),
            ("ranges", ranges ?? FDT.cells(0x100_0000, 0, 0, 0, 0x3eff_0000, 0, 0x1_0000,
                                           0x200_0000, 0, 0x1000_0000, 0, 0x1000_0000, 0, 0x2eff_0000,
                                           0x300_0000, 0x80, 0, 0x80, 0, 0x80, 0)),
            ("reg", FDT.cells(0x40, 0x1000_0000, 0, 0x1000_0000)),
            ("bus-range", FDT.cells(0, 0xff)),
            ("#size-cells", FDT.cells(2)), ("#address-cells", FDT.cells(3)),
            ("device_type", FDT.string("pci")), ("compatible", FDT.string("pci-host-ecam-generic")),
        ])
        let gic = FDTNode("intc@8000000", [("phandle", FDT.cells(0x8002)), ("#address-cells", FDT.cells(2)),
                                           ("#interrupt-cells", FDT.cells(3)), ("interrupt-controller", FDT.empty),
                                           ("compatible", FDT.string("arm,cortex-a15-gic"))])
        return FDTBuilder().build(FDTNode("", [("interrupt-parent", FDT.cells(0x8002)), ("#size-cells", FDT.cells(2)),
                                               ("#address-cells", FDT.cells(2))], [gic, pcie]))
    }

    static func host(_ blob: [UInt8]) throws -> PCIHostDescription {
        try withDeviceTree(blob) { tree in
            let node = tree.nodes.first { $0.nameString == "pcie@10000000" }!
            return try PCIHostDescription(node)
        }
    }

    @Test func decodesQemuVirtHostBridge() throws {
        let host = try Self.host(Self.virtTree())
        #expect(host.ecam == PhysRange(start: PhysAddr(0x40_1000_0000), size: 0x1000_0000))
        #expect(host.firstBus == 0 && host.lastBus == 255)
        #expect(host.windows == [
            PCIWindow(space: .io, prefetchable: false, pciBase: 0, cpuBase: 0x3eff_0000, size: 0x1_0000),
            PCIWindow(space: .memory32, prefetchable: false, pciBase: 0x1000_0000, cpuBase: 0x1000_0000, size: 0x2eff_0000),
            PCIWindow(space: .memory64, prefetchable: false, pciBase: 0x80_0000_0000, cpuBase: 0x80_0000_0000, size: 0x80_0000_0000),
        ])
        let map = try #require(host.interruptMap)
        #expect(map.entries.count == 16)
        // Slot 1 INTA is SPI 4, slot 2 INTA SPI 5, slot 5 wraps to slot 1's routing; bus and function bits are masked.
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 0, device: 1, function: 0)!, pin: 1) == .spi(4))
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 0, device: 2, function: 0)!, pin: 1) == .spi(5))
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 0, device: 1, function: 0)!, pin: 4) == .spi(3))
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 3, device: 5, function: 2)!, pin: 1) == .spi(4))
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 0, device: 1, function: 0)!, pin: 0) == nil)
        #expect(map.interrupt(for: PCIFunctionAddress(bus: 0, device: 1, function: 0)!, pin: 5) == nil)
    }

    @Test func busRangeIsBoundedByTheECAMWindow() throws {
        var blob = Self.virtTree()
        // A 2 MiB ECAM window covers buses 0 and 1 only.
        let reg = FDT.cells(0x40, 0x1000_0000, 0, 0x1000_0000)
        let at = try #require(blob.firstRange(of: reg))
        blob.replaceSubrange(at, with: FDT.cells(0x40, 0x1000_0000, 0, 0x20_0000))
        let host = try Self.host(blob)
        #expect(host.lastBus == 1)
    }

    @Test func malformedRangesAndMapsAreRejected() throws {
        // A ranges entry one cell short.
        #expect(throws: DeviceTreeError.self) { try Self.host(Self.virtTree(ranges: FDT.cells(0x200_0000, 0, 0, 0, 0, 0))) }
        // A zero-sized window, and a 32-bit window crossing 4 GiB.
        #expect(throws: DeviceTreeError.self) { try Self.host(Self.virtTree(ranges: FDT.cells(0x200_0000, 0, 0, 0, 0, 0, 0))) }
        #expect(throws: DeviceTreeError.self) {
            try Self.host(Self.virtTree(ranges: FDT.cells(0x200_0000, 0, 0xffff_0000, 0, 0, 0, 0x2_0000)))
        }
        // An interrupt-map naming an unknown phandle, and one cut short.
        #expect(throws: DeviceTreeError.self) {
            try Self.host(Self.virtTree(interruptMap: FDT.cells(0x800, 0, 0, 1, 0x1234, 0, 0, 0, 4, 4)))
        }
        #expect(throws: DeviceTreeError.self) { try Self.host(Self.virtTree(interruptMap: FDT.cells(0x800, 0, 0, 1, 0x8002, 0, 0, 0, 4))) }
        // Configuration-space ranges entries (ss = 0) are skipped, not windows.
        let host = try Self.host(Self.virtTree(ranges: FDT.cells(0, 0, 0, 0, 0x1000, 0, 0x1000)))
        #expect(host.windows.isEmpty)
    }

    @Test func barSizing() {
        // 32-bit memory BAR of 4 KiB, non-prefetchable.
        #expect(PCIBar(original: 0, sizedLow: 0xffff_f000, sizedHigh: nil) == PCIBar(space: .memory32, prefetchable: false, size: 0x1000))
        // 64-bit prefetchable of 16 KiB (virtio-pci's BAR4 on qemu), and one of 8 GiB.
        #expect(PCIBar.is64Bit(0xc) && !PCIBar.is64Bit(0x1) && !PCIBar.is64Bit(0x0))
        #expect(PCIBar(original: 0xc, sizedLow: 0xffff_c00c, sizedHigh: 0xffff_ffff) == PCIBar(space: .memory64, prefetchable: true, size: 0x4000))
        #expect(PCIBar(original: 0x4, sizedLow: 0x4, sizedHigh: 0xffff_fffe) == PCIBar(space: .memory64, prefetchable: false, size: 0x2_0000_0000))
        // I/O of 32 bytes, decoding only 16 address bits (the high half reads 0).
        #expect(PCIBar(original: 1, sizedLow: 0x0000_ffe1, sizedHigh: nil) == PCIBar(space: .io, prefetchable: false, size: 0x20))
        // Not implemented (nothing sticks) and a reserved type.
        #expect(PCIBar(original: 0, sizedLow: 0, sizedHigh: nil) == nil)
        #expect(PCIBar(original: 1, sizedLow: 1, sizedHigh: nil) == nil)
        #expect(PCIBar(original: 6, sizedLow: 0xffff_f006, sizedHigh: nil) == nil)
    }

    static func take(_ allocator: inout PCIWindowAllocator, _ bar: PCIBar) throws -> PCIWindowAllocator.Assignment {
        let given = allocator.allocate(bar)
        return try #require(given)
    }

    @Test func windowAllocationAlignsAndPrefersLikeLinux() throws {
        let host = try Self.host(Self.virtTree())
        var allocator = PCIWindowAllocator(windows: host.windows)
        let io = try Self.take(&allocator, PCIBar(space: .io, prefetchable: false, size: 0x40))
        #expect(io == .init(pciAddress: 0x1000, cpuAddress: 0x3eff_1000))
        let small = try Self.take(&allocator, PCIBar(space: .memory32, prefetchable: false, size: 0x100))
        #expect(small == .init(pciAddress: 0x1000_0000, cpuAddress: 0x1000_0000))
        // Rounded up to a page, then aligned to its own size.
        let big = try Self.take(&allocator, PCIBar(space: .memory32, prefetchable: false, size: 0x10_0000))
        #expect(big.pciAddress == 0x1010_0000)
        let pref = try Self.take(&allocator, PCIBar(space: .memory64, prefetchable: true, size: 0x4000))
        #expect(pref.pciAddress == 0x80_0000_0000)
        // A 64-bit prefetchable BAR goes to the 64-bit window (prefetchable or not, as on qemu), a
        // non-prefetchable one below 4 GiB.
        let np64 = try Self.take(&allocator, PCIBar(space: .memory64, prefetchable: false, size: 0x1000))
        #expect(np64.pciAddress == 0x1020_0000)                  // after `big`: a bump allocator does not backfill
        // Too big for any window.
        #expect(allocator.allocate(PCIBar(space: .memory32, prefetchable: false, size: 0x8000_0000)) == nil)
        #expect(allocator.allocate(PCIBar(space: .io, prefetchable: false, size: 0x1_0000)) == nil)
    }

    @Test func windowAllocationRunsOutHonestly() {
        var allocator = PCIWindowAllocator(windows: [PCIWindow(space: .memory32, prefetchable: false, pciBase: 0x1000_0000, cpuBase: 0x2000_0000, size: 0x3000)])
        #expect(allocator.allocate(PCIBar(space: .memory32, prefetchable: false, size: 0x1000))?.cpuAddress == 0x2000_0000)
        #expect(allocator.allocate(PCIBar(space: .memory32, prefetchable: false, size: 0x2000)) == nil)  // would need 0x1000_2000-0x1000_4000
        #expect(allocator.allocate(PCIBar(space: .memory32, prefetchable: false, size: 0x1000))?.cpuAddress == 0x2000_1000)
        #expect(allocator.allocate(PCIBar(space: .memory64, prefetchable: true, size: 0x1000))?.cpuAddress == 0x2000_2000)
        #expect(allocator.allocate(PCIBar(space: .memory32, prefetchable: false, size: 0x1000)) == nil)
    }

    /// A configuration space: status with the capabilities bit, and the given capabilities chained.
    static func config(_ capabilities: [(offset: Int, bytes: [UInt8])], first: Int? = nil) -> [UInt8] {
        var space = [UInt8](repeating: 0, count: 256)
        space[PCIConfig.status] = UInt8(PCIConfig.Status.capabilitiesList)
        space[PCIConfig.capabilitiesPointer] = UInt8(first ?? capabilities.first?.offset ?? 0)
        for (i, cap) in capabilities.enumerated() {
            space.replaceSubrange(cap.offset..<cap.offset + cap.bytes.count, with: cap.bytes)
            space[cap.offset + 1] = i + 1 < capabilities.count ? UInt8(capabilities[i + 1].offset) : 0
        }
        return space
    }

    static func virtioCap(type: UInt8, bar: UInt8, offset: UInt32, length: UInt32, extra: UInt32? = nil) -> [UInt8] {
        func le(_ v: UInt32) -> [UInt8] { [UInt8(v & 0xff), UInt8(v >> 8 & 0xff), UInt8(v >> 16 & 0xff), UInt8(v >> 24)] }
        return [0x09, 0, extra == nil ? 16 : 20, type, bar, 0, 0, 0] + le(offset) + le(length) + (extra.map(le) ?? [])
    }

    /// The capabilities qemu's virtio-blk-pci has (MSI-X, then common, ISR, device, notify, pci-cfg).
    static let qemuVirtioBlock = config([
        (0x98, [0x11, 0, 0x02, 0x80] + [UInt8](repeating: 0, count: 8)),
        (0x88, virtioCap(type: 1, bar: 4, offset: 0, length: 0x1000)),
        (0x78, virtioCap(type: 3, bar: 4, offset: 0x1000, length: 0x1000)),
        (0x68, virtioCap(type: 4, bar: 4, offset: 0x2000, length: 0x1000)),
        (0x54, virtioCap(type: 2, bar: 4, offset: 0x3000, length: 0x1000, extra: 4)),
        (0x40, virtioCap(type: 5, bar: 0, offset: 0, length: 0, extra: 0)),
    ])

    @Test func capabilityWalkAndVirtioLayout() throws {
        let space = Self.qemuVirtioBlock
        let caps = PCICapabilities.walk { space[$0] }
        #expect(caps.map(\.id) == [0x11, 9, 9, 9, 9, 9])
        #expect(caps.map(\.offset) == [0x98, 0x88, 0x78, 0x68, 0x54, 0x40])
        let layout = try VirtioPCILayout(capabilities: caps) { space[$0] }
        #expect(layout.common == .init(bar: 4, offset: 0, length: 0x1000))
        #expect(layout.isr == .init(bar: 4, offset: 0x1000, length: 0x1000))
        #expect(layout.device == .init(bar: 4, offset: 0x2000, length: 0x1000))
        #expect(layout.notify == .init(bar: 4, offset: 0x3000, length: 0x1000))
        #expect(layout.notifyOffMultiplier == 4)
        #expect(layout.notifyOffset(queueNotifyOff: 1) == 0x3004)
        #expect(layout.notifyOffset(queueNotifyOff: 0x3ff) == 0x3ffc)
        #expect(layout.notifyOffset(queueNotifyOff: 0x400) == nil)
        try layout.validate(barSizes: [nil, 0x1000, nil, nil, 0x4000, nil])
        #expect(throws: VirtioPCILayout.Problem.outsideBAR) { try layout.validate(barSizes: [nil, 0x1000, nil, nil, 0x3800, nil]) }
        #expect(throws: VirtioPCILayout.Problem.outsideBAR) { try layout.validate(barSizes: [nil, nil, nil, nil]) }
    }

    @Test func hostileCapabilityLists() throws {
        // A loop (0x40 -> 0x50 -> 0x40 ...) stops after as many entries as 256 bytes can hold.
        var loop = Self.config([(0x40, [0x09, 0, 0, 0]), (0x50, [0x09, 0, 0, 0])])
        loop[0x51] = 0x40
        #expect(PCICapabilities.walk { loop[$0] }.count == PCICapabilities.limit)
        // A pointer into the header ends the walk; no status bit, no list.
        #expect(PCICapabilities.walk { Self.config([], first: 0x20)[$0] }.isEmpty)
        var none = Self.qemuVirtioBlock
        none[PCIConfig.status] = 0
        #expect(PCICapabilities.walk { none[$0] }.isEmpty)
        // The low two bits of pointers are ignored (reserved), as Linux masks them.
        var odd = Self.qemuVirtioBlock
        odd[PCIConfig.capabilitiesPointer] = 0x9b
        #expect(PCICapabilities.walk { odd[$0] }.first?.offset == 0x98)
        // A virtio capability naming BAR 7 or too short for its type is skipped: no notify here.
        let bad = Self.config([
            (0x40, Self.virtioCap(type: 1, bar: 0, offset: 0, length: 0x100)),
            (0x50, Self.virtioCap(type: 3, bar: 0, offset: 0x100, length: 4)),
            (0x60, Self.virtioCap(type: 2, bar: 7, offset: 0x200, length: 0x100, extra: 4)),
            (0x78, Self.virtioCap(type: 2, bar: 0, offset: 0x200, length: 0x100)),
        ])
        #expect(throws: VirtioPCILayout.Problem.missingNotify) {
            try VirtioPCILayout(capabilities: PCICapabilities.walk { bad[$0] }) { bad[$0] }
        }
        // A vendor capability at the end of the space (found by the fuzzer): skipped, nothing read past 256 bytes.
        var end = Self.qemuVirtioBlock
        end[0x99] = 0xfc
        end[0xfc] = 0x09
        let endCaps = PCICapabilities.walk { end[$0] }
        #expect(endCaps.last?.offset == 0xfc)
        #expect(throws: VirtioPCILayout.Problem.missingCommon) {
            try VirtioPCILayout(capabilities: endCaps.filter { $0.offset >= 0xfc }) { precondition($0 < 256); return end[$0] }
        }
        // A common structure smaller than virtio 1.0's is refused.
        let small = Self.config([
            (0x40, Self.virtioCap(type: 1, bar: 0, offset: 0, length: 0x20)),
            (0x50, Self.virtioCap(type: 3, bar: 0, offset: 0x100, length: 4)),
            (0x60, Self.virtioCap(type: 2, bar: 0, offset: 0x200, length: 0x100, extra: 4)),
        ])
        #expect(throws: VirtioPCILayout.Problem.tooSmall) {
            try VirtioPCILayout(capabilities: PCICapabilities.walk { small[$0] }) { small[$0] }
        }
    }

    @Test func functionAddresses() throws {
        let a = try #require(PCIFunctionAddress(bus: 1, device: 31, function: 7))
        #expect(a.ecamOffset(firstBus: 0) == 1 << 20 | 31 << 15 | 7 << 12)
        #expect(a.unitAddressHigh == 0x1_ff00)
        #expect(a.description == "01:1f.7")
        #expect(PCIFunctionAddress(bus: 0, device: 32, function: 0) == nil)
        #expect(PCIFunctionAddress(bus: 0, device: 0, function: 8) == nil)
    }
}
