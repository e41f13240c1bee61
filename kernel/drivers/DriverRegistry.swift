import LichenCore

/// Why a driver could not take its node; boot logs it and goes on without the device.
enum ProbeFailure: Error {
    case malformedNode          // the node's `reg` or `interrupts` cannot be decoded
    case cannotMap              // no room to map the registers
    case unsupported            // the node describes something this driver cannot drive
    case notNeeded              // a second one of a device the kernel uses only one of (console, clock)
    case absent                 // a transport slot with no device behind it (virtio-mmio device id 0)
}

/// One driver: the `compatible` strings it binds to, when in boot it can be bound, and its probe,
/// which sets the device up from its node and hands it to the kernel (KernelLog.console,
/// Interrupts.controller, ...). See docs/drivers.md.
struct DriverEntry {
    /// Boot brings devices up in this order: the console first (so every later line is seen),
    /// then the interrupt controller, then what needs interrupts.
    enum Stage: Int { case console, interruptController, timer, devices }

    let name: StaticString
    let compatible: [StaticString]
    let stage: Stage
    let probe: (DeviceTree.Node) throws(ProbeFailure) -> Void
}

/// The drivers built into the kernel, and the device-tree walk that binds them.
enum DriverRegistry {
    static let drivers: [DriverEntry] = [
        PL011.driver, GICv2.driver, GICv3.driver, ArchitectedTimer.driver, PL031.driver,
        VirtioMMIO.driver, PCIHostECAM.driver,
    ]

    /// Each claimed node with its driver, found by the one walk `discover` makes.
    nonisolated(unsafe) private static var bindings: [DeviceTreeBinding] = []

    /// Matches every enabled node against the drivers (most specific compatible first) and keeps
    /// the result for `bind`. The tree must stay mapped until the last stage is bound.
    static func discover(_ tree: DeviceTree) {
        let (bound, unclaimed) = tree.bindings(drivers.map { $0.compatible })
        bindings = bound
        for node in unclaimed {
            KernelLog.debug("driver: no driver for " + describe(node))
        }
    }

    /// Probes the nodes whose drivers belong to `stage`, in device-tree order.
    static func bind(_ stage: DriverEntry.Stage) {
        for binding in bindings where drivers[binding.driver].stage == stage {
            let driver = drivers[binding.driver]
            do throws(ProbeFailure) {
                try driver.probe(binding.node)
                KernelLog.info("driver: " + string(driver.name) + " bound to " + describe(binding.node))
            } catch where error == .absent {
                KernelLog.debug("driver: " + string(driver.name) + ": nothing at " + describe(binding.node))
            } catch {
                KernelLog.warning("driver: " + string(driver.name) + " cannot bind " + describe(binding.node) + ": "
                                  + reason(error))
            }
        }
    }

    private static func reason(_ failure: ProbeFailure) -> String {
        switch failure {
        case .malformedNode: return "malformed node"
        case .cannotMap: return "cannot map its registers"
        case .unsupported: return "unsupported"
        case .notNeeded: return "one is already bound"
        case .absent: return "no device"
        }
    }

    private static func describe(_ node: DeviceTree.Node) -> String {
        node.depth == 0 ? "/" : node.nameString
    }

    // Helpers for probes.

    /// Decodes what a driver needs from its node.
    static func decode<T>(_ body: () throws(DeviceTreeError) -> T) throws(ProbeFailure) -> T {
        do throws(DeviceTreeError) { return try body() } catch { throw .malformedNode }
    }

    static func map(_ registers: PhysRange) throws(ProbeFailure) -> MMIORegion {
        guard let region = try? KernelAddressSpace.mapDevice(registers) else { throw .cannotMap }
        return region
    }
}
