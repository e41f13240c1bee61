import LichenCore

/// Every syscall Lichen implements, by name, with how its handler runs and how it restarts after a
/// signal. Numbers come from the ABI's generated enum (`SyscallNumber`); nothing here or in the
/// handlers is keyed by number (tools/check-syscall-table.py fails the build otherwise). To add a
/// syscall: write its handler in its subsystem's file, then add one line here (docs/syscalls.md).
///
/// - `instant`: never sleeps. Runs straight from the user-mode loop: no async frame, no interrupt scope.
/// - `sleeping`: may wait. An async call inside the thread's interrupt scope (a signal ends its waits).
/// - `noReturnValue`: like sleeping, but x0 is left as the handler set it (exit, execve, rt_sigreturn).
/// - `restart`: what happens when a signal interrupts it (Linux's ERESTART* choice); `.restartSys` unless said.
extension SyscallTable {
    static func declare(_ t: inout SyscallTable) {
        // Files and descriptors
        t.add(.getcwd, sleeping: PathSyscalls.getcwd)
        t.add(.dup, instant: FileSyscalls.dup)
        t.add(.dup3, instant: FileSyscalls.dup3)
        t.add(.fcntl, sleeping: Fcntl.fcntl)
        t.add(.ioctl, sleeping: IoctlSyscalls.ioctl)
        t.add(.mknodat, sleeping: PathSyscalls.mknodat)
        t.add(.mkdirat, sleeping: PathSyscalls.mkdirat)
        t.add(.unlinkat, sleeping: PathSyscalls.unlinkat)
        t.add(.symlinkat, sleeping: PathSyscalls.symlinkat)
        t.add(.linkat, sleeping: PathSyscalls.linkat)
        t.add(.renameat, sleeping: PathSyscalls.renameat)
        t.add(.truncate, sleeping: FileAttributeSyscalls.truncate)
        t.add(.ftruncate, sleeping: FileAttributeSyscalls.ftruncate)
        t.add(.fallocate, sleeping: FileAttributeSyscalls.fallocate)
        t.add(.faccessat, sleeping: FileAttributeSyscalls.faccessat)
        t.add(.chdir, sleeping: PathSyscalls.chdir)
        t.add(.fchdir, instant: PathSyscalls.fchdir)
        t.add(.chroot, sleeping: PathSyscalls.chroot)
        t.add(.fchmod, sleeping: FileAttributeSyscalls.fchmod)
        t.add(.fchmodat, sleeping: FileAttributeSyscalls.fchmodat)
        t.add(.fchownat, sleeping: FileAttributeSyscalls.fchownat)
        t.add(.fchown, sleeping: FileAttributeSyscalls.fchown)
        t.add(.openat, sleeping: FileSyscalls.openat)
        t.add(.close, instant: FileSyscalls.close)
        t.add(.getdents64, sleeping: FileSyscalls.getdents64)
        t.add(.lseek, sleeping: FileSyscalls.lseek)
        t.add(.read, sleeping: FileSyscalls.read)
        t.add(.write, sleeping: FileSyscalls.write)
        t.add(.readv, sleeping: FileSyscalls.readv)
        t.add(.writev, sleeping: FileSyscalls.writev)
        t.add(.pread64, sleeping: FileSyscalls.pread64)
        t.add(.pwrite64, sleeping: FileSyscalls.pwrite64)
        t.add(.preadv, sleeping: FileSyscalls.preadv)
        t.add(.pwritev, sleeping: FileSyscalls.pwritev)
        t.add(.readlinkat, sleeping: PathSyscalls.readlinkat)
        t.add(.newfstatat, sleeping: FileAttributeSyscalls.newfstatat)
        t.add(.fstat, instant: FileAttributeSyscalls.fstat)
        t.add(.sync, instant: FileSyscalls.sync)
        t.add(.fsync, instant: FileSyscalls.fsync)
        t.add(.fdatasync, instant: FileSyscalls.fdatasync)
        t.add(.utimensat, sleeping: FileAttributeSyscalls.utimensat)
        t.add(.renameat2, sleeping: PathSyscalls.renameat2)
        t.add(.preadv2, sleeping: FileSyscalls.preadv2)
        t.add(.pwritev2, sleeping: FileSyscalls.pwritev2)
        t.add(.statx, sleeping: FileAttributeSyscalls.statx)
        t.add(.faccessat2, sleeping: FileAttributeSyscalls.faccessat2)

        // Extended attributes
        t.add(.setxattr, legacy: XattrSyscalls.handle)
        t.add(.lsetxattr, legacy: XattrSyscalls.handle)
        t.add(.fsetxattr, legacy: XattrSyscalls.handle)
        t.add(.getxattr, legacy: XattrSyscalls.handle)
        t.add(.lgetxattr, legacy: XattrSyscalls.handle)
        t.add(.fgetxattr, legacy: XattrSyscalls.handle)
        t.add(.listxattr, legacy: XattrSyscalls.handle)
        t.add(.llistxattr, legacy: XattrSyscalls.handle)
        t.add(.flistxattr, legacy: XattrSyscalls.handle)
        t.add(.removexattr, legacy: XattrSyscalls.handle)
        t.add(.lremovexattr, legacy: XattrSyscalls.handle)
        t.add(.fremovexattr, legacy: XattrSyscalls.handle)

        // Rarer file calls
        t.add(.flock, legacy: RareFileSyscalls.handle)
        t.add(.sync_file_range2, legacy: RareFileSyscalls.handle)
        t.add(.fadvise64, legacy: RareFileSyscalls.handle)
        t.add(.syncfs, legacy: RareFileSyscalls.handle)
        t.add(.close_range, legacy: RareFileSyscalls.handle)

        // Copies between files
        t.add(.sendfile, legacy: CopySyscalls.handle)
        t.add(.copy_file_range, legacy: CopySyscalls.handle)

        // Pipes
        t.add(.pipe2, instant: PipeSyscalls.pipe2)

        // Waiting for descriptors
        t.add(.pselect6, legacy: PollSyscalls.handle, restart: .restartNoHand)
        t.add(.ppoll, legacy: PollSyscalls.handle, restart: .restartNoHand)

        // epoll
        t.add(.epoll_create1, legacy: EpollSyscalls.handle)
        t.add(.epoll_ctl, legacy: EpollSyscalls.handle)
        t.add(.epoll_pwait, legacy: EpollSyscalls.handle)
        t.add(.epoll_pwait2, legacy: EpollSyscalls.handle)

        // Mounts and filesystems
        t.add(.umount2, legacy: MountSyscalls.handle)
        t.add(.mount, legacy: MountSyscalls.handle)
        t.add(.statfs, legacy: MountSyscalls.handle)
        t.add(.fstatfs, legacy: MountSyscalls.handle)

        // Sockets
        t.add(.socket, legacy: SocketSyscalls.handle)
        t.add(.socketpair, legacy: SocketSyscalls.handle)
        t.add(.bind, legacy: SocketSyscalls.handle)
        t.add(.listen, legacy: SocketSyscalls.handle)
        t.add(.accept, legacy: SocketSyscalls.handle)
        t.add(.connect, legacy: SocketSyscalls.handle)
        t.add(.getsockname, legacy: SocketSyscalls.handle)
        t.add(.getpeername, legacy: SocketSyscalls.handle)
        t.add(.sendto, legacy: SocketSyscalls.handle)
        t.add(.recvfrom, legacy: SocketSyscalls.handle)
        t.add(.setsockopt, legacy: SocketSyscalls.handle)
        t.add(.getsockopt, legacy: SocketSyscalls.handle)
        t.add(.shutdown, legacy: SocketSyscalls.handle)
        t.add(.sendmsg, legacy: SocketSyscalls.handle)
        t.add(.recvmsg, legacy: SocketSyscalls.handle)
        t.add(.accept4, legacy: SocketSyscalls.handle)
        t.add(.recvmmsg, legacy: SocketSyscalls.handle)
        t.add(.sendmmsg, legacy: SocketSyscalls.handle)

        // Processes and threads
        t.add(.getpid, instant: ProcessIdentitySyscalls.getpid)
        t.add(.gettid, instant: ProcessIdentitySyscalls.gettid)
        t.add(.getppid, instant: ProcessIdentitySyscalls.getppid)
        t.add(.getuid, instant: ProcessIdentitySyscalls.getuid)
        t.add(.geteuid, instant: ProcessIdentitySyscalls.geteuid)
        t.add(.getgid, instant: ProcessIdentitySyscalls.getgid)
        t.add(.getegid, instant: ProcessIdentitySyscalls.getegid)
        t.add(.exit, legacyOutcome: ProcessSyscalls.handle)
        t.add(.exit_group, legacyOutcome: ProcessSyscalls.handle)
        t.add(.waitid, legacyOutcome: ProcessSyscalls.handle)
        t.add(.set_tid_address, legacyOutcome: ProcessSyscalls.handle)
        t.add(.setpgid, legacyOutcome: ProcessSyscalls.handle)
        t.add(.getpgid, legacyOutcome: ProcessSyscalls.handle)
        t.add(.getsid, legacyOutcome: ProcessSyscalls.handle)
        t.add(.setsid, legacyOutcome: ProcessSyscalls.handle)
        t.add(.clone, legacyOutcome: ProcessSyscalls.handle)
        t.add(.execve, legacyOutcome: ProcessSyscalls.handle)
        t.add(.wait4, legacyOutcome: ProcessSyscalls.handle)
        t.add(.clone3, legacyOutcome: ProcessSyscalls.handle)

        // Signals
        t.add(.rt_sigprocmask, instant: SignalSyscalls.rt_sigprocmask)
        t.add(.kill, legacyOutcome: SignalSyscalls.handle)
        t.add(.tkill, legacyOutcome: SignalSyscalls.handle)
        t.add(.tgkill, legacyOutcome: SignalSyscalls.handle)
        t.add(.sigaltstack, legacyOutcome: SignalSyscalls.handle)
        t.add(.rt_sigsuspend, legacyOutcome: SignalSyscalls.handle, restart: .never)
        t.add(.rt_sigaction, legacyOutcome: SignalSyscalls.handle)
        t.add(.rt_sigpending, legacyOutcome: SignalSyscalls.handle)
        t.add(.rt_sigtimedwait, legacyOutcome: SignalSyscalls.handle, restart: .never)
        t.add(.rt_sigqueueinfo, legacyOutcome: SignalSyscalls.handle)
        t.add(.rt_sigreturn, legacyOutcome: SignalSyscalls.handle)
        t.add(.rt_tgsigqueueinfo, legacyOutcome: SignalSyscalls.handle)

        // Identity
        t.add(.setregid, legacy: IdentitySyscalls.handle)
        t.add(.setgid, legacy: IdentitySyscalls.handle)
        t.add(.setreuid, legacy: IdentitySyscalls.handle)
        t.add(.setuid, legacy: IdentitySyscalls.handle)
        t.add(.setresuid, legacy: IdentitySyscalls.handle)
        t.add(.getresuid, legacy: IdentitySyscalls.handle)
        t.add(.setresgid, legacy: IdentitySyscalls.handle)
        t.add(.getresgid, legacy: IdentitySyscalls.handle)
        t.add(.setfsuid, legacy: IdentitySyscalls.handle)
        t.add(.setfsgid, legacy: IdentitySyscalls.handle)
        t.add(.getgroups, legacy: IdentitySyscalls.handle)
        t.add(.setgroups, legacy: IdentitySyscalls.handle)

        // Process control
        t.add(.capget, legacy: ProcessControlSyscalls.handle)
        t.add(.capset, legacy: ProcessControlSyscalls.handle)
        t.add(.personality, legacy: ProcessControlSyscalls.handle)
        t.add(.unshare, legacy: ProcessControlSyscalls.handle)
        t.add(.prctl, legacy: ProcessControlSyscalls.handle)

        // Scheduling
        t.add(.ioprio_set, legacy: SchedulingSyscalls.handle)
        t.add(.ioprio_get, legacy: SchedulingSyscalls.handle)
        t.add(.sched_setparam, legacy: SchedulingSyscalls.handle)
        t.add(.sched_setscheduler, legacy: SchedulingSyscalls.handle)
        t.add(.sched_getscheduler, legacy: SchedulingSyscalls.handle)
        t.add(.sched_getparam, legacy: SchedulingSyscalls.handle)
        t.add(.sched_setaffinity, legacy: SchedulingSyscalls.handle)
        t.add(.sched_getaffinity, legacy: SchedulingSyscalls.handle)
        t.add(.sched_get_priority_max, legacy: SchedulingSyscalls.handle)
        t.add(.sched_get_priority_min, legacy: SchedulingSyscalls.handle)
        t.add(.sched_rr_get_interval, legacy: SchedulingSyscalls.handle)
        t.add(.setpriority, legacy: SchedulingSyscalls.handle)
        t.add(.getpriority, legacy: SchedulingSyscalls.handle)
        t.add(.getcpu, legacy: SchedulingSyscalls.handle)

        // Memory
        t.add(.brk, legacy: MemorySyscalls.handle)
        t.add(.munmap, legacy: MemorySyscalls.handle)
        t.add(.mremap, legacy: MemorySyscalls.handle)
        t.add(.mmap, legacy: MemorySyscalls.handle)
        t.add(.mprotect, legacy: MemorySyscalls.handle)
        t.add(.madvise, legacy: MemorySyscalls.handle)

        // Memory residency
        t.add(.msync, legacy: MemoryResidencySyscalls.handle)
        t.add(.mlock, legacy: MemoryResidencySyscalls.handle)
        t.add(.munlock, legacy: MemoryResidencySyscalls.handle)
        t.add(.mlockall, legacy: MemoryResidencySyscalls.handle)
        t.add(.munlockall, legacy: MemoryResidencySyscalls.handle)
        t.add(.mincore, legacy: MemoryResidencySyscalls.handle)
        t.add(.membarrier, legacy: MemoryResidencySyscalls.handle)
        t.add(.mlock2, legacy: MemoryResidencySyscalls.handle)

        // Futexes
        t.add(.futex, sleeping: FutexSyscalls.futex, restart: .decidedBy(FutexSyscalls.restartKind))
        t.add(.set_robust_list, instant: FutexSyscalls.set_robust_list)
        t.add(.get_robust_list, instant: FutexSyscalls.get_robust_list)

        // Time and timers
        t.add(.clock_gettime, instant: TimeSyscalls.clock_gettime)
        t.add(.gettimeofday, instant: TimeSyscalls.gettimeofday)
        t.add(.nanosleep, legacy: TimeSyscalls.handle, restart: .restartBlock)
        t.add(.getitimer, legacy: TimeSyscalls.handle)
        t.add(.setitimer, legacy: TimeSyscalls.handle)
        t.add(.timer_create, legacy: TimeSyscalls.handle)
        t.add(.timer_gettime, legacy: TimeSyscalls.handle)
        t.add(.timer_getoverrun, legacy: TimeSyscalls.handle)
        t.add(.timer_settime, legacy: TimeSyscalls.handle)
        t.add(.timer_delete, legacy: TimeSyscalls.handle)
        t.add(.clock_settime, legacy: TimeSyscalls.handle)
        t.add(.clock_getres, legacy: TimeSyscalls.handle)
        t.add(.clock_nanosleep, legacy: TimeSyscalls.handle, restart: .restartBlock)
        t.add(.times, legacy: TimeSyscalls.handle)
        t.add(.getrusage, legacy: TimeSyscalls.handle)
        t.add(.settimeofday, legacy: TimeSyscalls.handle)

        // System
        t.add(.sched_yield, legacy: MiscSyscalls.handle)
        t.add(.reboot, legacy: MiscSyscalls.handle)
        t.add(.uname, legacy: MiscSyscalls.handle)
        t.add(.sethostname, legacy: MiscSyscalls.handle)
        t.add(.setdomainname, legacy: MiscSyscalls.handle)
        t.add(.getrlimit, legacy: MiscSyscalls.handle)
        t.add(.setrlimit, legacy: MiscSyscalls.handle)
        t.add(.umask, legacy: MiscSyscalls.handle)
        t.add(.sysinfo, legacy: MiscSyscalls.handle)
        t.add(.prlimit64, legacy: MiscSyscalls.handle)
        t.add(.getrandom, legacy: MiscSyscalls.handle)

        // Kernel log
        t.add(.syslog, instant: SyslogSyscall.syslog)
    }
}
