import LichenCore
import _Concurrency

/// The console driver's own terminal device: its Linux name and number (the PL011's: ttyAMA0).
struct ConsoleLine {
    let name: StaticString
    let number: DeviceNumber
}

/// The console terminal (/dev/console, /dev/tty, and the console driver's line: /dev/ttyAMA0 for the
/// PL011) through LichenCore's line discipline. Input: the UART interrupt only queues bytes (ConsoleInput, no allocation); a
/// kernel task feeds them to the line discipline, echoes, and wakes readers. Output is written
/// synchronously to the UART with output processing.
final class ConsoleTTY: FileOperations, @unchecked Sendable {
    static let shared = ConsoleTTY()

    let discipline = Event(LineDiscipline())
    private let state = SpinLock(TerminalState())

    struct TerminalState {
        /// The foreground process group, and the session whose controlling terminal this is (0: none).
        var foregroundGroup: Int32 = 0
        var session: Int32 = 0
        /// 0x0 until someone sets it, as Linux gives a serial line (programs then ask the terminal).
        var windowRows: UInt16 = 0
        var windowColumns: UInt16 = 0
    }

    /// Called when ^C, ^\ or ^Z arrive: the process layer signals the foreground group.
    nonisolated(unsafe) static var signalForeground: (Int32, LineDiscipline.Signal) -> Void = { _, _ in }

    /// Set by the console driver when it binds (nil: no console, no line of its own).
    nonisolated(unsafe) static var line: ConsoleLine? = nil

    /// The /dev node of the console's line, for devtmpfs.
    static var devfsNodes: [Devfs.Node] {
        guard let line else { return [] }
        return [Devfs.Node(name: Array(UnsafeBufferPointer(start: line.name.utf8Start, count: line.name.utf8CodeUnitCount)),
                           number: line.number, mode: 0o600)]
    }

    static func register(in registry: DeviceRegistry) throws(Errno) {
        try registry.register(.character, .console, shared)
        if let line { try registry.register(.character, line.number, shared) }
        try registry.register(.character, .tty, shared)
        Task { await shared.feedInput() }
    }

    var usesPosition: Bool { false }

    /// Runs received bytes through the line discipline. When it is full and a reader can make room,
    /// waits for that instead of dropping input; ConsoleInput then fills up and holds the UART back.
    private func feedInput() async {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(256)
        while true {
            bytes.removeAll(keepingCapacity: true)
            ConsoleInput.take(into: &bytes, max: 256)
            if bytes.isEmpty {
                await ConsoleInput.waitForInput()
                continue
            }
            for byte in bytes {
                if discipline.value.isFull {
                    try? await discipline.wait(until: { !$0.isFull })
                }
                let effects = discipline.update { $0.receive(byte) }
                if !effects.echo.isEmpty { emit(effects.echo) }
                if let signal = effects.signal {
                    let group = state.withLock { $0.foregroundGroup }
                    ConsoleTTY.signalForeground(group, signal)
                }
            }
        }
    }

    private func emit(_ bytes: [UInt8]) {
        guard let console = KernelLog.console else { return }
        for b in bytes { console.write(b) }
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard buffer.count > 0 else { return 0 }
        let result = try await readDiscipline(buffer.count, nonBlocking: file.isNonBlocking)
        // A reader that took input may have made room the input task waits for.
        discipline.waitQueue.wakeAll()
        switch result {
        case .data(let bytes):
            buffer.copyBytes(from: bytes)
            return bytes.count
        case .endOfFile, .wouldBlock:
            return 0
        }
    }

    /// Canonical mode: a line. Raw mode: VMIN and VTIME as in Linux's n_tty_read: MIN bytes (at most
    /// the request); with TIME as well, at least one byte and then MIN or TIME tenths of a second
    /// of silence, whichever comes first; TIME alone: one byte or the timeout (read returns 0).
    private func readDiscipline(_ count: Int, nonBlocking: Bool) async throws(Errno) -> LineDiscipline.ReadResult {
        let settings = discipline.value
        let canonical = settings.settings.isCanonical
        let vmin = canonical ? 1 : min(settings.minimumCount, count)
        let vtime = canonical ? 0 : settings.readTimeout
        func take(_ minimum: Int) -> (inout LineDiscipline) -> LineDiscipline.ReadResult? {
            { ld in
                let r = ld.read(count, minimum: minimum)
                if case .wouldBlock = r { return nil }
                return r
            }
        }
        if nonBlocking || (vmin == 0 && vtime == 0) {
            if let r = discipline.update(take(vmin == 0 && vtime == 0 ? 0 : 1)) { return r }
            if vmin == 0 && vtime == 0 { return .data([]) }
            throw .EAGAIN
        }
        do throws(WaitError) {
            if vtime == 0 { return try await discipline.wait(for: take(vmin)) }
            let interval = UInt64(vtime) * 100_000_000
            if vmin > 0 {
                // The timer runs once input has started (simplified: from the first byte, not per byte).
                try await discipline.wait(until: { $0.availableCount > 0 })
            }
            do throws(WaitError) {
                return try await discipline.wait(for: take(max(vmin, 1)), timeout: .after(nanoseconds: interval))
            } catch {
                guard error == .timedOut else { throw error }
                return discipline.update(take(0)) ?? .data([])
            }
        } catch { throw .EINTR }
    }

    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let processed = discipline.value.output(Array(buffer))
        emit(processed)
        return buffer.count
    }

    // MARK: termios and job control (TerminalIoctls.swift decodes the requests)

    var termios: LinuxTermios {
        let s = discipline.value.settings
        var t = LinuxTermios()
        t.c_iflag = s.inputFlags; t.c_oflag = s.outputFlags; t.c_cflag = s.controlFlags; t.c_lflag = s.localFlags
        t.c_line = s.line
        for i in 0..<TerminalSettings.controlCharacterCount { t.setCC(i, s.controlCharacters[i]) }
        return t
    }

    /// TCSETS/TCSETSW/TCSETSF (flush input for the last).
    func setTermios(_ t: LinuxTermios, flushInput: Bool) {
        var cc: [UInt8] = []
        for i in 0..<TerminalSettings.controlCharacterCount { cc.append(t.cc(i)) }
        let settings = TerminalSettings(inputFlags: t.c_iflag, outputFlags: t.c_oflag, controlFlags: t.c_cflag,
                                        localFlags: t.c_lflag, controlCharacters: cc)
        discipline.update { ld in
            if flushInput { ld.flushInput() }
            ld.update(settings)
        }
    }

    var windowSize: LinuxWinsize {
        let s = state.withLock { $0 }
        var w = LinuxWinsize()
        w.ws_row = s.windowRows
        w.ws_col = s.windowColumns
        return w
    }

    /// TIOCSWINSZ: a change sends SIGWINCH to the foreground group (Linux's tty_do_resize).
    func setWindowSize(_ w: LinuxWinsize) {
        let (changed, group) = state.withLock { s in
            let changed = s.windowRows != w.ws_row || s.windowColumns != w.ws_col
            s.windowRows = w.ws_row; s.windowColumns = w.ws_col
            return (changed, s.foregroundGroup)
        }
        if changed && group > 0 { ConsoleTTY.signalForeground(group, .windowChange) }
    }

    /// TCFLSH with TCIFLUSH or TCIOFLUSH: drops typed-ahead input (output is never queued).
    func flushInput() {
        discipline.update { $0.flushInput() }
    }

    var foregroundGroup: Int32 {
        get { state.withLock { $0.foregroundGroup } }
        set { state.withLock { $0.foregroundGroup = newValue } }
    }

    var session: Int32 {
        get { state.withLock { $0.session } }
        set { state.withLock { $0.session = newValue } }
    }

    var bytesAvailable: Int { discipline.value.availableCount }

    /// Makes this the controlling terminal of session `sid` (whose leader opened it or asked with
    /// TIOCSCTTY), its process group `pgid` in the foreground. False if another session has it.
    func acquire(session sid: Int32, group pgid: Int32, steal: Bool = false) -> Bool {
        state.withLock { s in
            guard s.session == 0 || s.session == sid || steal else { return false }
            s.session = sid
            s.foregroundGroup = pgid
            return true
        }
    }

    /// TIOCNOTTY by a session leader, or its exit: the session loses its terminal.
    func release(session sid: Int32) {
        state.withLock { s in
            if s.session == sid { s.session = 0; s.foregroundGroup = 0 }
        }
    }

    // MARK: poll: readable when a line (or EOF) is ready; output never blocks

    func poll(_ file: OpenFile) -> PollEvents {
        discipline.value.isReadable ? [.readable, .writable] : .writable
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { discipline.waitQueue }
}
