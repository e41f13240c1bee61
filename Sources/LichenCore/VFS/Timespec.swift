// File timestamps: Linux's struct timespec64 (seconds and nanoseconds since the epoch).

public struct Timespec: Hashable, Comparable, Sendable {
    public var seconds: Int64
    /// 0 ..< 1_000_000_000.
    public var nanoseconds: Int64

    public init(seconds: Int64, nanoseconds: Int64 = 0) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
    }

    public static let zero = Timespec(seconds: 0)

    public static func < (a: Timespec, b: Timespec) -> Bool {
        a.seconds != b.seconds ? a.seconds < b.seconds : a.nanoseconds < b.nanoseconds
    }
}

/// The current time, supplied by whoever creates a filesystem (the kernel's realtime clock, or a
/// test's fake clock): the core has no global clock.
public typealias VFSClock = @Sendable () -> Timespec

/// A timestamp change requested by utimensat: a given time or "now" (omitted is nil).
public enum TimeChange: Equatable, Sendable {
    case now
    case time(Timespec)
}
