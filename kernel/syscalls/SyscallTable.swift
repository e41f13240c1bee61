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
        t.add(.getcwd, legacy: FileSyscalls.handle)
        t.add(.dup, legacy: FileSyscalls.handle)
        t.add(.dup3, legacy: FileSyscalls.handle)
        t.add(.fcntl, legacy: FileSyscalls.handle)
        t.add(.ioctl, legacy: FileSyscalls.handle)
        t.add(.mknodat, legacy: FileSyscalls.handle)
        t.add(.mkdirat, legacy: FileSyscalls.handle)
        t.add(.unlinkat, legacy: FileSyscalls.handle)
        t.add(.symlinkat, legacy: FileSyscalls.handle)
        t.add(.linkat, legacy: FileSyscalls.handle)
        t.add(.renameat, legacy: FileSyscalls.handle)
        t.add(.truncate, legacy: FileSyscalls.handle)
        t.add(.ftruncate, legacy: FileSyscalls.handle)
        t.add(.fallocate, legacy: FileSyscalls.handle)
        t.add(.faccessat, legacy: FileSyscalls.handle)
        t.add(.chdir, legacy: FileSyscalls.handle)
        t.add(.fchdir, legacy: FileSyscalls.handle)
        t.add(.chroot, legacy: FileSyscalls.handle)
        t.add(.fchmod, legacy: FileSyscalls.handle)
        t.add(.fchmodat, legacy: FileSyscalls.handle)
        t.add(.fchownat, legacy: FileSyscalls.handle)
        t.add(.fchown, legacy: FileSyscalls.handle)
        t.add(.openat, legacy: FileSyscalls.handle)
        t.add(.close, legacy: FileSyscalls.handle)
        t.add(.getdents64, legacy: FileSyscalls.handle)
        t.add(.lseek, legacy: FileSyscalls.handle)
        t.add(.read, legacy: FileSyscalls.handle)
        t.add(.write, legacy: FileSyscalls.handle)
        t.add(.readv, legacy: FileSyscalls.handle)
        t.add(.writev, legacy: FileSyscalls.handle)
        t.add(.pread64, legacy: FileSyscalls.handle)
        t.add(.pwrite64, legacy: FileSyscalls.handle)
        t.add(.preadv, legacy: FileSyscalls.handle)
        t.add(.pwritev, legacy: FileSyscalls.handle)
        t.add(.readlinkat, legacy: FileSyscalls.handle)
        t.add(.newfstatat, legacy: FileSyscalls.handle)
        t.add(.fstat, legacy: FileSyscalls.handle)
        t.add(.sync, legacy: FileSyscalls.handle)
        t.add(.fsync, legacy: FileSyscalls.handle)
        t.add(.fdatasync, legacy: FileSyscalls.handle)
        t.add(.utimensat, legacy: FileSyscalls.handle)
        t.add(.renameat2, legacy: FileSyscalls.handle)
        t.add(.preadv2, legacy: FileSyscalls.handle)
        t.add(.pwritev2, legacy: FileSyscalls.handle)
        t.add(.statx, legacy: FileSyscalls.handle)
        t.add(.faccessat2, legacy: FileSyscalls.handle)

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
        t.add(.exit, noReturnValue: ProcessSyscalls.exit)
        t.add(.exit_group, noReturnValue: ProcessSyscalls.exit_group)
        t.add(.waitid, sleeping: ProcessSyscalls.waitid)
        t.add(.set_tid_address, instant: ProcessSyscalls.set_tid_address)
        t.add(.setpgid, instant: ProcessSyscalls.setpgid)
        t.add(.getpgid, instant: ProcessSyscalls.getpgid)
        t.add(.getsid, instant: ProcessSyscalls.getsid)
        t.add(.setsid, instant: ProcessSyscalls.setsid)
        t.add(.clone, sleeping: ProcessSyscalls.clone)
        t.add(.execve, noReturnValue: ProcessSyscalls.execve)
        t.add(.wait4, sleeping: ProcessSyscalls.wait4)
        t.add(.clone3, sleeping: ProcessSyscalls.clone3)

        // Signals
        t.add(.rt_sigprocmask, instant: SignalSyscalls.rt_sigprocmask)
        t.add(.kill, instant: SignalSyscalls.kill)
        t.add(.tkill, instant: SignalSyscalls.tkill)
        t.add(.tgkill, instant: SignalSyscalls.tgkill)
        t.add(.sigaltstack, instant: SignalSyscalls.sigaltstack)
        t.add(.rt_sigsuspend, sleeping: SignalSyscalls.rt_sigsuspend, restart: .never)
        t.add(.rt_sigaction, instant: SignalSyscalls.rt_sigaction)
        t.add(.rt_sigpending, instant: SignalSyscalls.rt_sigpending)
        t.add(.rt_sigtimedwait, sleeping: SignalSyscalls.rt_sigtimedwait, restart: .never)
        t.add(.rt_sigqueueinfo, instant: SignalSyscalls.rt_sigqueueinfo)
        t.add(.rt_sigreturn, noReturnValue: SignalSyscalls.rt_sigreturn)
        t.add(.rt_tgsigqueueinfo, instant: SignalSyscalls.rt_tgsigqueueinfo)

        // Identity
        t.add(.setregid, instant: IdentitySyscalls.setregid)
        t.add(.setgid, instant: IdentitySyscalls.setgid)
        t.add(.setreuid, instant: IdentitySyscalls.setreuid)
        t.add(.setuid, instant: IdentitySyscalls.setuid)
        t.add(.setresuid, instant: IdentitySyscalls.setresuid)
        t.add(.getresuid, instant: IdentitySyscalls.getresuid)
        t.add(.setresgid, instant: IdentitySyscalls.setresgid)
        t.add(.getresgid, instant: IdentitySyscalls.getresgid)
        t.add(.setfsuid, instant: IdentitySyscalls.setfsuid)
        t.add(.setfsgid, instant: IdentitySyscalls.setfsgid)
        t.add(.getgroups, instant: IdentitySyscalls.getgroups)
        t.add(.setgroups, instant: IdentitySyscalls.setgroups)

        // Process control
        t.add(.capget, instant: ProcessControlSyscalls.capget)
        t.add(.capset, instant: ProcessControlSyscalls.capset)
        t.add(.personality, instant: ProcessControlSyscalls.personality)
        t.add(.unshare, instant: ProcessControlSyscalls.unshare)
        t.add(.prctl, instant: ProcessControlSyscalls.prctl)

        // Scheduling
        t.add(.ioprio_set, instant: SchedulingSyscalls.ioprio_set)
        t.add(.ioprio_get, instant: SchedulingSyscalls.ioprio_get)
        t.add(.sched_setparam, instant: SchedulingSyscalls.sched_setparam)
        t.add(.sched_setscheduler, instant: SchedulingSyscalls.sched_setscheduler)
        t.add(.sched_getscheduler, instant: SchedulingSyscalls.sched_getscheduler)
        t.add(.sched_getparam, instant: SchedulingSyscalls.sched_getparam)
        t.add(.sched_setaffinity, sleeping: SchedulingSyscalls.sched_setaffinity)
        t.add(.sched_getaffinity, instant: SchedulingSyscalls.sched_getaffinity)
        t.add(.sched_get_priority_max, instant: SchedulingSyscalls.sched_get_priority_max)
        t.add(.sched_get_priority_min, instant: SchedulingSyscalls.sched_get_priority_min)
        t.add(.sched_rr_get_interval, instant: SchedulingSyscalls.sched_rr_get_interval)
        t.add(.setpriority, instant: SchedulingSyscalls.setpriority)
        t.add(.getpriority, instant: SchedulingSyscalls.getpriority)
        t.add(.getcpu, instant: SchedulingSyscalls.getcpu)

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
