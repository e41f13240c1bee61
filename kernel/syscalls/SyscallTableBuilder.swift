import LichenCore

/// The ABI's syscall numbers (asm-generic on arm64; riscv64 uses the same).
typealias SyscallNumber = GenericSyscall

/// How a syscall handler runs (see SyscallTable.swift).
enum SyscallHandler {
    case instant((SyscallArguments) throws(Errno) -> UInt64)
    case sleeping((SyscallArguments) async throws(Errno) -> UInt64)
    case noReturnValue((SyscallArguments) async throws(Errno) -> Void)
    /// Tried first as `instant` (its nil: it would have to wait, nothing was done), then `sleeping`.
    case instantFirst((SyscallArguments) throws(Errno) -> UInt64?, (SyscallArguments) async throws(Errno) -> UInt64)
}

/// How a syscall that a signal interrupted goes on (Linux's ERESTART* codes).
enum SyscallRestart {
    case restartSys, restartNoHand, restartBlock
    /// Always fails with EINTR (rt_sigsuspend, rt_sigtimedwait).
    case never
    /// Depends on the arguments (a futex wait with a timeout restarts as a block, others as restartSys).
    case decidedBy((SyscallArguments) -> SyscallRestartKind?)

    func kind(_ a: SyscallArguments) -> SyscallRestartKind? {
        switch self {
        case .restartSys: .restartSys
        case .restartNoHand: .restartNoHand
        case .restartBlock: .restartBlock
        case .never: nil
        case .decidedBy(let rule): rule(a)
        }
    }
}

/// The table, built by `declare` (SyscallTable.swift) and installed at boot as two arrays indexed by
/// number: the handlers (read on every syscall, so no lazy-initialisation check and no copy of a
/// whole row) and the restart rules (read only when a signal interrupted a syscall).
struct SyscallTable {
    private var handlers: [SyscallHandler?] = .init(repeating: nil, count: Int(SyscallNumber.highest) + 1)
    private var restarts: [SyscallRestart] = .init(repeating: .restartSys, count: Int(SyscallNumber.highest) + 1)

    nonisolated(unsafe) private static var handlerByNumber: UnsafeMutablePointer<SyscallHandler?>? = nil
    nonisolated(unsafe) private static var restartByNumber: UnsafeMutablePointer<SyscallRestart>? = nil

    /// Builds the table; before the first user program runs.
    static func install() {
        var t = SyscallTable()
        declare(&t)
        let count = t.handlers.count
        let handlers = UnsafeMutablePointer<SyscallHandler?>.allocate(capacity: count)
        handlers.initialize(from: t.handlers, count: count)
        let restarts = UnsafeMutablePointer<SyscallRestart>.allocate(capacity: count)
        restarts.initialize(from: t.restarts, count: count)
        handlerByNumber = handlers
        restartByNumber = restarts
    }

    /// The handler for `number`, nil if Lichen does not implement it.
    @inline(__always)
    static func handler(_ number: UInt64) -> SyscallHandler? {
        guard number <= UInt64(SyscallNumber.highest), let table = handlerByNumber else { return nil }
        return table[Int(number)]
    }

    /// How `number` goes on after a signal interrupted it.
    static func restart(_ number: UInt64, _ a: SyscallArguments) -> SyscallRestartKind? {
        guard number <= UInt64(SyscallNumber.highest), let table = restartByNumber else { return .restartSys }
        return table[Int(number)].kind(a)
    }

    private mutating func add(_ number: SyscallNumber, _ handler: SyscallHandler, _ restart: SyscallRestart) {
        let i = Int(number.rawValue)
        if handlers[i] != nil { fatalError("syscall table: two handlers claim one syscall") }
        handlers[i] = handler
        restarts[i] = restart
    }

    mutating func add(_ n: SyscallNumber, instant h: @escaping (SyscallArguments) throws(Errno) -> UInt64) {
        add(n, .instant(h), .restartSys)
    }
    mutating func add(_ n: SyscallNumber, sleeping h: @escaping (SyscallArguments) async throws(Errno) -> UInt64,
                      restart: SyscallRestart = .restartSys) {
        add(n, .sleeping(h), restart)
    }
    /// `instant` answers the calls that need no wait (a nil leaves the call, untouched, to `sleeping`).
    mutating func add(_ n: SyscallNumber, sleeping h: @escaping (SyscallArguments) async throws(Errno) -> UInt64,
                      instantFirst instant: @escaping (SyscallArguments) throws(Errno) -> UInt64?,
                      restart: SyscallRestart = .restartSys) {
        add(n, .instantFirst(instant, h), restart)
    }
    mutating func add(_ n: SyscallNumber, noReturnValue h: @escaping (SyscallArguments) async throws(Errno) -> Void) {
        add(n, .noReturnValue(h), .restartSys)
    }
}
