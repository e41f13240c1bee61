import LichenCore
import _Concurrency

/// pipe2 (Pipe and PipeBuffer in LichenCore/IPC hold the semantics).
enum PipeSyscalls {
    static func pipe2(_ a: SyscallArguments) throws(Errno) -> UInt64 {
        let fds = a.address(0), flags = LinuxArch.openFlags(fromUser: UInt32(truncatingIfNeeded: a[1]))
        guard a[1] >> 32 == 0, flags.isSubset(of: [.O_NONBLOCK, .O_CLOEXEC, .O_DIRECT]) else { throw .EINVAL }
        let (reader, writer) = Pipe.makeAnonymous(extraFlags: flags)
        let cloexec = flags.contains(.O_CLOEXEC)
        let installed = try a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) throws(Errno) -> (Int32, Int32) in
            let r = try t.install(reader, closeOnExec: cloexec)
            do throws(Errno) {
                return (r, try t.install(writer, closeOnExec: cloexec))
            } catch {
                _ = try? t.close(r)
                throw error
            }
        }
        do throws(Errno) {
            try a.user.store((installed.0, installed.1), to: fds)
        } catch {
            // As Linux: the descriptors are not left behind when the array cannot be written.
            _ = a.process.files.withLock { (t: inout FileDescriptorTable<OpenFile>) -> Int in
                _ = try? t.close(installed.0)
                _ = try? t.close(installed.1)
                return 0
            }
            throw error
        }
        return 0
    }
}

/// Signals the pipe code raises.
enum SignalHooks {
    /// A write failed with EPIPE (no reader left): SIGPIPE to the writing thread, as Linux's pipe_write
    /// (delivered on the way back to user mode; EPIPE is still returned if it is caught or ignored).
    static func brokenPipe(_ thread: Thread) {
        let info = LinuxSigInfo.kill(signo: Signal.SIGPIPE.number, pid: thread.process.pid, uid: 0)
        ProcessSignals.send(info, to: thread.process, thread: thread.index)
    }
}
