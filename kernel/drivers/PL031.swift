import LichenCore

/// Arm PrimeCell PL031 real-time clock: a counter of seconds since 1970. RealtimeClock reads it once
/// at boot; /dev/rtc0 (RTCDevice) answers from the wall clock. Alarms and setting it are not supported.
final class PL031 {
    nonisolated(unsafe) private(set) static var bound: PL031? = nil

    static let driver = DriverEntry(name: "PL031", compatible: ["arm,pl031"], stage: .devices) { node throws(ProbeFailure) in
        guard bound == nil else { throw .notNeeded }
        let device = try DriverRegistry.decode { () throws(DeviceTreeError) in try DeviceRegion(node) }
        bound = PL031(registers: try DriverRegistry.map(device.registers))
    }

    private enum Reg { static let data = 0x00 }
    private let regs: MMIORegion

    init(registers: MMIORegion) { regs = registers }

    var secondsSinceEpoch: UInt32 { regs.read32(Reg.data) }
}
