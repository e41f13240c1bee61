import LichenCore
import LichenAsyncRuntime

/// Linux log levels (printk): a message is shown on the console when its level is below `consoleLevel`.
enum LogLevel: Int {
    case emergency = 0, alert, critical, error, warning, notice, info, debug
}

/// The kernel log: timestamped lines to the console, and a ring buffer that keeps them (for messages
/// written before the console exists, and later for dmesg).
enum KernelLog {
    nonisolated(unsafe) static var console: (any SerialPort)? = nil
    nonisolated(unsafe) static var consoleLevel = 7
    nonisolated(unsafe) static var clock: () -> UInt64 = { 0 }     // nanoseconds since the machine started

    private static let ringSize = 64 * 1024
    nonisolated(unsafe) private static var ringStorage: UnsafeMutablePointer<UInt8>? = nil
    nonisolated(unsafe) private static var ringWritten = 0

    /// Storage for the ring buffer, given once the heap exists.
    static func attachRing(_ storage: UnsafeMutablePointer<UInt8>) { ringStorage = storage }

    /// Guards the ring and its read marks, and keeps lines whole on the console: every CPU logs.
    /// A C spinlock (no allocation), because the log works before the heap does. Masking interrupts
    /// alone kept out only this CPU's interrupt handlers, not the other CPUs.
    nonisolated(unsafe) private static var ringLock = LichenSpinLock()

    private static func withRingLock<R>(_ body: () -> R) -> R {
        let daif = lichen_spin_lock_irqsave(&ringLock)
        defer { lichen_spin_unlock_irqrestore(&ringLock, daif) }
        return body()
    }

    static func log(_ level: LogLevel, _ message: String) {
        let line = Format.timestamp(nanoseconds: clock()) + " " + message + "\n"
        withRingLock {
            record(levelMark)
            record(UInt8(ascii: "0") + UInt8(level.rawValue))
            for byte in line.utf8 { record(byte) }
            if level.rawValue < consoleLevel { emit(line) }
        }
    }

    static func info(_ message: String) { log(.info, message) }
    static func notice(_ message: String) { log(.notice, message) }
    static func warning(_ message: String) { log(.warning, message) }
    static func error(_ message: String) { log(.error, message) }
    static func debug(_ message: String) { log(.debug, message) }

    /// Messages user space can cause at will (a crashing program's report): at most 10 every 5 s,
    /// like Linux's printk_ratelimit, so a fork bomb of crashing programs cannot flood the console.
    static func noticeRateLimited(_ message: @autoclosure () -> String) {
        let now = clock()
        let (show, suppressed): (Bool, Int) = {
            let daif = lichen_spin_lock_irqsave(&rateLock)
            defer { lichen_spin_unlock_irqrestore(&rateLock, daif) }
            if now &- rateWindowStart > 5_000_000_000 {
                let dropped = rateSuppressed
                rateWindowStart = now; rateShown = 0; rateSuppressed = 0
                if dropped > 0 { return (true, dropped) }
            }
            guard rateShown < 10 else { rateSuppressed += 1; return (false, 0) }
            rateShown += 1
            return (true, 0)
        }()
        if suppressed > 0 { notice(Format.decimal(UInt64(suppressed)) + " messages suppressed") }
        if show { notice(message()) }
    }
    nonisolated(unsafe) private static var rateLock = LichenSpinLock()
    nonisolated(unsafe) private static var rateWindowStart: UInt64 = 0
    nonisolated(unsafe) private static var rateShown = 0
    nonisolated(unsafe) private static var rateSuppressed = 0

    /// Raw console output, no timestamp (panic reports, the boot monitor). Takes no lock, so that a
    /// panic on a CPU that holds the ring lock still gets its report out.
    static func write(_ text: String) {
        CPU.withInterruptsDisabled { emit(text) }
    }

    static func write(_ text: StaticString) {
        text.withUTF8Buffer { buffer in
            guard let console else { return }
            for byte in buffer { put(byte, to: console) }
        }
    }

    /// Each line in the ring starts with this byte and the level's digit, so replays can filter.
    private static let levelMark: UInt8 = 1

    /// Replays the ring buffer to the console (for messages logged before it existed), showing the
    /// lines whose level is below `maxLevel`.
    static func replay(below maxLevel: Int? = nil) {
        withRingLock { replayLocked(below: maxLevel) }
    }

    private static func replayLocked(below maxLevel: Int?) {
        guard let storage = ringStorage, let console else { return }
        let limit = maxLevel ?? consoleLevel
        var show = false
        var i = max(0, ringWritten - ringSize)
        while i < ringWritten {
            let byte = storage[i % ringSize]
            if byte == levelMark, i + 1 < ringWritten {
                show = Int(storage[(i + 1) % ringSize]) - Int(UInt8(ascii: "0")) < limit
                i += 2
                continue
            }
            if show { put(byte, to: console) }
            i += 1
        }
    }

    private static func record(_ byte: UInt8) {
        guard let storage = ringStorage else { return }
        storage[ringWritten % ringSize] = byte
        ringWritten += 1
    }

    private static func emit(_ text: String) {
        guard let console else { return }
        for byte in text.utf8 { put(byte, to: console) }
    }

    private static func put(_ byte: UInt8, to console: any SerialPort) {
        if byte == UInt8(ascii: "\n") { console.write(UInt8(ascii: "\r")) }
        console.write(byte)
    }

    static var ringCapacity: Int { ringSize }

    /// Where syslog(SYSLOG_ACTION_CLEAR) and the last consuming read left off (ring positions).
    nonisolated(unsafe) private static var clearedAt = 0
    nonisolated(unsafe) private static var readAt = 0

    /// The kept log in syslog(2)'s format: each line as "<level>[timestamp] message\n", from the
    /// oldest complete line (or the last clear) on.
    static func syslogText(fromLastRead: Bool = false) -> [UInt8] {
        withRingLock {
            guard let storage = ringStorage else { return [] }
            var out: [UInt8] = []
            var i = max(max(0, ringWritten - ringSize), fromLastRead ? readAt : clearedAt)
            var atLine = false                        // only from the first complete line on
            while i < ringWritten {
                let byte = storage[i % ringSize]
                if byte == levelMark, i + 1 < ringWritten {
                    out += [UInt8(ascii: "<"), storage[(i + 1) % ringSize], UInt8(ascii: ">")]
                    atLine = true
                    i += 2
                    continue
                }
                if atLine { out.append(byte) }
                i += 1
            }
            return out
        }
    }

    /// syslog's consuming read and clear.
    static func markRead() { withRingLock { readAt = ringWritten } }
    static func clear() { withRingLock { clearedAt = ringWritten; readAt = max(readAt, ringWritten) } }
}

/// Embedded Swift's print() ends up here.
@_cdecl("putchar")
func lichen_putchar(_ c: Int32) -> Int32 {
    if let console = KernelLog.console {
        if c == 10 { console.write(13) }
        console.write(UInt8(truncatingIfNeeded: c))
    }
    return c
}

extension String {
    /// Byte-wise equality. The kernel deals in bytes; Swift's Unicode-aware `==` would pull in the
    /// normalization tables (the link fails if it is used, which is how we notice).
    func equals(_ literal: StaticString) -> Bool {
        literal.withUTF8Buffer { utf8.elementsEqual($0) }
    }
}
