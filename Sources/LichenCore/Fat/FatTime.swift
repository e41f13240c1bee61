/// FAT timestamps: local time (Lichen, like Linux without a timezone set, takes local = UTC) in
/// a date word (years since 1980, month, day) and a time word (hours, minutes, 2-second steps),
/// plus centiseconds for the creation time. Outside 1980 ..< 2108 a time is clamped as Linux's
/// fat_time_unix2fat.
public enum FatTime {
    static let epoch1980: Int64 = 315_532_800
    static let last: Int64 = 4_354_819_198          // 2107-12-31 23:59:58

    /// Unix time of a date and time word (and the creation time's centiseconds).
    public static func unix(date: UInt16, time: UInt16, centiseconds: UInt8 = 0) -> Timespec {
        let year = Int64(date >> 9) + 1980, month = Int64(max(1, min(12, (date >> 5) & 0xf))), day = Int64(max(1, date & 0x1f))
        let days = daysFromCivil(year, month, day)
        var seconds = days * 86400 + Int64(time >> 11) * 3600 + Int64((time >> 5) & 0x3f) * 60 + Int64(time & 0x1f) * 2
        var nanoseconds: Int64 = 0
        if centiseconds > 0 {
            let cs = Int64(min(centiseconds, 199))
            seconds += cs / 100
            nanoseconds = (cs % 100) * 10_000_000
        }
        return Timespec(seconds: seconds, nanoseconds: nanoseconds)
    }

    /// Date and time words and centiseconds for `t`.
    public static func fat(_ t: Timespec) -> (date: UInt16, time: UInt16, centiseconds: UInt8) {
        var s = t.seconds
        var ns = t.nanoseconds
        if s < epoch1980 { s = epoch1980; ns = 0 }
        if s > last + 1 { s = last; ns = 0 }
        let days = s / 86400, rest = s % 86400
        let (y, m, d) = civil(fromDays: days)
        let date = UInt16(((y - 1980) << 9) | (m << 5) | d)
        let time = UInt16(((rest / 3600) << 11) | (((rest % 3600) / 60) << 5) | ((rest % 60) / 2))
        let cs = UInt8((rest % 2) * 100 + ns / 10_000_000)
        return (date, time, cs)
    }

    /// What the disk keeps of `t`: mtime to 2 s, ctime (creation) to 10 ms, atime to the day.
    public static func mtime(_ t: Timespec) -> Timespec { let f = fat(t); return unix(date: f.date, time: f.time) }
    public static func ctime(_ t: Timespec) -> Timespec { let f = fat(t); return unix(date: f.date, time: f.time, centiseconds: f.centiseconds) }
    public static func atime(_ t: Timespec) -> Timespec { unix(date: fat(t).date, time: 0) }

    /// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's algorithm).
    static func daysFromCivil(_ year: Int64, _ month: Int64, _ day: Int64) -> Int64 {
        let y = month <= 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146097 + doe - 719468
    }

    static func civil(fromDays z0: Int64) -> (Int64, Int64, Int64) {
        let z = z0 + 719468
        let era = (z >= 0 ? z : z - 146096) / 146097
        let doe = z - era * 146097
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (yoe + era * 400 + (m <= 2 ? 1 : 0), m, d)
    }
}
