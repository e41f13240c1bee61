// What one terminal's lock guards, sans-IO: the line discipline that input goes through and, for a
// pseudo-terminal, the master's side of the pair (the slave's processed output waiting for master
// reads, packet mode, which ends are open). The console uses the discipline alone; a pty pair
// shares one TerminalCore between its two ends. The kernel wraps it in an Event (one lock, one
// wait queue for both ends); the host tests drive it directly.

public struct TerminalCore: Sendable {
    public var discipline: LineDiscipline
    /// The slave's output after output processing, oldest first: what master reads return.
    private var output: [UInt8] = []
    /// Linux queues a pty's output in the master's N_TTY buffer (4 KiB) behind the tty flip
    /// buffers (TTYB_DEFAULT_MEM_LIMIT, 64 KiB): a slave writer sleeps beyond both.
    public static let outputCapacity = LineDiscipline.capacity + 65536

    /// TIOCPKT on the master: reads start with a status byte (0: data follows).
    public private(set) var packetMode = false
    /// Pending TIOCPKT_* status bits (Linux's pktstatus of the slave).
    public private(set) var packetStatus: UInt8 = 0
    /// The master was closed: the slave is hung up (reads 0, writes EIO, poll says POLLHUP).
    public private(set) var hungUp = false
    /// Open descriptions of the slave; `slaveClosed` once the last one went (Linux's TTY_OTHER_CLOSED
    /// on the master), cleared when the slave is opened again.
    public private(set) var slaveOpens = 0
    public private(set) var slaveClosed = false
    /// TIOCSPTLCK: a new pair's slave cannot be opened (EIO) until unlockpt.
    public var locked = true

    public static let TIOCPKT_DATA: UInt8 = 0, TIOCPKT_FLUSHREAD: UInt8 = 1, TIOCPKT_FLUSHWRITE: UInt8 = 2
    public static let TIOCPKT_STOP: UInt8 = 4, TIOCPKT_START: UInt8 = 8
    public static let TIOCPKT_NOSTOP: UInt8 = 0x10, TIOCPKT_DOSTOP: UInt8 = 0x20
    /// The master's own flow (tcflow on the master): stopped, its writes (the slave's input) wait.
    public private(set) var masterFlow = OutputFlow()
    /// The START and STOP characters of a master, whose own termios stays Linux's default.
    public static let masterStart: UInt8 = 17, masterStop: UInt8 = 19

    public init(settings: TerminalSettings = .linuxDefault) { discipline = LineDiscipline(settings: settings) }

    /// A pty slave's first settings: Linux's tty_std_termios without HUPCL (pts_driver->init_termios).
    public static var ptySlaveSettings: TerminalSettings {
        var s = TerminalSettings.linuxDefault
        s.controlFlags = TerminalSettings.B38400 | TerminalSettings.CS8 | TerminalSettings.CREAD
        return s
    }

    // MARK: - Master writes: the slave's input

    /// Feeds master-written bytes to the slave's discipline until it is full: how many it took,
    /// and the signals the control characters raise (echo goes to the master's queue).
    public mutating func masterWrite(_ bytes: UnsafeRawBufferPointer) -> (count: Int, signals: [LineDiscipline.Signal]) {
        guard !masterFlow.stopped else { return (0, []) }
        var signals: [LineDiscipline.Signal] = []
        var n = 0
        while n < bytes.count && !discipline.isFull {
            if let signal = receive(bytes[n]) { signals.append(signal) }
            n += 1
        }
        return (n, signals)
    }

    /// One byte into the slave's discipline: echo to the master's queue, packet-mode status.
    private mutating func receive(_ byte: UInt8) -> LineDiscipline.Signal? {
        let flushes = discipline.settings.has(local: TerminalSettings.ISIG) && !discipline.settings.has(local: TerminalSettings.NOFLSH)
        let effects = discipline.receive(byte)
        if !effects.echo.isEmpty && output.count + effects.echo.count <= TerminalCore.outputCapacity { output += effects.echo }
        if let change = effects.flow { noteFlow(change) }
        guard let signal = effects.signal else { return nil }
        // n_tty's isig flushes both ways unless NOFLSH: packet mode reports it.
        if flushes && packetMode { packetStatus |= TerminalCore.TIOCPKT_FLUSHREAD | TerminalCore.TIOCPKT_FLUSHWRITE }
        return signal
    }

    /// The slave's output stopped or started: packet mode reports it (Linux's pty_stop/pty_start).
    public mutating func noteFlow(_ change: LineDiscipline.FlowChange) {
        guard packetMode else { return }
        if change == .stopped {
            packetStatus = (packetStatus & ~TerminalCore.TIOCPKT_START) | TerminalCore.TIOCPKT_STOP
        } else {
            packetStatus = (packetStatus & ~TerminalCore.TIOCPKT_STOP) | TerminalCore.TIOCPKT_START
        }
    }

    // MARK: - tcflow

    /// tcflow(TCOOFF/TCOON) on the slave or the console: the discipline's output flow.
    public mutating func userFlow(stop: Bool) -> [UInt8] {
        if let change = stop ? discipline.stopOutputByUser() : discipline.startOutputByUser() { noteFlow(change) }
        return releaseEcho()
    }

    /// Echo held while the slave's output was stopped goes to the master once it runs again.
    public mutating func releaseEcho() -> [UInt8] {
        let echo = discipline.takeReleasedEcho()
        if !echo.isEmpty && output.count + echo.count <= TerminalCore.outputCapacity { output += echo }
        return echo
    }

    /// tcflow(TCIOFF/TCION) on the slave: the character goes to the master as is, even while
    /// output is stopped by a character; a stop by TCOOFF drops it (Linux's tty_send_xchar lifts
    /// the first kind only).
    public mutating func sendCharacterToMaster(_ c: UInt8) {
        guard !discipline.flow.stoppedByUser, output.count < TerminalCore.outputCapacity else { return }
        output.append(c)
    }

    /// tcflow(TCOOFF/TCOON) on the master: its writes wait while stopped.
    public mutating func masterUserFlow(stop: Bool) {
        _ = stop ? masterFlow.userStop() : masterFlow.userStart()
    }

    /// tcflow(TCIOFF/TCION) on the master: the character is written to the slave's input (a
    /// master stopped by TCOOFF drops it, as Linux).
    public mutating func masterSendCharacter(_ c: UInt8) -> LineDiscipline.Signal? {
        guard !masterFlow.stoppedByUser && !discipline.isFull else { return nil }
        return receive(c)
    }

    /// Echo (already processed) of input that did not come through `masterWrite` (TIOCSTI).
    public mutating func queueEcho(_ bytes: [UInt8]) {
        if output.count + bytes.count <= TerminalCore.outputCapacity { output += bytes }
    }

    /// Whether a master write would take a byte now.
    public var slaveInputHasRoom: Bool { !discipline.isFull && !masterFlow.stopped }

    // MARK: - Slave writes: the master's input

    /// Appends slave-written bytes, output-processed (OPOST), while they fit: how many input bytes
    /// were taken (a byte whose expansion does not fit waits for room).
    public mutating func slaveWrite(_ bytes: UnsafeRawBufferPointer) -> Int {
        guard !discipline.flow.stopped else { return 0 }
        var n = 0
        let processing = discipline.settings.has(output: TerminalSettings.OPOST)
        while n < bytes.count {
            let b = bytes[n]
            if processing && (b == 10 || b == 13) {
                let expanded = discipline.output([b])
                guard output.count + expanded.count <= TerminalCore.outputCapacity else { break }
                output += expanded
            } else {
                guard output.count < TerminalCore.outputCapacity else { break }
                output.append(b)
            }
            n += 1
        }
        return n
    }

    /// Room for at least one more byte of slave output, which is not stopped (POLLOUT on the slave).
    public var outputHasRoom: Bool { output.count + 2 <= TerminalCore.outputCapacity && !discipline.flow.stopped }

    /// Bytes the master could read (its FIONREAD).
    public var outputCount: Int { output.count }

    // MARK: - Master reads

    public enum MasterRead: Equatable, Sendable {
        case data([UInt8])
        case wouldBlock
        /// The slave was opened and closed again and nothing is left: EIO, as Linux.
        case slaveClosed
    }

    /// What a master read of at most `count` bytes returns: in packet mode a pending status byte
    /// alone, or TIOCPKT_DATA then data.
    public mutating func masterRead(_ count: Int) -> MasterRead {
        guard count > 0 else { return .data([]) }
        if packetMode && packetStatus != 0 {
            let status = packetStatus
            packetStatus = 0
            return .data([status])
        }
        guard !output.isEmpty else { return slaveClosed ? .slaveClosed : .wouldBlock }
        let room = packetMode ? count - 1 : count
        let n = min(room, output.count)
        var out: [UInt8] = packetMode ? [TerminalCore.TIOCPKT_DATA] : []
        out += output[..<n]
        output.removeFirst(n)
        return .data(out)
    }

    /// POLLIN on the master (a status byte counts), POLLPRI for a pending status.
    public var masterReadable: Bool { !output.isEmpty || (packetMode && packetStatus != 0) }
    public var masterHasStatus: Bool { packetMode && packetStatus != 0 }

    /// TIOCPKT: turning packet mode on forgets older status (Linux's pty_set_pktmode).
    public mutating func setPacketMode(_ on: Bool) {
        if on && !packetMode { packetStatus = 0 }
        packetMode = on
    }

    // MARK: - The slave's settings, flushes and the ends

    /// TCSETS on a pty slave: CS8 and CREAD forced, no parity (pty_set_termios), and packet mode
    /// learns whether ^S/^Q flow control is now on (DOSTOP) or off (NOSTOP).
    public mutating func setPtySlaveSettings(_ new: TerminalSettings, flushInput: Bool) {
        var s = new
        s.controlFlags = (s.controlFlags & ~UInt32(0o460)) | TerminalSettings.CS8 | TerminalSettings.CREAD  // CSIZE | PARENB
        if packetMode {
            let oldFlow = TerminalCore.standardFlowControl(discipline.settings)
            let newFlow = TerminalCore.standardFlowControl(s)
            if oldFlow != newFlow {
                packetStatus &= ~(TerminalCore.TIOCPKT_DOSTOP | TerminalCore.TIOCPKT_NOSTOP)
                packetStatus |= newFlow ? TerminalCore.TIOCPKT_DOSTOP : TerminalCore.TIOCPKT_NOSTOP
            }
        }
        if flushInput { discipline.flushInput() }
        if let change = discipline.update(s) { noteFlow(change) }
        _ = releaseEcho()
    }

    private static func standardFlowControl(_ s: TerminalSettings) -> Bool {
        s.has(input: TerminalSettings.IXON) && s.character(TerminalSettings.VSTOP) == 19 && s.character(TerminalSettings.VSTART) == 17
    }

    /// TCFLSH on the slave: input is dropped; packet mode reports either flush. (Output has already
    /// moved to the master's side, which Linux does not flush either.)
    public mutating func flush(input: Bool, output: Bool, pty: Bool) {
        if input { discipline.flushInput() }
        guard pty && packetMode else { return }
        if input { packetStatus |= TerminalCore.TIOCPKT_FLUSHREAD }
        if output { packetStatus |= TerminalCore.TIOCPKT_FLUSHWRITE }
    }

    /// TCFLSH of the master's input: the slave's output not read yet is dropped.
    public mutating func flushOutputQueue() { output.removeAll() }

    public mutating func slaveOpened() {
        slaveOpens += 1
        slaveClosed = false
    }

    public mutating func slaveReleased() {
        slaveOpens -= 1
        if slaveOpens == 0 { slaveClosed = true }
    }

    /// The master's last close: the slave is hung up, packet mode ends.
    public mutating func masterClosed() {
        hungUp = true
        packetMode = false
        packetStatus = 0
    }
}
