/// Numbers from the virtio 1.x specification (OASIS virtio-v1.2) that drivers and the transports
/// share: device status bits, the feature bits Lichen knows, device types, the virtio-mmio
/// register window (section 4.2.2) and the virtio-pci structures (4.1.4).
public enum Virtio {
    /// Device status (2.1): the driver raises these bits in order during initialization.
    public enum Status {
        public static let acknowledge: UInt32 = 1
        public static let driver: UInt32 = 2
        public static let driverOK: UInt32 = 4
        public static let featuresOK: UInt32 = 8
        public static let needsReset: UInt32 = 64
        public static let failed: UInt32 = 128
    }

    /// Feature bits, as bit numbers (6: reserved and transport-independent ones are 28 ..< 38).
    public enum Feature {
        public static let indirectDescriptors = 28
        public static let eventIndex = 29
        public static let version1 = 32
        public static let accessPlatform = 33
        public static let ringPacked = 34
    }

    /// Device types (5): the ids a transport reports; 0 means "no device here".
    public enum DeviceID {
        public static let none: UInt32 = 0
        public static let network: UInt32 = 1
        public static let block: UInt32 = 2
        public static let console: UInt32 = 3
        public static let entropy: UInt32 = 4
    }

    /// The virtio-mmio register window (4.2.2): offsets of 32-bit registers; config space at 0x100.
    public enum MMIO {
        public static let magicValue = 0x000          // "virt" little-endian
        public static let version = 0x004             // 2 = virtio 1.x; 1 = legacy
        public static let deviceID = 0x008
        public static let vendorID = 0x00c
        public static let deviceFeatures = 0x010
        public static let deviceFeaturesSelect = 0x014
        public static let driverFeatures = 0x020
        public static let driverFeaturesSelect = 0x024
        public static let queueSelect = 0x030
        public static let queueSizeMax = 0x034
        public static let queueSize = 0x038
        public static let queueReady = 0x044
        public static let queueNotify = 0x050
        public static let interruptStatus = 0x060
        public static let interruptAcknowledge = 0x064
        public static let status = 0x070
        public static let queueDescriptorLow = 0x080
        public static let queueDescriptorHigh = 0x084
        public static let queueDriverLow = 0x090
        public static let queueDriverHigh = 0x094
        public static let queueDeviceLow = 0x0a0
        public static let queueDeviceHigh = 0x0a4
        public static let configGeneration = 0x0fc
        public static let config = 0x100

        public static let magic: UInt32 = 0x7472_6976
        public static let modernVersion: UInt32 = 2
        public static let legacyVersion: UInt32 = 1
        /// InterruptStatus bits.
        public static let usedBufferInterrupt: UInt32 = 1
        public static let configChangeInterrupt: UInt32 = 2
    }

    /// virtio over PCI (4.1): the ids a virtio function has and the vendor capabilities (4.1.4)
    /// that point, each into one BAR, at the structures the driver uses.
    public enum PCI {
        public static let vendorID: UInt16 = 0x1af4
        /// Modern (virtio 1.x only) functions are 0x1040 + the device type (4.1.2.1).
        public static let modernDeviceBase: UInt16 = 0x1040
        /// Transitional functions (0x1000-0x103f) carry the device type in the subsystem id.
        public static let transitionalDevices: ClosedRange<UInt16> = 0x1000...0x103f

        /// virtio_pci_cap.cfg_type.
        public enum CapabilityType {
            public static let common: UInt8 = 1
            public static let notify: UInt8 = 2
            public static let isr: UInt8 = 3
            public static let device: UInt8 = 4
            public static let pciConfig: UInt8 = 5
        }

        /// Offsets in the common configuration structure (4.1.4.3), with their widths.
        public enum Common {
            public static let deviceFeatureSelect = 0x00      // 32
            public static let deviceFeature = 0x04            // 32
            public static let driverFeatureSelect = 0x08      // 32
            public static let driverFeature = 0x0c            // 32
            public static let configMSIXVector = 0x10         // 16
            public static let numQueues = 0x12                // 16
            public static let deviceStatus = 0x14             // 8
            public static let configGeneration = 0x15         // 8
            public static let queueSelect = 0x16              // 16
            public static let queueSize = 0x18                // 16
            public static let queueMSIXVector = 0x1a          // 16
            public static let queueEnable = 0x1c              // 16
            public static let queueNotifyOff = 0x1e           // 16
            public static let queueDescriptor = 0x20          // 64
            public static let queueDriver = 0x28              // 64
            public static let queueDevice = 0x30              // 64
            /// The structure as virtio 1.0 defines it (later fields are optional).
            public static let size = 0x38
        }

        /// The ISR status byte (4.1.4.5): reading it returns and clears the causes, and deasserts INTx.
        public enum ISR {
            public static let queue: UInt8 = 1
            public static let configChange: UInt8 = 2
        }
        /// MSI-X vector number meaning "none" (Lichen uses INTx).
        public static let noVector: UInt16 = 0xffff
    }
}

/// Feature negotiation (3.1.1 step 4): which of the device's features the driver accepts. A device
/// without VIRTIO_F_VERSION_1 is a legacy device, which Lichen does not drive.
public struct VirtioFeatureNegotiation: Sendable, Equatable {
    public let accepted: UInt64

    /// Nothing agreed yet.
    public static let none = VirtioFeatureNegotiation(accepted: 0)
    private init(accepted: UInt64) { self.accepted = accepted }

    public enum Refusal: Error, Equatable { case legacyOnly }

    /// `wanted` are the device-type features the driver understands; the transport features it
    /// understands (VERSION_1, EVENT_IDX) are added here.
    public init(offered: UInt64, wanted: UInt64) throws(Refusal) {
        guard offered & Self.bit(Virtio.Feature.version1) != 0 else { throw .legacyOnly }
        let understood = wanted | Self.bit(Virtio.Feature.version1) | Self.bit(Virtio.Feature.eventIndex)
        accepted = offered & understood
    }

    public func has(_ feature: Int) -> Bool { accepted & Self.bit(feature) != 0 }

    public static func bit(_ feature: Int) -> UInt64 { 1 << UInt64(feature) }
}
