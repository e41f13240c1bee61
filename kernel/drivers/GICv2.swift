import LichenCore

/// Arm Generic Interrupt Controller v2 (GIC-400 and qemu's): memory-mapped distributor and CPU interface.
final class GICv2: InterruptController {
    static let driver = DriverEntry(name: "GICv2", compatible: GICDescription.v2Compatibles, stage: .interruptController) {
        node throws(ProbeFailure) in
        guard Interrupts.controller == nil else { throw .notNeeded }
        guard case .v2(let distributor, let cpuInterface) = try DriverRegistry.decode({ () throws(DeviceTreeError) in try GICDescription(node) })
        else { throw .unsupported }
        Interrupts.controller = GICv2(distributor: try DriverRegistry.map(distributor), cpuInterface: try DriverRegistry.map(cpuInterface))
    }

    private enum Dist {
        static let control = 0x000, type = 0x004, setEnable = 0x100, clearEnable = 0x180
        static let clearPending = 0x280, priority = 0x400, targets = 0x800, config = 0xc00, softwareInterrupt = 0xf00
    }
    private enum CPUIf { static let control = 0x00, priorityMask = 0x04, binaryPoint = 0x08, ack = 0x0c, eoi = 0x10 }

    let name: StaticString = "GICv2"
    private let distributor: MMIORegion
    private let cpuInterface: MMIORegion
    let lineCount: Int

    init(distributor: MMIORegion, cpuInterface: MMIORegion) {
        self.distributor = distributor
        self.cpuInterface = cpuInterface
        lineCount = min(1020, 32 * (Int(distributor.read32(Dist.type) & 0x1f) + 1))
        distributor.write32(Dist.control, 0)
        for i in stride(from: 0, to: lineCount, by: 32) {
            distributor.write32(Dist.clearEnable + i / 8, 0xffff_ffff)
            distributor.write32(Dist.clearPending + i / 8, 0xffff_ffff)
        }
        for i in stride(from: 32, to: lineCount, by: 4) {
            distributor.write32(Dist.priority + i, 0xa0a0_a0a0)
            distributor.write32(Dist.targets + i, 0x0101_0101)   // SPIs to CPU 0 for now
        }
        for i in stride(from: 32, to: lineCount, by: 16) {
            distributor.write32(Dist.config + i / 4, 0)          // level-triggered
        }
        distributor.write32(Dist.control, 1)
    }

    func initializeCPU() {
        for i in stride(from: 0, to: 32, by: 4) { distributor.write32(Dist.priority + i, 0xa0a0_a0a0) }
        cpuInterface.write32(CPUIf.priorityMask, 0xf0)
        cpuInterface.write32(CPUIf.binaryPoint, 0)
        cpuInterface.write32(CPUIf.control, 1)
    }

    func enable(_ id: InterruptID) {
        let n = Int(id.value)
        distributor.write32(Dist.setEnable + (n / 32) * 4, 1 << UInt32(n % 32))
    }

    func disable(_ id: InterruptID) {
        let n = Int(id.value)
        distributor.write32(Dist.clearEnable + (n / 32) * 4, 1 << UInt32(n % 32))
    }

    // For SGIs the EOI must carry the source CPU bits of the acknowledge value; qemu accepts the bare
    // ID, and SGIs here are only wake-ups, so the source is not tracked.
    func acknowledge() -> InterruptID? {
        let id = cpuInterface.read32(CPUIf.ack) & 0x3ff
        return id >= 1020 ? nil : InterruptID(id)
    }

    func endOfInterrupt(_ id: InterruptID) {
        cpuInterface.write32(CPUIf.eoi, id.value)
    }

    /// GICD_SGIR: target list filter 0 (use the list), CPU interface number = CPU index on qemu virt.
    func sendSoftwareInterrupt(_ id: InterruptID, toCPU index: Int, hardwareID: UInt64) {
        distributor.write32(Dist.softwareInterrupt, (1 << UInt32(16 + index)) | (id.value & 0xf))
    }
}
