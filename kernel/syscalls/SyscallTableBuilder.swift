import LichenCore

/// The ABI's syscall numbers (asm-generic on arm64; riscv64 uses the same).
typealias SyscallNumber = GenericSyscall

/// How a syscall handler runs (see SyscallTable.swift).
enum SyscallHandler {
    case instant((SyscallArguments) throws(Errno) -> UInt64)
    case sleeping((SyscallArguments) async throws(Errno) -> UInt64)
    case noReturnValue((SyscallArguments) async throws(Errno) -> Void)
    /// Transitional: a family's numbered `handle` switch, until it is split into named handlers.
    case legacy((UInt64, SyscallArguments) async throws(Errno) -> UInt64?)
    case legacyOutcome((UInt64, SyscallArguments) async throws(Errno) -> SyscallOutcome?)
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

/// One row of the table.
struct SyscallEntry {
    let number: SyscallNumber
    let handler: SyscallHandler
    let restart: SyscallRestart
}

/// The table, indexed by number once at first use (a missing number is nil: ENOSYS).
struct SyscallTable {
    private var rows: [SyscallEntry?] = .init(repeating: nil, count: Int(SyscallNumber.highest) + 1)

    nonisolated(unsafe) private static let byNumber: UnsafeMutablePointer<SyscallEntry?> = {
        var t = SyscallTable()
        declare(&t)
        let p = UnsafeMutablePointer<SyscallEntry?>.allocate(capacity: t.rows.count)
        p.initialize(from: t.rows, count: t.rows.count)
        return p
    }()

    /// The entry for `number`, nil if Lichen does not implement it.
    @inline(__always)
    static func entry(_ number: UInt64) -> SyscallEntry? {
        guard number <= UInt64(SyscallNumber.highest) else { return nil }
        return byNumber[Int(number)]
    }

    private mutating func add(_ number: SyscallNumber, _ handler: SyscallHandler, _ restart: SyscallRestart) {
        let i = Int(number.rawValue)
        if rows[i] != nil { fatalError("syscall table: two handlers claim one syscall") }
        rows[i] = SyscallEntry(number: number, handler: handler, restart: restart)
    }

    mutating func add(_ n: SyscallNumber, instant h: @escaping (SyscallArguments) throws(Errno) -> UInt64) {
        add(n, .instant(h), .restartSys)
    }
    mutating func add(_ n: SyscallNumber, sleeping h: @escaping (SyscallArguments) async throws(Errno) -> UInt64,
                      restart: SyscallRestart = .restartSys) {
        add(n, .sleeping(h), restart)
    }
    mutating func add(_ n: SyscallNumber, noReturnValue h: @escaping (SyscallArguments) async throws(Errno) -> Void) {
        add(n, .noReturnValue(h), .restartSys)
    }
    mutating func add(_ n: SyscallNumber, legacy h: @escaping (UInt64, SyscallArguments) async throws(Errno) -> UInt64?,
                      restart: SyscallRestart = .restartSys) {
        add(n, .legacy(h), restart)
    }
    mutating func add(_ n: SyscallNumber, legacyOutcome h: @escaping (UInt64, SyscallArguments) async throws(Errno) -> SyscallOutcome?,
                      restart: SyscallRestart = .restartSys) {
        add(n, .legacyOutcome(h), restart)
    }
}
