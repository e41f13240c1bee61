import LichenCore

/// Syscalls answered without the async machinery: frequent, quick, and never sleeping, so Thread.run
/// handles them in its loop with no interrupt scope, no dispatch chain and no task allocation (a
/// getpid this way costs a few hundred instructions instead of thousands). Anything that may block
/// or that another family must see goes through `Syscalls.dispatch`. These numbers are handled only
/// here: the families never see them.
enum FastSyscalls {
    /// The value for x0, or nil: not a fast syscall (dispatch it normally).
    static func handle(_ number: UInt64, _ thread: Thread) -> UInt64? {
        let a = SyscallArguments(thread: thread)
        do throws(Errno) {
            switch number {
            case 172: return result(thread.process.pid)                              // getpid
            case 178: return result(thread.tid)                                      // gettid
            case 173:                                                                // getppid
                let pid = thread.process.pid
                return result(Processes.withTable { $0.record(pid)?.parent } ?? 0)
            case 174, 175, 176, 177:                                                 // getuid, geteuid, getgid, getegid
                let c = thread.process.credentials
                return UInt64([c.uid, c.euid, c.gid, c.egid][Int(number - 174)])
            case 113:                                                                // clock_gettime
                try a.user.store(LinuxTimespec(nanoseconds: try TimeSyscalls.now(clock: a.int32(0), a)), to: a.address(1))
                return 0
            case 169:                                                                // gettimeofday
                return try TimeSyscalls.gettimeofday(a)
            case 135: return try SignalSyscalls.sigprocmask(a)                       // rt_sigprocmask
            default: return nil
            }
        } catch {
            return error.syscallReturn
        }
    }
}
