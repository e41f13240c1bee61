import LichenCore

/// Who the caller is: its process, thread and parent ids, and its real and effective user and group
/// ids. Instant syscalls (SyscallTable.swift): they never sleep.
enum ProcessIdentitySyscalls {
    static func getpid(_ a: SyscallArguments) -> UInt64 { result(a.process.pid) }
    static func gettid(_ a: SyscallArguments) -> UInt64 { result(a.thread.tid) }

    static func getppid(_ a: SyscallArguments) -> UInt64 {
        let pid = a.process.pid
        return result(Processes.withTable { $0.record(pid)?.parent } ?? 0)
    }

    static func getuid(_ a: SyscallArguments) -> UInt64 { UInt64(a.credentials.uid) }
    static func geteuid(_ a: SyscallArguments) -> UInt64 { UInt64(a.credentials.euid) }
    static func getgid(_ a: SyscallArguments) -> UInt64 { UInt64(a.credentials.gid) }
    static func getegid(_ a: SyscallArguments) -> UInt64 { UInt64(a.credentials.egid) }
}
