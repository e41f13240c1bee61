/// Where a virtio-pci function keeps its structures (virtio 1.x, 4.1.4): the vendor-specific
/// capabilities each name a BAR, an offset and a length. Parsed from configuration space bytes the
/// device supplies, so every field is checked: a BAR index above 5, a capability too short for its
/// type, or (in `validate`) a structure that does not fit in its BAR makes the layout unusable.
public struct VirtioPCILayout: Equatable, Sendable {
    public struct Region: Equatable, Sendable {
        public let bar: Int
        public let offset: UInt64
        public let length: UInt64
        public init(bar: Int, offset: UInt64, length: UInt64) {
            self.bar = bar
            self.offset = offset
            self.length = length
        }
    }

    public let common: Region
    public let notify: Region
    public let notifyOffMultiplier: UInt32
    public let isr: Region
    /// Absent for device types without configuration (a block device always has one).
    public let device: Region?

    public enum Problem: Error, Equatable { case missingCommon, missingNotify, missingISR, tooSmall, outsideBAR }

    /// The first usable capability of each type, as the spec asks drivers to pick them (4.1.4:
    /// "the driver SHOULD use the first one", skipping those it cannot use). `read8` reads
    /// configuration space; `capabilities` is the walked list (PCICapabilities.walk).
    public init(capabilities: [PCICapability], read8: (Int) -> UInt8) throws(Problem) {
        func u32(_ at: Int) -> UInt32 {
            (0..<4).reduce(UInt32(0)) { $0 | UInt32(read8(at + $1)) << (8 * UInt32($1)) }
        }
        var common, notify, isr, device: Region?
        var multiplier: UInt32 = 0
        // (A capability too near the end of the space to hold its fields is skipped before any is read.)
        for cap in capabilities where cap.id == PCIConfig.CapabilityID.vendorSpecific && cap.offset + 16 <= PCIConfig.legacySpaceSize {
            let length = Int(read8(cap.offset + 2))
            let type = read8(cap.offset + 3)
            let bar = Int(read8(cap.offset + 4))
            guard length >= 16, bar < PCIConfig.barCount else { continue }
            let region = Region(bar: bar, offset: UInt64(u32(cap.offset + 8)), length: UInt64(u32(cap.offset + 12)))
            switch type {
            case Virtio.PCI.CapabilityType.common where common == nil: common = region
            case Virtio.PCI.CapabilityType.notify where notify == nil:
                guard length >= 20, cap.offset + 20 <= PCIConfig.legacySpaceSize else { continue }
                notify = region
                multiplier = u32(cap.offset + 16)
            case Virtio.PCI.CapabilityType.isr where isr == nil: isr = region
            case Virtio.PCI.CapabilityType.device where device == nil: device = region
            default: continue
            }
        }
        guard let common else { throw .missingCommon }
        guard let notify else { throw .missingNotify }
        guard let isr else { throw .missingISR }
        guard common.length >= UInt64(Virtio.PCI.Common.size), isr.length >= 1, notify.length >= 2 else { throw .tooSmall }
        self.common = common
        self.notify = notify
        notifyOffMultiplier = multiplier
        self.isr = isr
        self.device = device
    }

    /// Checks every structure against the sizes of the BARs (nil: BAR not implemented or not assigned).
    public func validate(barSizes: [UInt64?]) throws(Problem) {
        for region in [common, notify, isr] + (device.map { [$0] } ?? []) {
            guard region.bar < barSizes.count, let size = barSizes[region.bar],
                  region.offset <= size, region.length <= size - region.offset else { throw .outsideBAR }
        }
    }

    /// Where in the notify structure queue notifications go for a queue whose `queue_notify_off` is
    /// `notifyOff` (4.1.4.4: offset + notify_off * multiplier); nil when the 16-bit write would fall
    /// outside the structure.
    public func notifyOffset(queueNotifyOff notifyOff: UInt16) -> UInt64? {
        let within = UInt64(notifyOff) * UInt64(notifyOffMultiplier)
        guard within <= notify.length, notify.length - within >= 2 else { return nil }
        return notify.offset + within
    }
}
