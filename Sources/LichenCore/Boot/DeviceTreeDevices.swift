// What the drivers of the devices the kernel needs at boot read from their nodes. Decoding is
// here (host-tested); a node that is present but malformed (bad `reg`, say) is an error rather
// than a device silently missing, so a broken DTB is noticed.

/// A device's first register window and first interrupt: what a simple MMIO device (UART, RTC) needs.
public struct DeviceRegion: Sendable, Equatable {
    public var registers: PhysRange
    public var interrupt: InterruptID?
    public init(registers: PhysRange, interrupt: InterruptID?) {
        self.registers = registers
        self.interrupt = interrupt
    }

    public init(_ node: DeviceTree.Node) throws(DeviceTreeError) {
        guard let registers = try node.registers().first else { throw .badProperty }
        self.init(registers: registers, interrupt: try node.interrupt(at: 0))
    }
}

/// An Arm GIC's register windows, by version.
public enum GICDescription: Sendable, Equatable {
    case v2(distributor: PhysRange, cpuInterface: PhysRange)
    case v3(distributor: PhysRange, redistributors: PhysRange)

    public static let v2Compatibles: [StaticString] = ["arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic", "arm,cortex-a7-gic"]
    public static let v3Compatibles: [StaticString] = ["arm,gic-v3"]

    public init(_ node: DeviceTree.Node) throws(DeviceTreeError) {
        let regions = try node.registers()
        guard regions.count >= 2 else { throw .badProperty }
        self = node.isCompatible(with: "arm,gic-v3") ? .v3(distributor: regions[0], redistributors: regions[1])
                                                     : .v2(distributor: regions[0], cpuInterface: regions[1])
    }
}

/// The architected timer's PPIs, in the binding's order.
public struct TimerDescription: Sendable, Equatable {
    public var securePhysical, nonSecurePhysical, virtual, hypervisor: InterruptID?
    public init(securePhysical: InterruptID?, nonSecurePhysical: InterruptID?, virtual: InterruptID?, hypervisor: InterruptID?) {
        self.securePhysical = securePhysical
        self.nonSecurePhysical = nonSecurePhysical
        self.virtual = virtual
        self.hypervisor = hypervisor
    }

    public static let compatibles: [StaticString] = ["arm,armv8-timer", "arm,armv7-timer"]

    public init(_ node: DeviceTree.Node) throws(DeviceTreeError) {
        self.init(securePhysical: try node.interrupt(at: 0), nonSecurePhysical: try node.interrupt(at: 1),
                  virtual: try node.interrupt(at: 2), hypervisor: try node.interrupt(at: 3))
    }
}
