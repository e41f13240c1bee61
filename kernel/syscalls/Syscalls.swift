import LichenCore
import _Concurrency

/// The arguments of a syscall (on arm64 in x0-x5; the number is in x8).
struct SyscallArguments {
    let thread: Thread
    var process: Process { thread.process }
    var user: UserMemory { UserMemory(memory: thread.memory) }
    /// The calling thread's credentials, and the filesystem context its path walks use with them.
    var credentials: Credentials { thread.credentials }
    var fs: FSContext { thread.fs }

    subscript(_ i: Int) -> UInt64 { thread.context.syscallArgument(i) }
    func int(_ i: Int) -> Int64 { Int64(bitPattern: self[i]) }
    func int32(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: self[i]) }
    func fd(_ i: Int) -> Int32 { Int32(truncatingIfNeeded: self[i]) }
    func uint32(_ i: Int) -> UInt32 { UInt32(truncatingIfNeeded: self[i]) }
    func address(_ i: Int) -> UserAddr { UserAddr(self[i]) }
    /// A NUL-terminated path (or name) argument, copied from user memory: EFAULT, ENAMETOOLONG.
    func userPath(_ i: Int) throws(Errno) -> [UInt8] { try user.string(at: address(i)) }
    /// A size or count argument, clamped so that conversions never trap on hostile values.
    func count(_ i: Int, limit: Int = Int(Int32.max)) -> Int { Int(min(self[i], UInt64(limit))) }
}

/// Runs syscalls through the table (SyscallTable.swift). Unknown numbers give ENOSYS, logged once
/// by name.
enum Syscalls {
    private static let reported = ReportOnce(count: Int(SyscallNumber.highest) + 2)

    /// Runs `handler` if it never sleeps (straight from the user-mode loop: no async frame, no
    /// interrupt scope) and returns the value for x0; nil: it must go through `dispatch`.
    @inline(__always)
    static func runInstant(_ handler: SyscallHandler?, _ thread: Thread) -> UInt64? {
        switch handler {
        case .instant(let handler):
            do throws(Errno) {
                return try handler(SyscallArguments(thread: thread))
            } catch {
                return failed(error, thread)
            }
        case .instantFirst(let handler, _):
            do throws(Errno) {
                return try handler(SyscallArguments(thread: thread))
            } catch {
                return failed(error, thread)
            }
        default: return nil
        }
    }

    /// The value for x0, or nil when the thread must not get one (exit, a successful execve).
    /// Inlined into the thread's loop: its frame is the loop's, allocated once per thread.
    @inline(__always)
    static func dispatch(_ handler: SyscallHandler?, _ thread: Thread, number: UInt64) async -> UInt64? {
        let a = SyscallArguments(thread: thread)
        do throws(Errno) {
            guard let handler else {
                reportUnimplemented(number)
                throw .ENOSYS
            }
            switch handler {
            case .sleeping(let handler): return try await handler(a)
            case .noReturnValue(let handler):
                try await handler(a)
                return nil
            case .instant(let handler): return try handler(a)
            case .instantFirst(_, let handler): return try await handler(a)
            }
        } catch {
            if thread.finished { return nil }
            return failed(error, thread)
        }
    }

    private static func failed(_ error: Errno, _ thread: Thread) -> UInt64 {
        if error == .EPIPE { SignalHooks.brokenPipe(thread) }   // SIGPIPE (writes to pipes only, for now)
        return error.syscallReturn
    }

    private static func reportUnimplemented(_ number: UInt64) {
        guard reported.first(Int(min(number, UInt64(SyscallNumber.highest) + 1))) else { return }
        let name = SyscallNumber(number: number).map { string($0.name) } ?? "unknown"
        KernelLog.warning("syscall " + Format.decimal(number) + " (" + name + ") is not implemented: ENOSYS")
    }
}

/// A syscall result from a count or an offset.
@inline(__always) func result(_ n: Int) -> UInt64 { UInt64(bitPattern: Int64(n)) }
@inline(__always) func result(_ n: Int64) -> UInt64 { UInt64(bitPattern: n) }
@inline(__always) func result(_ n: Int32) -> UInt64 { UInt64(bitPattern: Int64(n)) }
