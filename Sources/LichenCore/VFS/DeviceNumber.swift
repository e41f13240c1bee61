// Device numbers (dev_t) and the numbers of the standard devices.

/// A major:minor device number.
public struct DeviceNumber: Hashable, Sendable {
    public var major: UInt32
    public var minor: UInt32

    public init(major: UInt32, minor: UInt32) {
        self.major = major
        self.minor = minor
    }

    public static let none = DeviceNumber(major: 0, minor: 0)

    /// Linux's `new_encode_dev`, the form in `st_dev`/`st_rdev` (and glibc's `makedev` for 12-bit
    /// majors and 20-bit minors): minor low byte, major in bits 8-19, minor high bits from bit 20.
    public var encoded: UInt64 {
        UInt64(minor & 0xff) | (UInt64(major & 0xfff) << 8) | (UInt64(minor & ~0xff) << 12)
    }

    /// Decodes `new_encode_dev` (mknod's dev argument).
    public init(encoded value: UInt64) {
        major = UInt32((value & 0xfff00) >> 8)
        minor = UInt32((value & 0xff) | ((value >> 12) & 0xfff00))
    }

    // The standard character devices (Documentation/admin-guide/devices.txt).
    public static let null = DeviceNumber(major: 1, minor: 3)
    public static let zero = DeviceNumber(major: 1, minor: 5)
    public static let full = DeviceNumber(major: 1, minor: 7)
    public static let random = DeviceNumber(major: 1, minor: 8)
    public static let urandom = DeviceNumber(major: 1, minor: 9)
    public static let tty = DeviceNumber(major: 5, minor: 0)
    public static let console = DeviceNumber(major: 5, minor: 1)
    /// The first RTC (Linux allocates the rtc major dynamically: 254 on Debian's arm64 kernel).
    public static let rtc0 = DeviceNumber(major: 254, minor: 0)
}
