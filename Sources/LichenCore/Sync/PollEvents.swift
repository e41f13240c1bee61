// Readiness events: what a file's poll reports and what a wait queue's wake-up may have changed.

/// poll(2) event bits (Linux's POLLIN, POLLPRI, POLLOUT, POLLERR, POLLHUP, POLLNVAL).
public struct PollEvents: OptionSet, Sendable {
    public let rawValue: UInt16
    public init(rawValue: UInt16) { self.rawValue = rawValue }
    public static let readable = PollEvents(rawValue: 0x1)     // POLLIN
    public static let priority = PollEvents(rawValue: 0x2)     // POLLPRI
    public static let writable = PollEvents(rawValue: 0x4)     // POLLOUT
    public static let error = PollEvents(rawValue: 0x8)        // POLLERR
    public static let hangUp = PollEvents(rawValue: 0x10)      // POLLHUP
    public static let invalid = PollEvents(rawValue: 0x20)     // POLLNVAL
    public static let readHangUp = PollEvents(rawValue: 0x2000) // POLLRDHUP: the peer shut down writing
    /// A wake-up's key when the waker does not say what changed.
    public static let all = PollEvents(rawValue: 0xFFFF)
    /// Reported whether asked for or not.
    public static let always: PollEvents = [.error, .hangUp, .invalid]
}
