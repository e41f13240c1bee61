// Output flow control of one terminal (Linux's tty->flow): output stops on the STOP character
// (^S, with IXON) or on tcflow(TCOOFF), and writers then wait. A stop by tcflow is lifted only by
// TCOON; START (^Q), IXANY and the signal characters lift only a stop by character.

public struct OutputFlow: Equatable, Sendable {
    /// No output goes out (Linux's flow.stopped).
    public private(set) var stopped = false
    /// tcflow(TCOOFF) stopped it (flow.tco_stopped).
    public private(set) var stoppedByUser = false

    public init() {}

    /// STOP (stop_tty): whether output was running until now.
    public mutating func stop() -> Bool {
        guard !stopped else { return false }
        stopped = true
        return true
    }

    /// START, IXANY, a signal character (start_tty): whether output was stopped by a character and
    /// now runs.
    public mutating func start() -> Bool {
        guard stopped && !stoppedByUser else { return false }
        stopped = false
        return true
    }

    /// TCOOFF: whether output was running until now.
    public mutating func userStop() -> Bool {
        guard !stoppedByUser else { return false }
        stoppedByUser = true
        return stop()
    }

    /// TCOON: whether output now runs (it lifts a character stop too, as Linux's __start_tty).
    public mutating func userStart() -> Bool {
        guard stoppedByUser else { return false }
        stoppedByUser = false
        return start()
    }
}
