// `struct rtc_time` (linux/rtc.h: nine ints, 36 bytes) and the UTC calendar it carries.

public struct LinuxRtcTime: Equatable, Sendable {
    public var tm_sec: Int32 = 0
    public var tm_min: Int32 = 0
    public var tm_hour: Int32 = 0
    public var tm_mday: Int32 = 0
    /// 0-11.
    public var tm_mon: Int32 = 0
    /// Years since 1900.
    public var tm_year: Int32 = 0
    /// 0 = Sunday.
    public var tm_wday: Int32 = 0
    /// 0-365.
    public var tm_yday: Int32 = 0
    public var tm_isdst: Int32 = 0

    public init() {}

    /// The UTC calendar time of `seconds` since 1970-01-01 (proleptic Gregorian, days from civil).
    public init(secondsSinceEpoch seconds: UInt64) {
        let days = Int64(seconds / 86_400), rest = Int64(seconds % 86_400)
        tm_hour = Int32(rest / 3600); tm_min = Int32(rest % 3600 / 60); tm_sec = Int32(rest % 60)
        tm_wday = Int32((days + 4) % 7)                        // 1970-01-01 was a Thursday
        // Howard Hinnant's civil_from_days: eras of 400 years starting on March 1st.
        let z = days + 719_468
        let era = z / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36_524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let mp = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * mp + 2) / 5 + 1
        let month = mp < 10 ? mp + 3 : mp - 9
        let year = yearOfEra + era * 400 + (month <= 2 ? 1 : 0)
        tm_mday = Int32(day); tm_mon = Int32(month - 1); tm_year = Int32(year - 1900)
        let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
        let starts: [Int32] = [0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334]
        tm_yday = starts[Int(month - 1)] + Int32(day - 1) + (leap && month > 2 ? 1 : 0)
    }
}
