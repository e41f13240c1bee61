import LichenCore

/// The virtio-mmio transport (virtio 1.x, 4.2): one register window and one interrupt per device,
/// found in the device tree (`virtio,mmio`; qemu `virt` has 32, most with device id 0 = empty).
/// Only modern devices (register version 2): a legacy one (version 1, which qemu gives unless
/// `-global virtio-mmio.force-legacy=false`) is refused with a log line. The probe hands each
/// device to the driver of its type (`VirtioMMIO.drivers`).
final class VirtioMMIO {
    static let driver = DriverEntry(name: "virtio-mmio", compatible: ["virtio,mmio"], stage: .devices) { node throws(ProbeFailure) in
        let device = try DriverRegistry.decode { () throws(DeviceTreeError) in try DeviceRegion(node) }
        let registers = try DriverRegistry.map(device.registers)
        guard registers.read32(Virtio.MMIO.magicValue) == Virtio.MMIO.magic else { throw .unsupported }
        let id = registers.read32(Virtio.MMIO.deviceID)
        guard id != Virtio.DeviceID.none else { throw .absent }
        guard registers.read32(Virtio.MMIO.version) == Virtio.MMIO.modernVersion else {
            KernelLog.warning("virtio-mmio: " + node.nameString + ": legacy device (register version 1) refused: "
                              + "Lichen drives virtio 1.x only (qemu: -global virtio-mmio.force-legacy=false)")
            throw .unsupported
        }
        guard let interrupt = device.interrupt else { throw .malformedNode }
        let transport = VirtioMMIO(registers: registers, interrupt: interrupt, name: node.nameString)
        switch id {
        case Virtio.DeviceID.block: try VirtioBlockDevice.probe(transport)
        default:
            KernelLog.info("virtio-mmio: " + node.nameString + ": device type " + Format.decimal(UInt64(id)) + " has no driver")
            throw .absent
        }
    }

    let registers: MMIORegion
    let interrupt: InterruptID
    let name: String
    /// The features both sides agreed on (after `negotiate`).
    private(set) var features = VirtioFeatureNegotiation.none

    init(registers: MMIORegion, interrupt: InterruptID, name: String) {
        self.registers = registers
        self.interrupt = interrupt
        self.name = name
    }

    // MARK: Initialization (3.1.1)

    /// Resets the device, says a driver is here, and agrees on features: `wanted` are the
    /// device-type features the driver understands. Throws when the device refuses them.
    func negotiate(wanted: UInt64) throws(ProbeFailure) {
        registers.write32(Virtio.MMIO.status, 0)
        while registers.read32(Virtio.MMIO.status) != 0 {}          // the reset is done when status reads 0
        addStatus(Virtio.Status.acknowledge)
        addStatus(Virtio.Status.driver)
        var offered: UInt64 = 0
        for half in 0..<2 {
            registers.write32(Virtio.MMIO.deviceFeaturesSelect, UInt32(half))
            offered |= UInt64(registers.read32(Virtio.MMIO.deviceFeatures)) << (32 * UInt64(half))
        }
        do throws(VirtioFeatureNegotiation.Refusal) {
            features = try VirtioFeatureNegotiation(offered: offered, wanted: wanted)
        } catch {
            KernelLog.warning("virtio-mmio: " + name + ": no VIRTIO_F_VERSION_1 (a legacy device): refused")
            fail()
            throw .unsupported
        }
        for half in 0..<2 {
            registers.write32(Virtio.MMIO.driverFeaturesSelect, UInt32(half))
            registers.write32(Virtio.MMIO.driverFeatures, UInt32(truncatingIfNeeded: features.accepted >> (32 * UInt64(half))))
        }
        addStatus(Virtio.Status.featuresOK)
        guard registers.read32(Virtio.MMIO.status) & Virtio.Status.featuresOK != 0 else {
            KernelLog.warning("virtio-mmio: " + name + ": the device refused the features")
            fail()
            throw .unsupported
        }
    }

    /// The largest queue the device offers for queue `index` (0: no such queue).
    func maximumQueueSize(_ index: Int) -> Int {
        registers.write32(Virtio.MMIO.queueSelect, UInt32(index))
        guard registers.read32(Virtio.MMIO.queueReady) == 0 else { return 0 }
        return Int(registers.read32(Virtio.MMIO.queueSizeMax))
    }

    /// Tells the device where queue `index` lives and enables it.
    func enableQueue(_ index: Int, size: Int, descriptors: PhysAddr, driverArea: PhysAddr, deviceArea: PhysAddr) {
        registers.write32(Virtio.MMIO.queueSelect, UInt32(index))
        registers.write32(Virtio.MMIO.queueSize, UInt32(size))
        write64(Virtio.MMIO.queueDescriptorLow, descriptors.value)
        write64(Virtio.MMIO.queueDriverLow, driverArea.value)
        write64(Virtio.MMIO.queueDeviceLow, deviceArea.value)
        registers.write32(Virtio.MMIO.queueReady, 1)
    }

    /// The last step: the driver is ready; the device may use its queues from now on.
    func driverReady() { addStatus(Virtio.Status.driverOK) }

    func fail() { addStatus(Virtio.Status.failed) }

    // MARK: Running

    func notify(queue index: Int) { registers.write32(Virtio.MMIO.queueNotify, UInt32(index)) }

    /// In the interrupt handler: which causes are pending (used buffers, config change), acknowledged.
    func acknowledgeInterrupt() -> UInt32 {
        let status = registers.read32(Virtio.MMIO.interruptStatus)
        registers.write32(Virtio.MMIO.interruptAcknowledge, status)
        return status
    }

    /// Reads the device's configuration consistently (4.2.2.2): `read` runs again until the
    /// generation counter is the same before and after it. Config fields are read 32 bits at a time.
    func readConfiguration<T>(_ read: (_ field32: (Int) -> UInt32) -> T) -> T {
        while true {
            let before = registers.read32(Virtio.MMIO.configGeneration)
            let value = read { offset in self.registers.read32(Virtio.MMIO.config + offset) }
            if registers.read32(Virtio.MMIO.configGeneration) == before { return value }
        }
    }

    private func addStatus(_ bit: UInt32) {
        registers.write32(Virtio.MMIO.status, registers.read32(Virtio.MMIO.status) | bit)
    }

    private func write64(_ lowOffset: Int, _ value: UInt64) {
        registers.write32(lowOffset, UInt32(truncatingIfNeeded: value))
        registers.write32(lowOffset + 4, UInt32(truncatingIfNeeded: value >> 32))
    }
}
