// Linux's fault-around (do_fault_around, fault_around_bytes = 64 KiB): a read or instruction fault on
// a program's file page also maps the file's other pages of the same aligned 64 KiB window that are
// already in memory, read-only, so a program's first run through its text and data takes one fault
// per window instead of one per page. Only pages the cache already holds, only where nothing is
// mapped, never past the area.

public enum FaultAround {
    public static let windowBytes = UInt64(16 * pageSize)

    /// The pages to try around `page`: its aligned window, clipped to the area [start, end).
    public static func window(around page: UInt64, areaStart: UInt64, areaEnd: UInt64) -> Range<UInt64> {
        let low = page & ~(windowBytes - 1)
        let high = low &+ windowBytes
        return max(low, areaStart)..<min(high < low ? UInt64.max : high, areaEnd)
    }
}
