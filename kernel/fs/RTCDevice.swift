import LichenCore

/// /dev/rtc0: the PL031 real-time clock as Linux's rtc class device, for reading the time
/// (hwclock -r). Setting it (RTC_SET_TIME) and alarms are not supported yet.
final class RTCDevice: FileOperations, @unchecked Sendable {
    static let shared = RTCDevice()
    static let RTC_RD_TIME: UInt64 = 0x8024_7009, RTC_SET_TIME: UInt64 = 0x4024_700a

    /// The ioctls that copy structures (decoded here, like the terminal's in IoctlSyscalls).
    static func ioctl(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        switch a[1] {
        case RTC_RD_TIME:
            try a.user.store(LinuxRtcTime(secondsSinceEpoch: RealtimeClock.now / 1_000_000_000), to: a.address(2))
            return 0
        case RTC_SET_TIME:
            guard a.process.credentials.euid == 0 else { throw .EACCES }   // CAP_SYS_TIME
            _ = try a.user.load(LinuxRtcTime.self, from: a.address(2))
            throw .EOPNOTSUPP
        default: throw .ENOTTY
        }
    }
}
