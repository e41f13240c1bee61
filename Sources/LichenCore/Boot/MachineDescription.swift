// The boot-time summary of the device tree: memory, reservations, chosen parameters and the
// handful of devices the kernel drives directly. A device whose node is present but malformed
// (bad `reg`, say) is an error rather than silently absent, so a broken DTB is noticed.

public enum PSCIConduit: Sendable { case hvc, smc }

public enum GICDescription: Sendable, Equatable {
    case v2(distributor: PhysRange, cpuInterface: PhysRange)
    case v3(distributor: PhysRange, redistributors: PhysRange)
}

public struct DeviceRegion: Sendable, Equatable {
    public var registers: PhysRange
    public var interrupt: InterruptID?
    public init(registers: PhysRange, interrupt: InterruptID?) {
        self.registers = registers
        self.interrupt = interrupt
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
}

/// Everything the kernel needs from the device tree at boot.
public struct MachineDescription {
    static let gicV2Compatibles = ["arm,cortex-a15-gic", "arm,gic-400", "arm,cortex-a9-gic", "arm,cortex-a7-gic"]
    static let gicV3Compatibles = ["arm,gic-v3"]

    public var model: String
    /// All enabled `device_type = "memory"` regions, sorted by address.
    public var memory: [PhysRange]
    /// /memreserve/ entries plus enabled /reserved-memory children, sorted by address. The DTB
    /// itself is not included: the kernel knows where it was loaded.
    public var reserved: [PhysRange]
    public var bootArguments: String
    public var initrd: PhysRange?
    public var stdoutPath: String
    public var uart: DeviceRegion?
    public var gic: GICDescription?
    public var timer: TimerDescription?
    public var psci: PSCIConduit?
    public var rtc: DeviceRegion?
    public var cpuCount: Int
    public var cpuCompatible: String
    /// Each CPU's hardware ID (its `reg`: MPIDR affinity bits), in device-tree order.
    public var cpuIDs: [UInt64]

    public init(_ tree: DeviceTree) throws(DeviceTreeError) {
        let root = tree.root
        model = try root.string("model") ?? ""

        memory = []
        for node in tree.nodes where node.isEnabled && node.property("device_type")?.isString("memory") == true {
            for region in try node.registers() where !region.isEmpty { memory.append(region) }
        }
        memory.sort { $0.start < $1.start }

        reserved = tree.memoryReservations
        if let reservedMemory = root.child(named: "reserved-memory") {
            // Children of /reserved-memory share the root's address space (its `ranges` is empty).
            for child in reservedMemory.children where child.isEnabled {
                reserved += try child.reg()
            }
        }
        reserved.sort { $0.start < $1.start }

        let chosen = root.child(named: "chosen")
        bootArguments = try chosen?.string("bootargs") ?? ""
        stdoutPath = try chosen?.string("stdout-path") ?? ""
        initrd = nil
        if let start = try chosen?.integer("linux,initrd-start"), let end = try chosen?.integer("linux,initrd-end") {
            guard start <= end else { throw .badProperty }
            initrd = PhysRange(start: PhysAddr(start), end: PhysAddr(end))
        }

        uart = try Self.device(tree, compatibleWith: ["arm,pl011"])
        rtc = try Self.device(tree, compatibleWith: ["arm,pl031"])
        gic = try Self.gic(tree)
        timer = nil
        if let node = tree.firstEnabledNode(compatibleWith: ["arm,armv8-timer", "arm,armv7-timer"]) {
            timer = TimerDescription(securePhysical: try node.interrupt(at: 0), nonSecurePhysical: try node.interrupt(at: 1),
                                     virtual: try node.interrupt(at: 2), hypervisor: try node.interrupt(at: 3))
        }
        psci = nil
        if let node = tree.firstEnabledNode(compatibleWith: ["arm,psci-1.0", "arm,psci-0.2", "arm,psci"]),
           let method = node.property("method") {
            psci = method.isString("hvc") ? .hvc : method.isString("smc") ? .smc : nil
        }

        cpuCount = 0
        cpuCompatible = ""
        cpuIDs = []
        if let cpus = root.child(named: "cpus") {
            for cpu in cpus.children where cpu.isEnabled && cpu.property("device_type")?.isString("cpu") == true {
                if cpuCount == 0 { cpuCompatible = try cpu.strings("compatible")?.first ?? "" }
                cpuCount += 1
                if let id = try cpu.reg().first { cpuIDs.append(id.start.value) }
            }
        }
    }

    /// The first enabled node compatible with one of `compatibles`: its first register
    /// window and first interrupt.
    static func device(_ tree: DeviceTree, compatibleWith compatibles: [String]) throws(DeviceTreeError) -> DeviceRegion? {
        guard let node = tree.firstEnabledNode(compatibleWith: compatibles) else { return nil }
        guard let registers = try node.registers().first else { throw .badProperty }
        return DeviceRegion(registers: registers, interrupt: try node.interrupt(at: 0))
    }

    static func gic(_ tree: DeviceTree) throws(DeviceTreeError) -> GICDescription? {
        guard let node = tree.firstEnabledNode(compatibleWith: gicV2Compatibles + gicV3Compatibles) else { return nil }
        let regions = try node.registers()
        guard regions.count >= 2 else { throw .badProperty }
        for c in gicV3Compatibles where node.isCompatible(with: c) {
            return .v3(distributor: regions[0], redistributors: regions[1])
        }
        return .v2(distributor: regions[0], cpuInterface: regions[1])
    }
}
