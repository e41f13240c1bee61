/// Which of a few small keys (syscall numbers, operation codes) were already reported: "logged once"
/// messages, safe when several CPUs report the same key at once (exactly one of them is first).
public final class ReportOnce: @unchecked Sendable {
    private let seen: SpinLock<[Bool]>

    /// Keys 0 ..< count; larger keys share the last slot.
    public init(count: Int) {
        seen = SpinLock([Bool](repeating: false, count: max(count, 1)))
    }

    /// True exactly once per key: for the caller that should write the message.
    public func first(_ key: Int) -> Bool {
        seen.withLock { s in
            let i = min(max(key, 0), s.count - 1)
            if s[i] { return false }
            s[i] = true
            return true
        }
    }
}
