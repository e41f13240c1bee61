import LichenCore
import _Concurrency

/// The console driver's own terminal device: its Linux name and number (the PL011's: ttyAMA0).
struct ConsoleLine {
    let name: StaticString
    let number: DeviceNumber
}

/// The console terminal (/dev/console, /dev/tty, and the console driver's line: /dev/ttyAMA0 for the
/// PL011) on the shared Terminal core. Input: the UART interrupt only queues bytes (ConsoleInput, no
/// allocation); a kernel task feeds them to the line discipline, echoes, and wakes readers. Output is
/// written synchronously to the UART with output processing.
final class ConsoleTTY: Terminal, FileOperations, @unchecked Sendable {
    static let shared = ConsoleTTY()

    private init() { super.init(settings: .linuxDefault, throttlesInput: true) }   // IXOFF sends STOP/START

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
                if core.value.discipline.isFull {
                    try? await core.wait(until: { !$0.discipline.isFull })
                }
                let effects = core.update { $0.discipline.receive(byte) }
                if let c = effects.transmit { transmitCharacter(c) }
                if !effects.echo.isEmpty { emit(effects.echo) }
                if let signal = effects.signal { raiseInForeground(signal) }
            }
        }
    }

    override func echo(_ bytes: [UInt8]) { emit(bytes) }
    override func transmitCharacter(_ c: UInt8) { emit([c]) }

    private func emit(_ bytes: [UInt8]) {
        guard let console = KernelLog.console else { return }
        for b in bytes { console.write(b) }
    }

    func read(_ file: OpenFile, into buffer: UnsafeMutableRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        try await readInput(file, into: buffer)
    }

    func write(_ file: OpenFile, from buffer: UnsafeRawBufferPointer, at offset: Int64) async throws(Errno) -> Int {
        try await transmit(file, from: buffer)
    }

    /// Output waits while it is stopped (^S, tcflow; EAGAIN with O_NONBLOCK). The kernel's own
    /// messages still go out, as Linux's console drivers ignore the tty's flow.
    private func transmit(_ file: OpenFile, from buffer: UnsafeRawBufferPointer) async throws(Errno) -> Int {
        try checkBackgroundWrite()
        if core.value.discipline.flow.stopped {
            if file.isNonBlocking { throw .EAGAIN }
            do throws(WaitError) {
                try await core.wait(until: { !$0.discipline.flow.stopped })
            } catch { throw .EINTR }
        }
        emit(core.value.discipline.output(Array(buffer)))
        return buffer.count
    }

    func ioctl(_ file: OpenFile, request: UInt32, argument: UInt64, caller: IoctlCaller) async throws(Errno) -> Int64 {
        try await terminalIoctl(file, request: request, argument: argument, caller: caller)
    }

    // MARK: poll: readable when a line (or EOF) is ready; writable unless output is stopped

    func poll(_ file: OpenFile) -> PollEvents {
        let d = core.value.discipline
        var events: PollEvents = d.flow.stopped ? [] : .writable
        if d.isReadable { events.insert(.readable) }
        return events
    }

    func pollQueue(_ file: OpenFile) -> WaitQueue? { core.waitQueue }
    var sendsIOSignals: Bool { true }
    var ioSignalOwnerGroup: Int32? { foregroundGroup }
}
