import Testing
@testable import LichenCore

/// The devices the kernel binds at boot, found as its driver registry finds them: bindings by
/// compatible, then each driver's decoder on its node.
struct BootDevices {
    var uart: DeviceRegion?, rtc: DeviceRegion?, gic: GICDescription?, timer: TimerDescription?

    static let drivers: [[StaticString]] = [["arm,pl011"], ["arm,pl031"], GICDescription.v2Compatibles + GICDescription.v3Compatibles,
                                            TimerDescription.compatibles]

    init(_ tree: DeviceTree) throws(DeviceTreeError) {
        for binding in tree.bindings(Self.drivers).bound {
            switch binding.driver {
            case 0: if uart == nil { uart = try DeviceRegion(binding.node) }
            case 1: if rtc == nil { rtc = try DeviceRegion(binding.node) }
            case 2: if gic == nil { gic = try GICDescription(binding.node) }
            default: if timer == nil { timer = try TimerDescription(binding.node) }
            }
        }
    }
}

func bootDevices(_ blob: [UInt8]) throws -> BootDevices { try withDeviceTree(blob) { try BootDevices($0) } }

@Suite struct DeviceTreeBindingTests {
    func bind(_ root: FDTNode, _ drivers: [[StaticString]]) throws -> (bound: [(String, Int)], unclaimed: [String]) {
        try withDeviceTree(FDTBuilder().build(root)) { tree in
            let (bound, unclaimed) = tree.bindings(drivers)
            return (bound.map { ($0.node.nameString, $0.driver) }, unclaimed.map(\.nameString))
        }
    }

    @Test func qemuVirtBindsEachDeviceOnce() throws {
        let names = try withDeviceTree(VirtMachine().blob()) { tree in
            tree.bindings(BootDevices.drivers).bound.map { "\($0.node.nameString)=\($0.driver)" }
        }
        #expect(names.sorted() == ["intc@8000000=2", "pl011@9000000=0", "pl031@9010000=1", "timer=3"])
    }

    @Test func theMostSpecificCompatibleWins() throws {
        let root = FDTNode("", [], [
            FDTNode("uart@1", [("compatible", FDT.strings("vendor,fancy-uart", "arm,pl011"))]),
            FDTNode("uart@2", [("compatible", FDT.strings("arm,pl011"))]),
            FDTNode("thing", [("compatible", FDT.strings("vendor,unknown"))]),
            FDTNode("off", [("compatible", FDT.strings("arm,pl011")), ("status", FDT.string("disabled"))]),
            FDTNode("plain", []),
        ])
        // The generic driver comes first in the list, yet the specific one takes uart@1.
        let r = try bind(root, [["arm,pl011"], ["vendor,fancy-uart"]])
        #expect(r.bound.map { "\($0.0)=\($0.1)" } == ["uart@1=1", "uart@2=0"])
        #expect(r.unclaimed == ["thing"])
    }

    @Test func aMovedTreeReadsTheCopy() throws {
        let blob = VirtMachine().blob()
        let copy = UnsafeMutableRawBufferPointer.allocate(byteCount: blob.count, alignment: 8)
        defer { copy.deallocate() }
        copy.copyBytes(from: blob)
        let names = try withDeviceTree(blob) { tree in
            let moved = tree.moved(to: UnsafeRawPointer(copy.baseAddress!))
            let name = moved.root.child(named: "chosen")!.name.baseAddress!
            #expect(name >= UnsafeRawPointer(copy.baseAddress!) && name < UnsafeRawPointer(copy.baseAddress! + copy.count))
            #expect(moved.size == tree.size)
            return moved.bindings(BootDevices.drivers).bound.map(\.node.nameString)
        }
        #expect(names.sorted() == ["intc@8000000", "pl011@9000000", "pl031@9010000", "timer"])
    }

    @Test func noDriversClaimNothing() throws {
        let r = try bind(FDTNode("", [("compatible", FDT.string("linux,dummy-virt"))], []), [])
        #expect(r.bound.isEmpty && r.unclaimed == [""])
    }

    @Test func simpleDeviceRegion() throws {
        let root = FDTNode("", [("#address-cells", FDT.cells(1)), ("#size-cells", FDT.cells(1))], [
            FDTNode("rtc@3000", [("compatible", FDT.string("arm,pl031")), ("reg", FDT.cells(0x3000, 0x1000, 0x5000, 0x10))]),
        ])
        let d = try bootDevices(FDTBuilder().build(root))
        #expect(d.rtc == DeviceRegion(registers: PhysRange(start: PhysAddr(0x3000), size: 0x1000), interrupt: nil))
        #expect(d.uart == nil && d.gic == nil && d.timer == nil)
    }
}
