// The boot-time summary of the device tree: memory, reservations, chosen parameters, CPUs and
// the firmware interface. Devices are not here: the kernel's driver registry binds them from
// their nodes (DeviceTreeBinding.swift, DeviceTreeDevices.swift).

public enum PSCIConduit: Sendable { case hvc, smc }

/// Everything the kernel needs from the device tree at boot.
public struct MachineDescription {
    public var model: String
    /// All enabled `device_type = "memory"` regions, sorted by address.
    public var memory: [PhysRange]
    /// /memreserve/ entries plus enabled /reserved-memory children, sorted by address. The DTB
    /// itself is not included: the kernel knows where it was loaded.
    public var reserved: [PhysRange]
    public var bootArguments: String
    public var initrd: PhysRange?
    public var stdoutPath: String
    public var psci: PSCIConduit?
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
}
