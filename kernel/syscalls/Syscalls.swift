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
    nonisolated(unsafe) private static var reported = [Bool](repeating: false, count: 512)

    /// The value for x0, or nil when the thread must not get one (exit, a successful execve).
    static func dispatch(_ thread: Thread, number: UInt64) async -> UInt64? {
        let a = SyscallArguments(thread: thread)
        do throws(Errno) {
            if let result = try await FileSyscalls.handle(number, a) { return result }
            if let outcome = try await ProcessSyscalls.handle(number, a) {
                if case .value(let v) = outcome { return v }
                return nil
            }
            if let outcome = try await SignalSyscalls.handle(number, a) {
                if case .value(let v) = outcome { return v }
                return nil
            }
            if let result = try await MemorySyscalls.handle(number, a) { return result }
            if let result = try await FutexSyscalls.handle(number, a) { return result }
            if let result = try await TimeSyscalls.handle(number, a) { return result }
            if let result = try await MiscSyscalls.handle(number, a) { return result }
            if let result = try await PipeSyscalls.handle(number, a) { return result }
            if let result = try await PollSyscalls.handle(number, a) { return result }
            if let result = try await MountSyscalls.handle(number, a) { return result }
            if let result = try await CopySyscalls.handle(number, a) { return result }
            // Rare calls last: each family tried costs every later syscall an async call.
            if let result = try await IdentitySyscalls.handle(number, a) { return result }
            if let result = try await ProcessControlSyscalls.handle(number, a) { return result }
            if let result = try await SchedulingSyscalls.handle(number, a) { return result }
            if let result = try await SyslogSyscall.handle(number, a) { return result }
            if let result = try await MemoryResidencySyscalls.handle(number, a) { return result }
            if let result = try await RareFileSyscalls.handle(number, a) { return result }
            reportUnimplemented(number)
            throw .ENOSYS
        } catch {
            if error == .EPIPE { await SignalHooks.brokenPipe(thread) }   // SIGPIPE (writes to pipes only, for now)
            if thread.finished { return nil }
            return error.syscallReturn
        }
    }

    private static func reportUnimplemented(_ number: UInt64) {
        let index = Int(min(number, 511))
        guard !reported[index] else { return }
        reported[index] = true
        let name = SyscallNames.name(Int(number)).map { string($0) } ?? "unknown"
        KernelLog.warning("syscall " + Format.decimal(number) + " (" + name + ") is not implemented: ENOSYS")
    }
}

/// A syscall result from a count or an offset.
@inline(__always) func result(_ n: Int) -> UInt64 { UInt64(bitPattern: Int64(n)) }
@inline(__always) func result(_ n: Int64) -> UInt64 { UInt64(bitPattern: n) }
@inline(__always) func result(_ n: Int32) -> UInt64 { UInt64(bitPattern: Int64(n)) }
