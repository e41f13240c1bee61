import LichenCore
import _Concurrency

/// The console terminal (/dev/console, /dev/ttyAMA0, /dev/tty): the PL011 through LichenCore's
/// line discipline. Input: the UART interrupt only queues bytes (ConsoleInput, no allocation); a
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
        var windowRows: UInt16 = 24
        var windowColumns: UInt16 = 80
    }

    /// Called when ^C, ^\ or ^Z arrive: the process layer signals the foreground group.
    nonisolated(unsafe) static var signalForeground: (Int32, LineDiscipline.Signal) -> Void = { _, _ in }

    static func register(in registry: DeviceRegistry) throws(Errno) {
        try registry.register(.character, .console, shared)
        try registry.register(.character, .ttyAMA0, shared)
        try registry.register(.character, .tty, shared)
        Task { await shared.feedInput() }
    }

    var usesPosition: Bool { false }

    private func feedInput() async {
        while true {
            let byte = await ConsoleInput.next()
            let effects = discipline.update { $0.receive(byte) }
            if !effects.echo.isEmpty { emit(effects.echo) }
            if let signal = effects.signal {
                let group = state.withLock { $0.foregroundGroup }
                ConsoleTTY.signalForeground(group, signal)
            }
        }
    }

    private func emit(_ bytes: [UInt8]) {
        guard let console = KernelLog.console else { return }
        for b in bytes { console.write(b) }
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        guard buffer.count > 0 else { return 0 }
        let count = buffer.count
        let take: (inout LineDiscipline) -> LineDiscipline.ReadResult? = { ld in
            let r = ld.read(count)
            if case .wouldBlock = r { return nil }
            return r
        }
        let result: LineDiscipline.ReadResult
        if file.isNonBlocking {
            guard let r = discipline.update(take) else { throw .EAGAIN }
            result = r
        } else {
            do { result = try await discipline.wait(for: take) } catch { throw .EINTR }
        }
        switch result {
        case .data(let bytes):
            buffer.copyBytes(from: bytes)
            return bytes.count
        case .endOfFile, .wouldBlock:
            return 0
        }
    }

    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        let processed = discipline.value.output(Array(buffer))
        emit(processed)
        return buffer.count
    }

    // MARK: termios and job control (the syscall layer copies the structures in and out)

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

    func setWindowSize(_ w: LinuxWinsize) {
        state.withLock { $0.windowRows = w.ws_row; $0.windowColumns = w.ws_col }
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
