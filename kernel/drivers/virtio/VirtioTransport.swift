import LichenCore

/// What a virtio transport (virtio 1.x, 4) gives the device-independent code: the status and
/// feature registers, queue setup and notification, device configuration and the interrupt. Both
/// virtio-mmio (VirtioMMIO) and virtio-pci (VirtioPCI) implement it; drivers never see which one.
/// Only the transport primitives are here: the shared sequences are in VirtioTransport.
protocol VirtioRegisters: AnyObject {
    /// The device status byte (2.1; Virtio.Status bits). Writing 0 resets the device.
    func readStatus() -> UInt32
    func writeStatus(_ status: UInt32)
    /// 32 bits of the device's features (`half` 0: bits 0-31, 1: bits 32-63).
    func deviceFeatures(half: Int) -> UInt32
    func writeDriverFeatures(half: Int, _ bits: UInt32)
    /// The largest queue the device offers for queue `index` (0: no such queue, or one the
    /// transport cannot use).
    func maximumQueueSize(_ index: Int) -> Int
    /// Tells the device where queue `index` lives and enables it.
    func enableQueue(_ index: Int, size: Int, descriptors: PhysAddr, driverArea: PhysAddr, deviceArea: PhysAddr)
    func notify(queue index: Int)
    /// The configuration generation counter and 32-bit reads of the device configuration.
    func configGeneration() -> UInt32
    func readConfig32(_ offset: Int) -> UInt32
    /// Registers the device's interrupt: the transport acknowledges it and calls `usedBuffers`
    /// when the cause is used buffers (not a configuration change).
    func onInterrupt(_ usedBuffers: @escaping () -> Void)
}

/// A virtio device on some transport, as drivers (VirtioBlockDevice, VirtioQueue) use it: the
/// initialization sequence (3.1.1), the agreed features, consistent configuration reads.
final class VirtioTransport {
    let registers: any VirtioRegisters
    /// "virtio-mmio: virtio_mmio@a003e00" or "virtio-pci: 00:01.0", for log lines.
    let name: String
    /// The features both sides agreed on (after `negotiate`).
    private(set) var features = VirtioFeatureNegotiation.none

    /// Where Linux's sysfs puts the device, under /sys/devices: its bus device, then "virtioN"
    /// (N counts every virtio device in probe order, as Linux's virtio index).
    let sysfsPath: String

    nonisolated(unsafe) private static var count = 0

    init(_ registers: any VirtioRegisters, name: String, sysfsParent: String) {
        self.registers = registers
        self.name = name
        sysfsPath = sysfsParent + "/virtio" + Format.decimal(UInt64(Self.count))
        Self.count += 1                                       // probes run one at a time at boot
    }

    /// Hands a device to the driver of its type; `.absent` when Lichen has none.
    static func bindDriver(deviceType: UInt32, _ transport: VirtioTransport) throws(ProbeFailure) {
        switch deviceType {
        case Virtio.DeviceID.block: try VirtioBlockDevice.probe(transport)
        default:
            KernelLog.info(transport.name + ": device type " + Format.decimal(UInt64(deviceType)) + " has no driver")
            throw .absent
        }
    }

    // MARK: Initialization (3.1.1)

    /// Resets the device, says a driver is here, and agrees on features: `wanted` are the
    /// device-type features the driver understands. Throws when the device refuses them.
    func negotiate(wanted: UInt64) throws(ProbeFailure) {
        registers.writeStatus(0)
        while registers.readStatus() != 0 {}                   // the reset is done when status reads 0
        addStatus(Virtio.Status.acknowledge)
        addStatus(Virtio.Status.driver)
        let offered = UInt64(registers.deviceFeatures(half: 0)) | UInt64(registers.deviceFeatures(half: 1)) << 32
        do throws(VirtioFeatureNegotiation.Refusal) {
            features = try VirtioFeatureNegotiation(offered: offered, wanted: wanted)
        } catch {
            KernelLog.warning(name + ": no VIRTIO_F_VERSION_1 (a legacy device): refused")
            fail()
            throw .unsupported
        }
        registers.writeDriverFeatures(half: 0, UInt32(truncatingIfNeeded: features.accepted))
        registers.writeDriverFeatures(half: 1, UInt32(truncatingIfNeeded: features.accepted >> 32))
        addStatus(Virtio.Status.featuresOK)
        guard registers.readStatus() & Virtio.Status.featuresOK != 0 else {
            KernelLog.warning(name + ": the device refused the features")
            fail()
            throw .unsupported
        }
    }

    func maximumQueueSize(_ index: Int) -> Int { registers.maximumQueueSize(index) }

    func enableQueue(_ index: Int, size: Int, descriptors: PhysAddr, driverArea: PhysAddr, deviceArea: PhysAddr) {
        registers.enableQueue(index, size: size, descriptors: descriptors, driverArea: driverArea, deviceArea: deviceArea)
    }

    /// The last step: the driver is ready; the device may use its queues from now on.
    func driverReady() { addStatus(Virtio.Status.driverOK) }

    func fail() { addStatus(Virtio.Status.failed) }

    // MARK: Running

    func notify(queue index: Int) { registers.notify(queue: index) }

    func onInterrupt(_ usedBuffers: @escaping () -> Void) { registers.onInterrupt(usedBuffers) }

    /// Reads the device's configuration consistently (2.5.1): `read` runs again until the
    /// generation counter is the same before and after it. Config fields are read 32 bits at a time.
    func readConfiguration<T>(_ read: (_ field32: (Int) -> UInt32) -> T) -> T {
        while true {
            let before = registers.configGeneration()
            let value = read { offset in self.registers.readConfig32(offset) }
            if registers.configGeneration() == before { return value }
        }
    }

    private func addStatus(_ bit: UInt32) { registers.writeStatus(registers.readStatus() | bit) }
}
