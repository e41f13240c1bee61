import LichenCore

/// /dev/rtc0: the PL031 real-time clock as Linux's rtc class device, for reading the time
/// (hwclock -r). Setting it (RTC_SET_TIME) and alarms are not supported yet.
final class RTCDevice: FileOperations, @unchecked Sendable {
    static let shared = RTCDevice()

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        switch request {
        case LinuxIoctl.RTC_RD_TIME:
            try caller.store(LinuxRtcTime(secondsSinceEpoch: RealtimeClock.now / 1_000_000_000), to: argument)
            return 0
        case LinuxIoctl.RTC_SET_TIME:
            guard caller.has(.CAP_SYS_TIME) else { throw .EACCES }
            _ = try caller.load(LinuxRtcTime.self, from: argument)
            throw .EOPNOTSUPP
        default: throw .ENOTTY
        }
    }
}
