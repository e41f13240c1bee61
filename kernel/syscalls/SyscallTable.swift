import LichenCore

/// Every syscall Lichen implements, by name, with how its handler runs and how it restarts after a
/// signal. Numbers come from the ABI's generated enum (`SyscallNumber`); nothing here or in the
/// handlers is keyed by number (tools/check-syscall-table.py fails the build otherwise). To add a
/// syscall: write its handler in its subsystem's file, then add one line here (docs/syscalls.md).
///
/// - `instant`: never sleeps. Runs straight from the user-mode loop: no async frame, no interrupt scope.
/// - `sleeping`: may wait. An async call inside the thread's interrupt scope (a signal ends its waits).
/// - `sleeping:` with `instantFirst:`: the instant handler answers the common calls that need no
///   wait (a write to /dev/null, a stat walk over tmpfs); its nil hands the call, untouched, to the
///   sleeping one (docs/performance.md).
/// - `noReturnValue`: like sleeping, but x0 is left as the handler set it (exit, exit_group, execve).
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
        t.add(.openat, sleeping: FileSyscalls.openat, instantFirst: InstantPathSyscalls.openat)
        t.add(.close, instant: FileSyscalls.close)
        t.add(.getdents64, sleeping: FileSyscalls.getdents64)
        t.add(.lseek, sleeping: FileSyscalls.lseek)
        t.add(.read, sleeping: FileSyscalls.read, instantFirst: InstantFileSyscalls.read)
        t.add(.write, sleeping: FileSyscalls.write, instantFirst: InstantFileSyscalls.write)
        t.add(.readv, sleeping: FileSyscalls.readv)
        t.add(.writev, sleeping: FileSyscalls.writev)
        t.add(.pread64, sleeping: FileSyscalls.pread64)
        t.add(.pwrite64, sleeping: FileSyscalls.pwrite64)
        t.add(.preadv, sleeping: FileSyscalls.preadv)
        t.add(.pwritev, sleeping: FileSyscalls.pwritev)
        t.add(.readlinkat, sleeping: PathSyscalls.readlinkat)
        t.add(.newfstatat, sleeping: FileAttributeSyscalls.newfstatat, instantFirst: InstantPathSyscalls.newfstatat)
        t.add(.fstat, instant: FileAttributeSyscalls.fstat)
        t.add(.sync, sleeping: FileSyscalls.sync)
        t.add(.fsync, sleeping: FileSyscalls.fsync)
        t.add(.fdatasync, sleeping: FileSyscalls.fdatasync)
        t.add(.utimensat, sleeping: FileAttributeSyscalls.utimensat)
        t.add(.renameat2, sleeping: PathSyscalls.renameat2)
        t.add(.preadv2, sleeping: FileSyscalls.preadv2)
        t.add(.pwritev2, sleeping: FileSyscalls.pwritev2)
        t.add(.statx, sleeping: FileAttributeSyscalls.statx, instantFirst: InstantPathSyscalls.statx)
        t.add(.faccessat2, sleeping: FileAttributeSyscalls.faccessat2)

        // Extended attributes
        t.add(.setxattr, sleeping: XattrSyscalls.setxattr)
        t.add(.lsetxattr, sleeping: XattrSyscalls.lsetxattr)
        t.add(.fsetxattr, sleeping: XattrSyscalls.fsetxattr)
        t.add(.getxattr, sleeping: XattrSyscalls.getxattr)
        t.add(.lgetxattr, sleeping: XattrSyscalls.lgetxattr)
        t.add(.fgetxattr, sleeping: XattrSyscalls.fgetxattr)
        t.add(.listxattr, sleeping: XattrSyscalls.listxattr)
        t.add(.llistxattr, sleeping: XattrSyscalls.llistxattr)
        t.add(.flistxattr, sleeping: XattrSyscalls.flistxattr)
        t.add(.removexattr, sleeping: XattrSyscalls.removexattr)
        t.add(.lremovexattr, sleeping: XattrSyscalls.lremovexattr)
        t.add(.fremovexattr, sleeping: XattrSyscalls.fremovexattr)

        // Rarer file calls
        t.add(.flock, sleeping: RareFileSyscalls.flock, instantFirst: RareFileSyscalls.flockNow)
        t.add(.sync_file_range, instant: RareFileSyscalls.sync_file_range)
        t.add(.fadvise64, instant: RareFileSyscalls.fadvise64)
        t.add(.readahead, instant: RareFileSyscalls.readahead)
        t.add(.syncfs, sleeping: RareFileSyscalls.syncfs)
        t.add(.close_range, instant: RareFileSyscalls.close_range)

        // Copies between files
        t.add(.sendfile, sleeping: CopySyscalls.sendfile)
        t.add(.copy_file_range, sleeping: CopySyscalls.copy_file_range)

        // Pipes
        t.add(.pipe2, instant: PipeSyscalls.pipe2)

        // Splicing through pipes
        t.add(.splice, sleeping: SpliceSyscalls.splice)
        t.add(.tee, sleeping: SpliceSyscalls.tee)
        t.add(.vmsplice, sleeping: SpliceSyscalls.vmsplice)

        // Waiting for descriptors
        t.add(.pselect6, sleeping: PollSyscalls.pselect6, restart: .restartNoHand)
        t.add(.ppoll, sleeping: PollSyscalls.ppoll, restart: .restartNoHand)

        // epoll
        t.add(.epoll_create1, instant: EpollSyscalls.epoll_create1)
        t.add(.epoll_ctl, instant: EpollSyscalls.epoll_ctl)
        t.add(.epoll_pwait, sleeping: EpollSyscalls.epoll_pwait, instantFirst: EpollSyscalls.epoll_pwaitNow)
        t.add(.epoll_pwait2, sleeping: EpollSyscalls.epoll_pwait2, instantFirst: EpollSyscalls.epoll_pwait2Now)

        // Event file descriptors
        t.add(.eventfd2, instant: EventFdSyscalls.eventfd2)
        t.add(.timerfd_create, instant: TimerFdSyscalls.timerfd_create)
        t.add(.timerfd_settime, instant: TimerFdSyscalls.timerfd_settime)
        t.add(.timerfd_gettime, instant: TimerFdSyscalls.timerfd_gettime)
        t.add(.rseq, instant: RseqSyscalls.rseq)
        t.add(.pidfd_open, instant: PidFdSyscalls.pidfd_open)
        t.add(.pidfd_send_signal, instant: PidFdSyscalls.pidfd_send_signal)
        t.add(.pidfd_getfd, instant: PidFdSyscalls.pidfd_getfd)
        t.add(.signalfd4, instant: SignalFdSyscalls.signalfd4)
        // inotify
        t.add(.inotify_init1, instant: InotifySyscalls.inotify_init1)
        t.add(.inotify_add_watch, sleeping: InotifySyscalls.inotify_add_watch)
        t.add(.inotify_rm_watch, instant: InotifySyscalls.inotify_rm_watch)
        // openat2
        t.add(.openat2, sleeping: Openat2Syscall.openat2)
        // Another process's memory
        t.add(.process_vm_readv, instant: ProcessVmSyscalls.process_vm_readv)
        t.add(.process_vm_writev, instant: ProcessVmSyscalls.process_vm_writev)

        // Mounts and filesystems
        t.add(.umount2, sleeping: MountSyscalls.umount2)
        t.add(.mount, sleeping: MountSyscalls.mount)
        t.add(.statfs, sleeping: MountSyscalls.statfs)
        t.add(.fstatfs, instant: MountSyscalls.fstatfs)

        // Sockets
        t.add(.socket, instant: SocketSyscalls.socket)
        t.add(.socketpair, instant: SocketSyscalls.socketpair)
        t.add(.bind, sleeping: SocketSyscalls.bind)
        t.add(.listen, instant: SocketSyscalls.listen)
        t.add(.accept, sleeping: SocketSyscalls.accept)
        t.add(.connect, sleeping: SocketSyscalls.connect)
        t.add(.getsockname, instant: SocketSyscalls.getsockname)
        t.add(.getpeername, instant: SocketSyscalls.getpeername)
        t.add(.sendto, sleeping: SocketSyscalls.sendto)
        t.add(.recvfrom, sleeping: SocketSyscalls.recvfrom)
        t.add(.setsockopt, instant: SocketSyscalls.setsockopt)
        t.add(.getsockopt, instant: SocketSyscalls.getsockopt)
        t.add(.shutdown, instant: SocketSyscalls.shutdown)
        t.add(.sendmsg, sleeping: SocketSyscalls.sendmsg)
        t.add(.recvmsg, sleeping: SocketSyscalls.recvmsg)
        t.add(.accept4, sleeping: SocketSyscalls.accept4)
        t.add(.recvmmsg, sleeping: SocketSyscalls.recvmmsg)
        t.add(.sendmmsg, sleeping: SocketSyscalls.sendmmsg)

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
        t.add(.execveat, noReturnValue: ProcessSyscalls.execveat)
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
        t.add(.rt_sigreturn, instant: SignalSyscalls.rt_sigreturn)
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

        // Privileged administration Lichen lacks: EPERM without the capability, ENOSYS with it
        t.add(.pivot_root, sleeping: MountTreeSyscalls.pivot_root)
        t.add(.swapon, instant: PrivilegedSyscalls.swapon)
        t.add(.swapoff, instant: PrivilegedSyscalls.swapoff)
        t.add(.init_module, instant: PrivilegedSyscalls.init_module)
        t.add(.finit_module, instant: PrivilegedSyscalls.finit_module)
        t.add(.delete_module, instant: PrivilegedSyscalls.delete_module)
        t.add(.vhangup, instant: PrivilegedSyscalls.vhangup)
        t.add(.acct, instant: PrivilegedSyscalls.acct)

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
        t.add(.brk, instant: MemorySyscalls.brk)
        t.add(.munmap, instant: MemorySyscalls.munmap)
        t.add(.mremap, instant: MemorySyscalls.mremap)
        t.add(.mmap, sleeping: MemorySyscalls.mmap)
        t.add(.mprotect, instant: MemorySyscalls.mprotect)
        t.add(.madvise, instant: MemorySyscalls.madvise)

        // Memory residency
        t.add(.msync, sleeping: MemoryResidencySyscalls.msync)
        t.add(.mlock, sleeping: MemoryResidencySyscalls.mlock)
        t.add(.munlock, instant: MemoryResidencySyscalls.munlock)
        t.add(.mlockall, sleeping: MemoryResidencySyscalls.mlockall)
        t.add(.munlockall, instant: MemoryResidencySyscalls.munlockall)
        t.add(.mincore, instant: MemoryResidencySyscalls.mincore)
        t.add(.membarrier, instant: MemoryResidencySyscalls.membarrier)
        t.add(.mlock2, sleeping: MemoryResidencySyscalls.mlock2)

        // Shared memory and IPC
        t.add(.memfd_create, instant: MemfdSyscalls.memfd_create)
        // System V IPC (kernel/ipc/sysv): semop never restarts, msgsnd/msgrcv only without a handler.
        t.add(.semget, instant: SemaphoreSyscalls.semget)
        t.add(.semctl, instant: SemaphoreSyscalls.semctl)
        t.add(.semop, sleeping: SemaphoreSyscalls.semop, restart: .never)
        t.add(.semtimedop, sleeping: SemaphoreSyscalls.semtimedop, restart: .never)
        t.add(.msgget, instant: MessageQueueSyscalls.msgget)
        t.add(.msgctl, instant: MessageQueueSyscalls.msgctl)
        t.add(.msgsnd, sleeping: MessageQueueSyscalls.msgsnd, restart: .restartNoHand)
        t.add(.msgrcv, sleeping: MessageQueueSyscalls.msgrcv, restart: .restartNoHand)
        // POSIX message queues (kernel/ipc/posixmq): send and receive restart with SA_RESTART, as Linux.
        t.add(.mq_open, instant: PosixMessageQueueSyscalls.mq_open)
        t.add(.mq_unlink, instant: PosixMessageQueueSyscalls.mq_unlink)
        t.add(.mq_timedsend, sleeping: PosixMessageQueueSyscalls.mq_timedsend)
        t.add(.mq_timedreceive, sleeping: PosixMessageQueueSyscalls.mq_timedreceive)
        t.add(.mq_notify, instant: PosixMessageQueueSyscalls.mq_notify)
        t.add(.mq_getsetattr, instant: PosixMessageQueueSyscalls.mq_getsetattr)
        t.add(.shmget, sleeping: SharedMemorySyscalls.shmget)
        t.add(.shmat, instant: SharedMemorySyscalls.shmat)
        t.add(.shmdt, instant: SharedMemorySyscalls.shmdt)
        t.add(.shmctl, instant: SharedMemorySyscalls.shmctl)

        // Futexes
        t.add(.futex, sleeping: FutexSyscalls.futex, restart: .decidedBy(FutexSyscalls.restartKind))
        t.add(.set_robust_list, instant: FutexSyscalls.set_robust_list)
        t.add(.get_robust_list, instant: FutexSyscalls.get_robust_list)
        t.add(.futex_waitv, sleeping: FutexSyscalls.futex_waitv)

        // Time and timers
        t.add(.clock_gettime, instant: TimeSyscalls.clock_gettime)
        t.add(.gettimeofday, instant: TimeSyscalls.gettimeofday)
        t.add(.nanosleep, sleeping: TimeSyscalls.nanosleep, restart: .restartBlock)
        t.add(.getitimer, instant: TimeSyscalls.getitimer)
        t.add(.setitimer, instant: TimeSyscalls.setitimer)
        t.add(.timer_create, instant: PosixTimerSyscalls.timer_create)
        t.add(.timer_gettime, instant: PosixTimerSyscalls.timer_gettime)
        t.add(.timer_getoverrun, instant: PosixTimerSyscalls.timer_getoverrun)
        t.add(.timer_settime, instant: PosixTimerSyscalls.timer_settime)
        t.add(.timer_delete, instant: PosixTimerSyscalls.timer_delete)
        t.add(.clock_settime, instant: TimeSyscalls.clock_settime)
        t.add(.clock_getres, instant: TimeSyscalls.clock_getres)
        t.add(.clock_nanosleep, sleeping: TimeSyscalls.clock_nanosleep, restart: .restartBlock)
        t.add(.times, instant: TimeSyscalls.times)
        t.add(.getrusage, instant: TimeSyscalls.getrusage)
        t.add(.settimeofday, instant: TimeSyscalls.settimeofday)

        // System
        t.add(.sched_yield, sleeping: MiscSyscalls.sched_yield, instantFirst: MiscSyscalls.sched_yieldNow)
        t.add(.reboot, instant: MiscSyscalls.reboot)
        t.add(.uname, instant: MiscSyscalls.uname)
        t.add(.sethostname, instant: MiscSyscalls.sethostname)
        t.add(.setdomainname, instant: MiscSyscalls.setdomainname)
        t.add(.getrlimit, instant: ResourceLimitSyscalls.getrlimit)
        t.add(.setrlimit, instant: ResourceLimitSyscalls.setrlimit)
        t.add(.umask, instant: MiscSyscalls.umask)
        t.add(.sysinfo, instant: MiscSyscalls.sysinfo)
        t.add(.prlimit64, instant: ResourceLimitSyscalls.prlimit64)
        t.add(.getrandom, instant: MiscSyscalls.getrandom)

        // Kernel log
        t.add(.syslog, instant: SyslogSyscall.syslog)
    }
}
