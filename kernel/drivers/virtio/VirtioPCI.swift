import LichenCore

/// The virtio-pci modern transport (virtio 1.x, 4.1): a PCI function with vendor 0x1af4 whose
/// vendor capabilities point into its BARs at the common configuration (status, features, queue
/// setup), the notify area, the ISR byte and the device configuration. Interrupts are legacy INTx
/// (reading ISR acknowledges and deasserts); MSI-X is not used (left disabled, so the device signals
/// INTx). Legacy-only functions (no virtio capabilities) are refused.
final class VirtioPCI: VirtioRegisters {
    let common: MMIORegion
    let notifyArea: MMIORegion
    let isr: MMIORegion
    let device: MMIORegion?
    let deviceLength: Int
    let layout: VirtioPCILayout
    let interrupt: InterruptID
    /// (queue index, its offset in the notify structure), set by maximumQueueSize. An array, not a
    /// Dictionary: the kernel has no floating point, which Dictionary's sizing uses.
    private var notifyOffsets: [(queue: Int, offset: Int)] = []

    static func probe(_ function: PCIFunction) throws(ProbeFailure) {
        let name = "virtio-pci: " + function.address.description
        let type: UInt32
        if function.deviceID >= Virtio.PCI.modernDeviceBase {
            type = UInt32(function.deviceID - Virtio.PCI.modernDeviceBase)
        } else if Virtio.PCI.transitionalDevices.contains(function.deviceID) {
            type = UInt32(function.config.read16(PCIConfig.subsystemID))
        } else {
            throw .absent
        }
        let layout: VirtioPCILayout
        do throws(VirtioPCILayout.Problem) {
            layout = try VirtioPCILayout(capabilities: function.capabilities) { function.config.read8($0) }
            try layout.validate(barSizes: function.memoryBARs.map { $0?.size })
        } catch {
            KernelLog.warning(name + ": no usable virtio 1.x capabilities (a legacy-only device?): refused")
            throw .unsupported
        }
        guard let interrupt = function.interrupt else {
            KernelLog.warning(name + ": no INTx routing (Lichen does not use MSI-X): refused")
            throw .unsupported
        }
        func map(_ region: VirtioPCILayout.Region) throws(ProbeFailure) -> MMIORegion {
            guard let bar = function.memoryBARs[region.bar] else { throw .unsupported }
            return try DriverRegistry.map(PhysRange(start: bar.start + region.offset, size: max(region.length, 1)))
        }
        let registers = VirtioPCI(common: try map(layout.common), notifyArea: try map(layout.notify), isr: try map(layout.isr),
                                  device: try layout.device.map { (r) throws(ProbeFailure) in try map(r) },
                                  layout: layout, interrupt: interrupt)
        try VirtioTransport.bindDriver(deviceType: type, VirtioTransport(registers, name: name, sysfsParent: "pci0000:00/0000:" + function.address.description))
    }

    private init(common: MMIORegion, notifyArea: MMIORegion, isr: MMIORegion, device: MMIORegion?,
                 layout: VirtioPCILayout, interrupt: InterruptID) {
        self.common = common
        self.notifyArea = notifyArea
        self.isr = isr
        self.device = device
        deviceLength = Int(min(layout.device?.length ?? 0, 1 << 20))
        self.layout = layout
        self.interrupt = interrupt
    }

    typealias C = Virtio.PCI.Common

    func readStatus() -> UInt32 { UInt32(common.read8(C.deviceStatus)) }
    func writeStatus(_ status: UInt32) { common.write8(C.deviceStatus, UInt8(truncatingIfNeeded: status)) }

    func deviceFeatures(half: Int) -> UInt32 {
        common.write32(C.deviceFeatureSelect, UInt32(half))
        return common.read32(C.deviceFeature)
    }

    func writeDriverFeatures(half: Int, _ bits: UInt32) {
        common.write32(C.driverFeatureSelect, UInt32(half))
        common.write32(C.driverFeature, bits)
    }

    /// 0 also when the queue's notify address falls outside the notify structure.
    func maximumQueueSize(_ index: Int) -> Int {
        guard index < Int(common.read16(C.numQueues)) else { return 0 }
        common.write16(C.queueSelect, UInt16(index))
        guard common.read16(C.queueEnable) == 0,
              let offset = layout.notifyOffset(queueNotifyOff: common.read16(C.queueNotifyOff)) else { return 0 }
        notifyOffsets.removeAll { $0.queue == index }
        notifyOffsets.append((index, Int(offset - layout.notify.offset)))
        return Int(common.read16(C.queueSize))
    }

    func enableQueue(_ index: Int, size: Int, descriptors: PhysAddr, driverArea: PhysAddr, deviceArea: PhysAddr) {
        common.write16(C.queueSelect, UInt16(index))
        common.write16(C.queueSize, UInt16(size))
        common.write16(C.queueMSIXVector, Virtio.PCI.noVector)
        write64(C.queueDescriptor, descriptors.value)
        write64(C.queueDriver, driverArea.value)
        write64(C.queueDevice, deviceArea.value)
        common.write16(C.queueEnable, 1)
    }

    func notify(queue index: Int) {
        guard let offset = notifyOffsets.first(where: { $0.queue == index })?.offset else { return }
        notifyArea.write16(offset, UInt16(index))
    }

    func configGeneration() -> UInt32 { UInt32(common.read8(C.configGeneration)) }

    /// Reads beyond the device structure read as 0 rather than touching unmapped memory.
    func readConfig32(_ offset: Int) -> UInt32 {
        guard let device, offset >= 0, offset + 4 <= deviceLength else { return 0 }
        return device.read32(offset)
    }

    /// The ISR byte says why, and reading it acknowledges; the INTx line may be shared.
    func onInterrupt(_ usedBuffers: @escaping () -> Void) {
        let isr = self.isr
        common.write16(C.configMSIXVector, Virtio.PCI.noVector)
        PCIInterruptLines.register(interrupt) {
            if isr.read8(0) & Virtio.PCI.ISR.queue != 0 { usedBuffers() }
        }
    }

    private func write64(_ offset: Int, _ value: UInt64) {
        common.write32(offset, UInt32(truncatingIfNeeded: value))
        common.write32(offset + 4, UInt32(truncatingIfNeeded: value >> 32))
    }
}
