/// An eventfd's counter and Linux's rules for it: a write adds (blocking while the sum would pass
/// 0xffff_ffff_ffff_fffe), a read takes the whole count, or 1 in semaphore mode (blocking at 0).
public struct EventCounter: Sendable, Equatable {
    public static let maximum: UInt64 = 0xffff_ffff_ffff_fffe
    public private(set) var count: UInt64
    public let semaphore: Bool

    public init(_ initial: UInt64, semaphore: Bool) {
        count = initial
        self.semaphore = semaphore
    }

    /// The value a read returns, taken from the counter; nil while it is 0 (the read waits).
    public mutating func read() -> UInt64? {
        guard count > 0 else { return nil }
        let value = semaphore ? 1 : count
        count -= value
        return value
    }

    /// Adds `value`: false while it does not fit (the write waits). The caller refuses
    /// 0xffff_ffff_ffff_ffff (EINVAL) first.
    public mutating func write(_ value: UInt64) -> Bool {
        guard value <= Self.maximum - count else { return false }
        count += value
        return true
    }

    public var readable: Bool { count > 0 }
    public var writable: Bool { count < Self.maximum }
}
