import LichenCore

/// The virtio-mmio transport (virtio 1.x, 4.2): one register window and one interrupt per device,
/// found in the device tree (`virtio,mmio`; qemu `virt` has 32, most with device id 0 = empty).
/// Only modern devices (register version 2): a legacy one (version 1, which qemu gives unless
/// `-global virtio-mmio.force-legacy=false`) is refused with a log line. The probe hands each
/// device to the driver of its type (VirtioTransport.bindDriver).
final class VirtioMMIO: VirtioRegisters {
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
        let transport = VirtioMMIO(registers: registers, interrupt: interrupt)
        try VirtioTransport.bindDriver(deviceType: id, VirtioTransport(transport, name: "virtio-mmio: " + node.nameString,
                                                                                 sysfsParent: "platform/" + platformName(node.nameString)))
    }

    let registers: MMIORegion
    let interrupt: InterruptID

    /// A device tree node's platform device name as Linux makes it (of_device_make_bus_id):
    /// "virtio_mmio@a003e00" becomes "a003e00.virtio_mmio".
    static func platformName(_ node: String) -> String {
        let bytes = Array(node.utf8)
        guard let at = bytes.firstIndex(of: 0x40) else { return node }
        return String(decoding: bytes[(at + 1)...], as: UTF8.self) + "." + String(decoding: bytes[..<at], as: UTF8.self)
    }

    init(registers: MMIORegion, interrupt: InterruptID) {
        self.registers = registers
        self.interrupt = interrupt
    }

    func readStatus() -> UInt32 { registers.read32(Virtio.MMIO.status) }
    func writeStatus(_ status: UInt32) { registers.write32(Virtio.MMIO.status, status) }

    func deviceFeatures(half: Int) -> UInt32 {
        registers.write32(Virtio.MMIO.deviceFeaturesSelect, UInt32(half))
        return registers.read32(Virtio.MMIO.deviceFeatures)
    }

    func writeDriverFeatures(half: Int, _ bits: UInt32) {
        registers.write32(Virtio.MMIO.driverFeaturesSelect, UInt32(half))
        registers.write32(Virtio.MMIO.driverFeatures, bits)
    }

    func maximumQueueSize(_ index: Int) -> Int {
        registers.write32(Virtio.MMIO.queueSelect, UInt32(index))
        guard registers.read32(Virtio.MMIO.queueReady) == 0 else { return 0 }
        return Int(registers.read32(Virtio.MMIO.queueSizeMax))
    }

    func enableQueue(_ index: Int, size: Int, descriptors: PhysAddr, driverArea: PhysAddr, deviceArea: PhysAddr) {
        registers.write32(Virtio.MMIO.queueSelect, UInt32(index))
        registers.write32(Virtio.MMIO.queueSize, UInt32(size))
        write64(Virtio.MMIO.queueDescriptorLow, descriptors.value)
        write64(Virtio.MMIO.queueDriverLow, driverArea.value)
        write64(Virtio.MMIO.queueDeviceLow, deviceArea.value)
        registers.write32(Virtio.MMIO.queueReady, 1)
    }

    func notify(queue index: Int) { registers.write32(Virtio.MMIO.queueNotify, UInt32(index)) }

    func configGeneration() -> UInt32 { registers.read32(Virtio.MMIO.configGeneration) }
    func readConfig32(_ offset: Int) -> UInt32 { registers.read32(Virtio.MMIO.config + offset) }

    /// The interrupt status register says why; writing it back acknowledges those causes.
    func onInterrupt(_ usedBuffers: @escaping () -> Void) {
        let registers = self.registers
        Interrupts.register(interrupt) {
            let status = registers.read32(Virtio.MMIO.interruptStatus)
            registers.write32(Virtio.MMIO.interruptAcknowledge, status)
            if status & Virtio.MMIO.usedBufferInterrupt != 0 { usedBuffers() }
        }
    }

    private func write64(_ lowOffset: Int, _ value: UInt64) {
        registers.write32(lowOffset, UInt32(truncatingIfNeeded: value))
        registers.write32(lowOffset + 4, UInt32(truncatingIfNeeded: value >> 32))
    }
}
