import LichenCore
import _Concurrency

/// The registers of a syscall: arguments in x0-x5, the number in x8.
struct SyscallArguments {
    let thread: Thread
    var process: Process { thread.process }
    var user: UserMemory { UserMemory(memory: thread.memory) }

    subscript(_ i: Int) -> UInt64 { thread.context[register: i] }
    func int(_ i: Int) -> Int64 { Int64(bitPattern: self[i]) }
    func int32(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: self[i]) }
    func fd(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: self[i]) }
    func address(_ i: Int) -> UserAddr { UserAddr(self[i]) }
    /// A size or count argument, clamped so that conversions never trap on hostile values.
    func count(_ i: Int, limit: Int = Int(Int32.max)) -> Int { Int(min(self[i], UInt64(limit))) }
}

/// What a syscall handler did: set x0, or leave the registers alone (exit, a successful execve).
enum SyscallOutcome {
    case value(UInt64)
    case noReturnValue
}

/// Linux arm64 syscall numbers to their implementations. Every syscall is async: one that blocks
/// suspends its thread's task. Unknown numbers give ENOSYS and are logged once by name.
enum Syscalls {
    private static let reported = ReportOnce(count: 512)

    /// Which family handles each syscall number (1-based index into the order below), learned on
    /// first use: the families decide by number alone, so later calls go straight to the right one
    /// instead of trying each in turn (every family tried costs an async call). 0: not known yet.
    nonisolated(unsafe) private static let route: UnsafeMutablePointer<UInt8> = {
        let p = UnsafeMutablePointer<UInt8>.allocate(capacity: 512)
        p.initialize(repeating: 0, count: 512)
        return p
    }()
    private static let familyCount: UInt8 = 20

    /// The value for x0, or nil when the thread must not get one (exit, a successful execve).
    static func dispatch(_ thread: Thread, number: UInt64) async -> UInt64? {
        let a = SyscallArguments(thread: thread)
        do throws(Errno) {
            let slot = Int(min(number, 511))
            let known = number < 512 ? route[slot] : 0
            var family: UInt8 = known != 0 ? known : 1
            while family <= familyCount {
                if let outcome = try await call(family, number, a) {
                    if known == 0 && number < 512 { route[slot] = family }
                    if case .value(let v) = outcome { return v }
                    return nil
                }
                family = family == known ? 1 : family + 1
                if family == known { family += 1 }
            }
            reportUnimplemented(number)
            throw .ENOSYS
        } catch {
            if error == .EPIPE { await SignalHooks.brokenPipe(thread) }   // SIGPIPE (writes to pipes only, for now)
            if thread.finished { return nil }
            return error.syscallReturn
        }
    }

    /// The families, the common ones first (an unknown number tries them in this order once).
    private static func call(_ family: UInt8, _ number: UInt64, _ a: SyscallArguments) async throws(Errno) -> SyscallOutcome? {
        func value(_ v: UInt64?) -> SyscallOutcome? { v.map { .value($0) } }
        switch family {
        case 1: return value(try await FileSyscalls.handle(number, a))
        case 2: return try await ProcessSyscalls.handle(number, a)
        case 3: return try await SignalSyscalls.handle(number, a)
        case 4: return value(try await MemorySyscalls.handle(number, a))
        case 5: return value(try await FutexSyscalls.handle(number, a))
        case 6: return value(try await TimeSyscalls.handle(number, a))
        case 7: return value(try await MiscSyscalls.handle(number, a))
        case 8: return value(try await PipeSyscalls.handle(number, a))
        case 9: return value(try await PollSyscalls.handle(number, a))
        case 10: return value(try await MountSyscalls.handle(number, a))
        case 11: return value(try await CopySyscalls.handle(number, a))
        case 12: return value(try await IdentitySyscalls.handle(number, a))
        case 13: return value(try await ProcessControlSyscalls.handle(number, a))
        case 14: return value(try await SchedulingSyscalls.handle(number, a))
        case 15: return value(try await SyslogSyscall.handle(number, a))
        case 16: return value(try await MemoryResidencySyscalls.handle(number, a))
        case 17: return value(try await RareFileSyscalls.handle(number, a))
        case 18: return value(try await SocketSyscalls.handle(number, a))
        case 19: return value(try await XattrSyscalls.handle(number, a))
        case 20: return value(try await EpollSyscalls.handle(number, a))
        default: return nil
        }
    }

    private static func reportUnimplemented(_ number: UInt64) {
        guard reported.first(Int(min(number, 511))) else { return }
        let name = SyscallNames.name(Int(number)).map { string($0) } ?? "unknown"
        KernelLog.warning("syscall " + Format.decimal(number) + " (" + name + ") is not implemented: ENOSYS")
    }
}

/// A syscall result from a count or an offset.
@inline(__always) func result(_ n: Int) -> UInt64 { UInt64(bitPattern: Int64(n)) }
@inline(__always) func result(_ n: Int64) -> UInt64 { UInt64(bitPattern: n) }
@inline(__always) func result(_ n: Int32) -> UInt64 { UInt64(bitPattern: Int64(n)) }
