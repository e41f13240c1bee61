import Testing
@testable import LichenCore

@Suite struct LinuxRtcTimeTests {
    @Test func layoutIsNineInts() { #expect(MemoryLayout<LinuxRtcTime>.size == 36) }

    @Test func calendarDates() {
        let epoch = LinuxRtcTime(secondsSinceEpoch: 0)
        #expect(epoch.tm_year == 70 && epoch.tm_mon == 0 && epoch.tm_mday == 1 && epoch.tm_wday == 4 && epoch.tm_yday == 0)
        // 2000-02-29 12:34:56 UTC (a leap day of a century leap year), a Tuesday, day 59 of the year.
        let leap = LinuxRtcTime(secondsSinceEpoch: 951_827_696)
        #expect(leap.tm_year == 100 && leap.tm_mon == 1 && leap.tm_mday == 29)
        #expect(leap.tm_hour == 12 && leap.tm_min == 34 && leap.tm_sec == 56 && leap.tm_wday == 2 && leap.tm_yday == 59)
        // 2026-11-22 00:00:00 UTC: a Sunday, day 325.
        let today = LinuxRtcTime(secondsSinceEpoch: 1_795_305_600)
        #expect(today.tm_year == 126 && today.tm_mon == 10 && today.tm_mday == 22 && today.tm_wday == 0 && today.tm_yday == 325)
        // 2100-12-31 23:59:59: 2100 is not a leap year, so day 364.
        let end = LinuxRtcTime(secondsSinceEpoch: 4_133_980_799)
        #expect(end.tm_year == 200 && end.tm_mon == 11 && end.tm_mday == 31 && end.tm_yday == 364 && end.tm_sec == 59)
    }
}
