/// Why a blocking wait ended without what it waited for.
public enum WaitError: Error, Equatable, Sendable {
    /// The waiting task was cancelled: how the kernel turns a signal into EINTR.
    case interrupted
    /// The `WaitTimeout` expired first.
    case timedOut
}

/// Why `Channel.send` did not deliver its value.
public enum ChannelError: Error, Equatable, Sendable {
    /// The channel was closed (before the call or while it waited for room).
    case closed
    case interrupted
    case timedOut

    init(_ error: WaitError) {
        self = error == .interrupted ? .interrupted : .timedOut
    }
}
