/// Numbers of the PCI configuration space (PCI Local Bus 3.0, 6.1; PCI Express Base 7.2) that the
/// host bridge driver reads: the type 0/1 header fields, command bits, capability ids.
public enum PCIConfig {
    public static let vendorID = 0x00            // 16 bits; 0xffff: nothing at this address
    public static let deviceID = 0x02
    public static let command = 0x04
    public static let status = 0x06
    public static let classRevision = 0x08       // class (24 bits) << 8 | revision
    public static let headerType = 0x0e          // bit 7: multi-function; low 7 bits: layout
    public static let bar0 = 0x10                // six 32-bit BARs (type 0 header)
    public static let subsystemVendorID = 0x2c
    public static let subsystemID = 0x2e
    public static let capabilitiesPointer = 0x34
    public static let interruptPin = 0x3d        // 0: none, 1-4: INTA-INTD
    /// Where capabilities may live: after the 64-byte header, inside the 256-byte legacy space.
    public static let headerSize = 0x40
    public static let legacySpaceSize = 0x100

    public static let noDevice: UInt16 = 0xffff
    public static let barCount = 6

    public enum Command {
        public static let ioSpace: UInt16 = 1 << 0
        public static let memorySpace: UInt16 = 1 << 1
        public static let busMaster: UInt16 = 1 << 2
        public static let interruptDisable: UInt16 = 1 << 10
    }

    public enum Status {
        public static let capabilitiesList: UInt16 = 1 << 4
    }

    public enum HeaderLayout {
        public static let endpoint: UInt8 = 0
        public static let bridge: UInt8 = 1
        public static let multiFunction: UInt8 = 0x80
    }

    public enum CapabilityID {
        public static let msi: UInt8 = 0x05
        public static let vendorSpecific: UInt8 = 0x09
        public static let pciExpress: UInt8 = 0x10
        public static let msiX: UInt8 = 0x11
    }
}

/// A function's place on the bus (bus:device.function, as lspci prints it).
public struct PCIFunctionAddress: Equatable, Hashable, Sendable {
    public let bus: UInt8
    public let device: UInt8        // 0 ..< 32
    public let function: UInt8      // 0 ..< 8

    public init?(bus: UInt8, device: UInt8, function: UInt8) {
        guard device < 32, function < 8 else { return nil }
        self.bus = bus
        self.device = device
        self.function = function
    }

    /// The offset of its 4 KiB configuration space in an ECAM window whose first bus is `firstBus`
    /// (PCIe 7.2.2: bus << 20 | device << 15 | function << 12).
    public func ecamOffset(firstBus: UInt8) -> Int {
        (Int(bus) - Int(firstBus)) << 20 | Int(device) << 15 | Int(function) << 12
    }

    /// phys.hi of the devicetree's PCI address (IEEE 1275 PCI binding: bus, device, function fields),
    /// the key `interrupt-map` is looked up with.
    public var unitAddressHigh: UInt32 { UInt32(bus) << 16 | UInt32(device) << 11 | UInt32(function) << 8 }

    /// "00:01.0".
    public var description: String { hex2(bus) + ":" + hex2(device) + "." + String(function) }

    private func hex2(_ v: UInt8) -> String {
        let digits: [Character] = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9", "a", "b", "c", "d", "e", "f"]
        return String(digits[Int(v >> 4)]) + String(digits[Int(v & 15)])
    }
}
