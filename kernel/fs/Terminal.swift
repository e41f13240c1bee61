import LichenCore
import _Concurrency

/// What the console and a pty slave share: the line discipline behind one lock (LichenCore's
/// TerminalCore, whose pty part the master uses), the reads that obey canonical mode, VMIN and
/// VTIME, termios, the window size, and job control (the session whose controlling terminal this
/// is, its foreground process group, the signals control characters raise). Subclasses say where
/// output and echo go (no async method is overridden: Embedded Swift's vtables cannot hold one
/// the base class does not use); TerminalIoctls.swift decodes the requests.
class Terminal: @unchecked Sendable {
    let core: Event<TerminalCore>
    let control = SpinLock(Control())

    struct Control {
        /// The foreground process group, and the session whose controlling terminal this is (0: none).
        var foregroundGroup: Int32 = 0
        var session: Int32 = 0
        /// 0x0 until someone sets it, as Linux gives a serial line or a new pty.
        var window = LinuxWinsize()
    }

    /// A serial line that can ask its sender to pause (IXOFF); ptys cannot, as on Linux.
    let throttlesInput: Bool

    init(settings: TerminalSettings, throttlesInput: Bool = false) {
        var c = TerminalCore(settings: settings)
        c.discipline.throttles = throttlesInput
        core = Event(c)
        self.throttlesInput = throttlesInput
    }

    /// A pty slave: its TCSETS and TCFLSH also serve the master's packet mode.
    var isPtySlave: Bool { false }

    /// Sends already output-processed echo to the terminal's output.
    func echo(_ bytes: [UInt8]) {}

    /// Sends one character to the other end as is, even while output is stopped (tcflow's
    /// TCIOFF/TCION, Linux's tty_send_xchar).
    func transmitCharacter(_ c: UInt8) {}

    /// Sends `signal` to process group `group` (^C, ^\, ^Z, a window change, a hang-up).
    func raise(_ signal: LineDiscipline.Signal, group: Int32) {
        guard group > 0 else { return }
        let s: Signal = signal == .interrupt ? .SIGINT : signal == .quit ? .SIGQUIT : signal == .suspend ? .SIGTSTP : .SIGWINCH
        Task { ProcessSignals.send(s, toGroup: group) }
    }

    func raiseInForeground(_ signal: LineDiscipline.Signal) {
        raise(signal, group: control.withLock { $0.foregroundGroup })
    }

    // MARK: Reading

    /// A read of the terminal's input. A hung-up terminal reads 0 (Linux's hung_up_tty_read).
    func readInput(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer) async throws(Errno) -> Int {
        try checkBackground(.SIGTTIN)
        guard buffer.count > 0 else { return 0 }
        let result = try await readDiscipline(buffer.count, nonBlocking: file.isNonBlocking)
        if throttlesInput, let c = core.tryUpdate(reporting: [], { $0.discipline.unthrottleIfDrained() }) {
            transmitCharacter(c)                     // IXOFF: START once the reader made room
        }
        // A reader that took input may have made room a writer (the input task, the master) waits for.
        core.waitQueue.wakeAll()
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
        let settings = core.value.discipline
        let canonical = settings.settings.isCanonical
        let vmin = canonical ? 1 : min(settings.minimumCount, count)
        let vtime = canonical ? 0 : settings.readTimeout
        func take(_ minimum: Int) -> (inout TerminalCore) -> LineDiscipline.ReadResult? {
            { c in
                let r = c.discipline.read(count, minimum: minimum)
                if case .wouldBlock = r { return c.hungUp ? .endOfFile : nil }
                return r
            }
        }
        if nonBlocking || (vmin == 0 && vtime == 0) {
            if let r = core.update(take(vmin == 0 && vtime == 0 ? 0 : 1)) { return r }
            if vmin == 0 && vtime == 0 { return .data([]) }
            throw .EAGAIN
        }
        do throws(WaitError) {
            if vtime == 0 { return try await core.wait(for: take(vmin)) }
            let interval = UInt64(vtime) * 100_000_000
            if vmin > 0 {
                // The timer runs once input has started (simplified: from the first byte, not per byte).
                try await core.wait(until: { $0.discipline.availableCount > 0 || $0.hungUp })
            }
            do throws(WaitError) {
                return try await core.wait(for: take(max(vmin, 1)), timeout: .after(nanoseconds: interval))
            } catch {
                guard error == .timedOut else { throw error }
                return core.update(take(0)) ?? .data([])
            }
        } catch { throw .EINTR }
    }

    // MARK: termios

    var termios: LinuxTermios { Terminal.termios(of: core.value.discipline.settings) }

    static func termios(of s: TerminalSettings) -> LinuxTermios {
        var t = LinuxTermios()
        t.c_iflag = s.inputFlags; t.c_oflag = s.outputFlags; t.c_cflag = s.controlFlags; t.c_lflag = s.localFlags
        t.c_line = s.line
        for i in 0..<TerminalSettings.controlCharacterCount { t.setCC(i, s.controlCharacters[i]) }
        return t
    }

    static func settings(_ t: LinuxTermios) -> TerminalSettings {
        var cc: [UInt8] = []
        for i in 0..<TerminalSettings.controlCharacterCount { cc.append(t.cc(i)) }
        return TerminalSettings(inputFlags: t.c_iflag, outputFlags: t.c_oflag, controlFlags: t.c_cflag,
                                localFlags: t.c_lflag, controlCharacters: cc)
    }

    /// TCSETS/TCSETSW/TCSETSF (flush input for the last).
    func setTermios(_ t: LinuxTermios, flushInput: Bool) {
        let settings = Terminal.settings(t)
        let pty = isPtySlave
        let released = core.update { (c: inout TerminalCore) -> [UInt8] in
            if pty { c.setPtySlaveSettings(settings, flushInput: flushInput); return [] }   // echo went to the master
            if flushInput { c.discipline.flushInput() }
            c.discipline.update(settings)
            return c.discipline.takeReleasedEcho()
        }
        if !released.isEmpty { echo(released) }
    }

    /// TCXONC (tcflow): suspend or restart output, or send the STOP or START character.
    func flowControl(_ action: UInt64) throws(Errno) {
        switch action {
        case LinuxIoctl.TCOOFF, LinuxIoctl.TCOON:
            let pty = isPtySlave
            let released = core.update { (c: inout TerminalCore) -> [UInt8] in
                let echo = c.userFlow(stop: action == LinuxIoctl.TCOOFF)
                return pty ? [] : echo                         // a pty's echo went to the master
            }
            if !released.isEmpty { echo(released) }
        case LinuxIoctl.TCIOFF, LinuxIoctl.TCION:
            let c = core.value.discipline.settings.character(action == LinuxIoctl.TCIOFF ? TerminalSettings.VSTOP : TerminalSettings.VSTART)
            if c != 0 { transmitCharacter(c) }
        default: throw .EINVAL
        }
    }

    // MARK: Window size and job control

    var windowSize: LinuxWinsize { control.withLock { $0.window } }

    /// TIOCSWINSZ: a change sends SIGWINCH to the foreground group (Linux's tty_do_resize).
    func setWindowSize(_ w: LinuxWinsize) {
        let (changed, group) = control.withLock { s in
            let changed = s.window != w
            s.window = w
            return (changed, s.foregroundGroup)
        }
        if changed { raise(.windowChange, group: group) }
    }

    var foregroundGroup: Int32 {
        get { control.withLock { $0.foregroundGroup } }
        set { control.withLock { $0.foregroundGroup = newValue } }
    }

    var session: Int32 {
        get { control.withLock { $0.session } }
        set { control.withLock { $0.session = newValue } }
    }

    var bytesAvailable: Int { core.value.discipline.availableCount }

    /// Makes this the controlling terminal of session `sid` (whose leader opened it or asked with
    /// TIOCSCTTY), its process group `pgid` in the foreground. False if another session has it.
    func acquire(session sid: Int32, group pgid: Int32, steal: Bool = false) -> Bool {
        control.withLock { s in
            guard s.session == 0 || s.session == sid || steal else { return false }
            s.session = sid
            s.foregroundGroup = pgid
            return true
        }
    }

    /// An open without O_NOCTTY, for reading, by a session leader without a controlling terminal
    /// makes this its controlling terminal if no session has it (Linux's tty_open_proc_set_tty).
    func openedBy(_ pid: Int32, flags: OpenFlags) {
        guard !flags.contains(.O_NOCTTY), flags.allowsRead else { return }
        let ids = Processes.withTable { t in (t.record(pid)?.sid ?? 0, t.record(pid)?.pgid ?? 0) }
        guard ids.0 == pid, Terminals.controlling(session: ids.0) == nil else { return }
        _ = acquire(session: ids.0, group: ids.1)
    }

    /// TIOCNOTTY by a session leader: the session loses its terminal.
    func release(session sid: Int32) {
        control.withLock { s in
            if s.session == sid { s.session = 0; s.foregroundGroup = 0 }
        }
    }

    /// The session leader exited (Linux's disassociate_ctty): SIGHUP to the foreground group and
    /// the terminal belongs to no session any more.
    func sessionEnded(_ sid: Int32) {
        let group: Int32? = control.withLock { s in
            guard s.session == sid else { return nil }
            let g = s.foregroundGroup
            s.session = 0; s.foregroundGroup = 0
            return g
        }
        if let group, group > 0 { Task { ProcessSignals.send(.SIGHUP, toGroup: group) } }
    }

    /// The terminal hangs up (a pty's master closed, Linux's __tty_hangup): the session leader gets
    /// SIGHUP and SIGCONT, and the session loses its controlling terminal.
    func hangUpSession() {
        let sid = control.withLock { s in
            let sid = s.session
            s.session = 0; s.foregroundGroup = 0
            return sid
        }
        guard sid > 0, let leader = Processes.process(sid) else { return }
        Task {
            ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGHUP.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: leader)
            ProcessSignals.send(LinuxSigInfo.kill(signo: Signal.SIGCONT.number, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0), to: leader)
        }
    }
}

/// Every terminal that can be a controlling terminal: the console and the live pty slaves.
enum Terminals {
    static func all() -> [Terminal] { [ConsoleTTY.shared] + PtyPairs.liveSlaves() }

    /// The controlling terminal of session `sid` (/dev/tty opens it).
    static func controlling(session sid: Int32) -> Terminal? {
        guard sid != 0 else { return nil }
        return all().first { $0.session == sid }
    }

    /// A session leader exited: its controlling terminal, if any, is given up.
    static func sessionLeaderExited(_ sid: Int32) {
        for t in all() where t.session == sid { t.sessionEnded(sid) }
    }
}
