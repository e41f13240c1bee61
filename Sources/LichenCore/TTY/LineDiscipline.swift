// The Linux terminal line discipline (n_tty), sans-IO: bytes from the device go in through
// `receive`, what to echo and which signals to raise come back as effects, and readers take
// lines (canonical mode) or bytes (raw mode) out. The kernel's TTY driver wires it to a UART,
// wait queues and process groups; the host tests drive it directly.

public struct LineDiscipline: Sendable {
    /// SIGINT, SIGQUIT, SIGTSTP; and SIGWINCH, which the driver raises when the window size changes.
    public enum Signal: Equatable, Sendable { case interrupt, quit, suspend, windowChange }

    /// What one received byte caused.
    public struct Effects: Equatable, Sendable {
        /// Bytes to send back to the terminal (echo), already output-processed.
        public var echo: [UInt8] = []
        /// A signal for the foreground process group.
        public var signal: Signal? = nil
        /// Readers may now make progress (a line completed, raw bytes arrived, EOF).
        public var readable = false
        /// Output stopped (STOP) or started again (START, IXANY, a signal character).
        public var flow: FlowChange? = nil
        /// A character for the device's transmitter, sent ahead of any output: the STOP of IXOFF
        /// when the input buffer is nearly full.
        public var transmit: UInt8? = nil
        public init() {}
    }

    public enum FlowChange: Equatable, Sendable { case stopped, started }

    public enum ReadResult: Equatable, Sendable {
        case data([UInt8])
        /// ^D on an empty line: read returns 0.
        case endOfFile
        /// Nothing to return yet (the caller sleeps, or returns EAGAIN for O_NONBLOCK).
        case wouldBlock
    }

    public var settings: TerminalSettings
    /// The line being edited (canonical mode).
    private var editing: [UInt8] = []
    /// Completed input: whole lines in canonical mode (an EOF mark is a `nil`), bytes in raw mode.
    private var ready: [UInt8?] = []
    private var literalNext = false
    /// Output flow control: while output is stopped, echo waits here (Linux holds echoes in the
    /// same way until output starts again).
    public private(set) var flow = OutputFlow()
    private var heldEcho: [UInt8] = []
    /// Bytes kept at most, like Linux's 4 KiB N_TTY_BUF_SIZE: further input is dropped.
    public static let capacity = 4096
    /// Input throttling (n_tty's TTY_THRESHOLD_THROTTLE and _UNTHROTTLE): throttled when fewer than
    /// this many bytes of room are left, unthrottled once a read leaves at most this many queued.
    public static let throttleThreshold = 128
    /// Whether the device can ask its sender to pause (a serial line: with IXOFF it sends STOP, then
    /// START). Ptys never throttle, as on Linux: a full slave input holds the master's writer back.
    public var throttles = false
    /// Throttled and not yet unthrottled by a read.
    public private(set) var throttled = false

    public init(settings: TerminalSettings = .linuxDefault) { self.settings = settings }

    /// Bytes a read could take now (FIONREAD). In canonical mode `ready` only ever holds whole lines.
    public var availableCount: Int { ready.reduce(0) { $0 + ($1 == nil ? 0 : 1) } }

    /// Whether a read would return now (data or end of file) rather than block: poll's POLLIN. In raw
    /// mode with VMIN > 0 and VTIME == 0 that takes VMIN bytes, as in Linux's n_tty_poll.
    public var isReadable: Bool {
        if settings.isCanonical || readTimeout != 0 || minimumCount == 0 { return !ready.isEmpty }
        return ready.count >= minimumCount
    }

    public mutating func receive(_ input: UInt8) -> Effects {
        var effects = Effects()
        process(input, &effects)
        effects.transmit = throttleIfNearlyFull()
        if flow.stopped {
            heldEcho += effects.echo.prefix(max(0, LineDiscipline.capacity - heldEcho.count))
            effects.echo = []
        } else if !heldEcho.isEmpty {
            effects.echo = heldEcho + effects.echo
            heldEcho = []
        }
        return effects
    }

    private mutating func process(_ input: UInt8, _ effects: inout Effects) {
        var c = input
        if settings.has(input: TerminalSettings.ISTRIP) { c &= 0x7f }
        if literalNext {
            literalNext = false
            store(c, &effects)
            return
        }
        // IXON: START and STOP control output and are not input (a zero character is disabled).
        if settings.has(input: TerminalSettings.IXON), c != 0 {
            if c == settings.character(TerminalSettings.VSTART) {
                if flow.start() { effects.flow = .started }
                return
            }
            if c == settings.character(TerminalSettings.VSTOP) {
                if flow.stop() { effects.flow = .stopped }
                return
            }
        }
        if c == 13 {
            if settings.has(input: TerminalSettings.IGNCR) { return }
            if settings.has(input: TerminalSettings.ICRNL) { c = 10 }
        } else if c == 10 && settings.has(input: TerminalSettings.INLCR) {
            c = 13
        }
        if settings.has(local: TerminalSettings.ISIG), c != 0 {
            let signal: Signal? = c == settings.character(TerminalSettings.VINTR) ? .interrupt
                : c == settings.character(TerminalSettings.VQUIT) ? .quit
                : c == settings.character(TerminalSettings.VSUSP) ? .suspend : nil
            if let signal {
                if !settings.has(local: TerminalSettings.NOFLSH) { editing = []; ready = []; heldEcho = [] }
                if settings.has(input: TerminalSettings.IXON), flow.start() { effects.flow = .started }
                echoControl(c, &effects)
                effects.signal = signal
                return
            }
        }
        // IXANY: any other character starts output stopped by STOP.
        if settings.has(input: TerminalSettings.IXON) && settings.has(input: TerminalSettings.IXANY), flow.start() {
            effects.flow = .started
        }
        guard settings.isCanonical else {
            store(c, &effects)
            return
        }
        if settings.has(local: TerminalSettings.IEXTEN), c != 0, c == settings.character(TerminalSettings.VLNEXT) {
            literalNext = true
            return
        }
        if c != 0 && c == settings.character(TerminalSettings.VERASE) {
            erase(1, &effects)
        } else if c != 0 && c == settings.character(TerminalSettings.VWERASE) && settings.has(local: TerminalSettings.IEXTEN) {
            erase(wordLength(), &effects)
        } else if c != 0 && c == settings.character(TerminalSettings.VKILL) {
            erase(editing.count, &effects)
        } else if c != 0 && c == settings.character(TerminalSettings.VEOF) {
            ready += editing.map { Optional($0) }
            ready.append(nil)
            editing = []
            effects.readable = true
        } else if c == 10 || isEndOfLine(c) {
            if settings.has(local: TerminalSettings.ECHO) || (c == 10 && settings.has(local: TerminalSettings.ECHONL)) {
                effects.echo += output(c)
            }
            guard ready.count + editing.count < LineDiscipline.capacity else { return }
            ready += editing.map { Optional($0) }
            ready.append(c)
            editing = []
            effects.readable = true
        } else {
            guard ready.count + editing.count < LineDiscipline.capacity - 1 else { return }   // room for the newline
            editing.append(c)
            echo(c, &effects)
        }
    }

    /// Takes at most `count` bytes: in canonical mode never more than one line. In raw mode nothing
    /// (`wouldBlock`) until `minimum` bytes are waiting; a `minimum` of 0 returns what there is, maybe
    /// nothing (the driver derives it from VMIN and VTIME).
    public mutating func read(_ count: Int, minimum: Int = 1) -> ReadResult {
        guard count > 0 else { return .data([]) }
        if settings.isCanonical {
            guard !ready.isEmpty else { return .wouldBlock }
            // One line (or up to an EOF mark), removed from the queue in one step.
            var n = 0
            var out: [UInt8] = []
            while out.count < count && n < ready.count {
                guard let byte = ready[n] else {
                    if out.isEmpty { ready.removeFirst(); return .endOfFile }
                    n += 1                               // the EOF ends this read; no byte for it
                    break
                }
                n += 1
                out.append(byte)
                if byte == 10 || isEndOfLine(byte) { break }
            }
            ready.removeFirst(n)
            return .data(out)
        }
        guard ready.count >= minimum else { return .wouldBlock }
        let n = min(count, ready.count)
        let out = ready[..<n].compactMap { $0 }
        ready.removeFirst(n)
        return .data(out)
    }

    /// n_tty_check_throttle: once the room left drops under the threshold, throttle; with IXOFF that
    /// sends STOP. A canonical buffer with no whole line has no reader to make room, so it does not
    /// throttle (input beyond the capacity is dropped instead).
    private mutating func throttleIfNearlyFull() -> UInt8? {
        guard throttles, !throttled else { return nil }
        if settings.isCanonical && ready.isEmpty { return nil }     // canonical `ready` holds whole lines
        guard LineDiscipline.capacity - (ready.count + editing.count) < LineDiscipline.throttleThreshold else { return nil }
        throttled = true
        return ixoffCharacter(TerminalSettings.VSTOP)
    }

    /// After a read (n_tty_check_unthrottle): once at most the threshold is queued, unthrottle; with
    /// IXOFF the START character goes to the sender. The driver transmits what this returns.
    public mutating func unthrottleIfDrained() -> UInt8? {
        guard throttled, ready.count + editing.count <= LineDiscipline.throttleThreshold else { return nil }
        throttled = false
        return ixoffCharacter(TerminalSettings.VSTART)
    }

    private func ixoffCharacter(_ index: Int) -> UInt8? {
        let c = settings.character(index)
        return settings.has(input: TerminalSettings.IXOFF) && c != 0 ? c : nil
    }

    /// VMIN and VTIME (deciseconds), which only raw-mode reads obey.
    public var minimumCount: Int { Int(settings.character(TerminalSettings.VMIN)) }
    public var readTimeout: Int { Int(settings.character(TerminalSettings.VTIME)) }

    /// No room for more input while a reader can still make room: the driver stops taking bytes
    /// (and holds the sender back) instead of dropping them. A canonical line that fills the whole
    /// buffer has no reader to wait for, so input then flows on and is dropped, except the newline
    /// that ends the line (Linux's n_tty does the same).
    public var isFull: Bool {
        ready.count + editing.count >= LineDiscipline.capacity - 1 && !ready.isEmpty
    }

    /// Output processing (OPOST): ONLCR turns "\n" into "\r\n", OCRNL "\r" into "\n".
    public func output(_ bytes: [UInt8]) -> [UInt8] {
        guard settings.has(output: TerminalSettings.OPOST) else { return bytes }
        var out: [UInt8] = []
        out.reserveCapacity(bytes.count)
        for b in bytes { out += output(b) }
        return out
    }

    /// Switching from canonical to raw mode makes the half-edited line readable, as Linux does;
    /// turning IXON off starts output stopped by STOP (n_tty_set_termios). Returns a flow change.
    @discardableResult
    public mutating func update(_ newSettings: TerminalSettings) -> FlowChange? {
        if settings.isCanonical && !newSettings.isCanonical {
            ready = ready.filter { $0 != nil } + editing.map { Optional($0) }
            editing = []
        }
        let ixonOff = settings.has(input: TerminalSettings.IXON) && !newSettings.has(input: TerminalSettings.IXON)
        settings = newSettings
        return ixonOff && flow.start() ? .started : nil
    }

    /// TCFLSH input, or a signal's flush (held echo goes too, as Linux's reset of the echo buffer).
    public mutating func flushInput() { editing = []; ready = []; literalNext = false; heldEcho = [] }

    /// tcflow(TCOOFF) and tcflow(TCOON): a flow change, if any.
    public mutating func stopOutputByUser() -> FlowChange? { flow.userStop() ? .stopped : nil }
    public mutating func startOutputByUser() -> FlowChange? { flow.userStart() ? .started : nil }

    /// Echo held while output was stopped, once output runs again (after `update` or TCOON).
    public mutating func takeReleasedEcho() -> [UInt8] {
        guard !flow.stopped && !heldEcho.isEmpty else { return [] }
        defer { heldEcho = [] }
        return heldEcho
    }

    // MARK: - Helpers

    private func isEndOfLine(_ c: UInt8) -> Bool {
        c != 0 && (c == settings.character(TerminalSettings.VEOL) || c == settings.character(TerminalSettings.VEOL2))
    }

    private func output(_ c: UInt8) -> [UInt8] {
        guard settings.has(output: TerminalSettings.OPOST) else { return [c] }
        if c == 10 && settings.has(output: TerminalSettings.ONLCR) { return [13, 10] }
        if c == 13 && settings.has(output: TerminalSettings.OCRNL) { return [10] }
        return [c]
    }

    private mutating func store(_ c: UInt8, _ effects: inout Effects) {
        guard ready.count < LineDiscipline.capacity else { return }
        if settings.isCanonical { editing.append(c) } else { ready.append(c); effects.readable = true }
        echo(c, &effects)
    }

    private func echo(_ c: UInt8, _ effects: inout Effects) {
        guard settings.has(local: TerminalSettings.ECHO) else { return }
        if c < 32 && c != 9 && c != 10 && settings.has(local: TerminalSettings.ECHOCTL) {
            effects.echo += [94, c + 64]                  // ^X
        } else if c == 127 && settings.has(local: TerminalSettings.ECHOCTL) {
            effects.echo += [94, 63]                      // ^?
        } else {
            effects.echo += output(c)
        }
    }

    private func echoControl(_ c: UInt8, _ effects: inout Effects) {
        guard settings.has(local: TerminalSettings.ECHO) else { return }
        echo(c, &effects)
    }

    /// Rubs out the last `count` characters of the line being edited (a control character echoed as
    /// ^X takes two columns).
    private mutating func erase(_ count: Int, _ effects: inout Effects) {
        for _ in 0..<min(count, editing.count) {
            let c = editing.removeLast()
            guard settings.has(local: TerminalSettings.ECHO) && settings.has(local: TerminalSettings.ECHOE) else { continue }
            let width = (c < 32 || c == 127) && settings.has(local: TerminalSettings.ECHOCTL) ? 2 : 1
            for _ in 0..<width { effects.echo += [8, 32, 8] }
        }
    }

    /// Characters the word-erase removes: trailing blanks, then the word before them.
    private func wordLength() -> Int {
        var n = 0
        var i = editing.count - 1
        while i >= 0 && (editing[i] == 32 || editing[i] == 9) { n += 1; i -= 1 }
        while i >= 0 && editing[i] != 32 && editing[i] != 9 { n += 1; i -= 1 }
        return n
    }
}
