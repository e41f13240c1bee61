// Layout of the Linux arm64 user ABI structures Lichen mirrors in Sources/LichenCore/Linux/ and, for
// the arm64-only ones (signal frame) and values, Sources/LinuxABIAArch64/.
//
// Never run: tools/abi-layout.sh compiles it with `aarch64-linux-gnu-gcc -S` against the arm64 UAPI
// headers and reads the `->` markers the asm statements leave in the assembly (the asm-offsets trick
// Linux uses for its own assembler constants). Each marker names the Swift type and property that
// mirror a C struct and field, so the script can emit the expectations of
// Tests/LichenCoreTests/LinuxLayoutTests.swift and Tests/LinuxABIAArch64Tests/LinuxAArch64LayoutTests.swift directly.
//
//   ->S <SwiftType> <C type> <sizeof>       a structure (then ->A <SwiftType> - <alignof>)
//   ->G <SwiftType> <C type> 0              a group of offsets without a Swift struct (dirent64)
//   ->T <module> tests 0                    the following groups test <module> (LinuxABIAArch64), not LichenCore
//   ->F <SwiftType> <property> <offsetof>   a stored property (checked with MemoryLayout.offset(of:))
//   ->O <SwiftType> <name> <offsetof>       an offset of a union member or nested field, which the Swift
//                                           type exposes as a constant (`SwiftType.Offset.name`)
//   ->C <SwiftType> <name> <value>          a constant (`SwiftType.name`)
//   ->E - <Swift expression> <value>        any Swift expression equal to a C constant
//   ->N - <Swift expression> <0 or 1>       whether that constant is negative
#include <linux/types.h>
#include <linux/time.h>
#include <linux/time_types.h>
#include <linux/utsname.h>
#include <linux/sysinfo.h>
#include <linux/resource.h>
#include <linux/stat.h>
#include <linux/uio.h>
#include <linux/times.h>
#include <linux/poll.h>
#include <asm/stat.h>
#include <asm/statfs.h>
#include <asm/termbits.h>
#include <asm/termios.h>
#include <asm/signal.h>
#include <asm/siginfo.h>
#include <asm/sigcontext.h>
#include <asm/ucontext.h>
#include <asm/mman.h>
#include <asm/fcntl.h>
#include <asm/resource.h>
#include <linux/wait.h>
#include <linux/mman.h>
#include <linux/magic.h>
#include <linux/fcntl.h>
#include <linux/signal.h>
#include <linux/elf-em.h>
#include <asm/hwcap.h>
#include <linux/ipc.h>
#include <asm/shmbuf.h>
// linux/shm.h pulls in libc's unistd.h: its struct shm_info, copied.
struct shm_info {
	int used_ids;
	__kernel_ulong_t shm_tot, shm_rss, shm_swp, swap_attempts, swap_successes;
};
#include <linux/sem.h>
#include <linux/msg.h>

// Not in the UAPI headers: fs/readdir.c and arch/arm64/kernel/signal.c.
struct linux_dirent64 {
	__u64 d_ino;
	__s64 d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};
struct rt_sigframe {
	siginfo_t info;
	struct ucontext uc;
};

// The names are stringized where they appear (not in MARK), so macros such as si_pid or NCCS stay names.
#define MARK(kind, a, b, v) asm volatile("\n->" kind " " a " " b " %c0" :: "i"(v))
#define S(swift, type) MARK("S", #swift, #type, sizeof(type)); MARK("A", #swift, "-", __alignof__(type))
#define G(swift, type) MARK("G", #swift, #type, 0)
// The groups after it belong to this module's tests (the arch ABI module: Tests/<module>Tests).
#define T(module) MARK("T", #module, "tests", 0)
#define F(swift, type, field) MARK("F", #swift, #field, __builtin_offsetof(type, field))
#define FN(swift, prop, type, field) MARK("F", #swift, #prop, __builtin_offsetof(type, field))
#define O(swift, name, type, field) MARK("O", #swift, #name, __builtin_offsetof(type, field))
#define C(swift, name, value) MARK("C", #swift, #name, value)
// A Swift expression that must equal a C constant (in the current group).
// The value goes out as 64 bits, with a second marker saying whether it is negative (signed), so the
// script can print unsigned constants such as SA_RESETHAND or RLIM_INFINITY unsigned.
#define E(expr, value) MARK("E", "-", #expr, (unsigned long long)(value)); MARK("N", "-", #expr, (value) < 0)

void layouts(void) {
	S(LinuxStat, struct stat);
	F(LinuxStat, struct stat, st_dev); F(LinuxStat, struct stat, st_ino);
	F(LinuxStat, struct stat, st_mode); F(LinuxStat, struct stat, st_nlink);
	F(LinuxStat, struct stat, st_uid); F(LinuxStat, struct stat, st_gid);
	F(LinuxStat, struct stat, st_rdev); F(LinuxStat, struct stat, __pad1);
	F(LinuxStat, struct stat, st_size); F(LinuxStat, struct stat, st_blksize);
	F(LinuxStat, struct stat, __pad2); F(LinuxStat, struct stat, st_blocks);
	F(LinuxStat, struct stat, st_atime); F(LinuxStat, struct stat, st_atime_nsec);
	F(LinuxStat, struct stat, st_mtime); F(LinuxStat, struct stat, st_mtime_nsec);
	F(LinuxStat, struct stat, st_ctime); F(LinuxStat, struct stat, st_ctime_nsec);
	F(LinuxStat, struct stat, __unused4); F(LinuxStat, struct stat, __unused5);

	S(LinuxTimespec, struct timespec);
	F(LinuxTimespec, struct timespec, tv_sec); F(LinuxTimespec, struct timespec, tv_nsec);
	S(LinuxTimespec, struct __kernel_timespec);
	F(LinuxTimespec, struct __kernel_timespec, tv_sec); F(LinuxTimespec, struct __kernel_timespec, tv_nsec);

	S(LinuxTimeval, struct timeval);
	F(LinuxTimeval, struct timeval, tv_sec); F(LinuxTimeval, struct timeval, tv_usec);

	S(LinuxTimezone, struct timezone);
	F(LinuxTimezone, struct timezone, tz_minuteswest); F(LinuxTimezone, struct timezone, tz_dsttime);

	S(LinuxItimerval, struct itimerval);
	F(LinuxItimerval, struct itimerval, it_interval); F(LinuxItimerval, struct itimerval, it_value);

	S(LinuxItimerspec, struct itimerspec);
	F(LinuxItimerspec, struct itimerspec, it_interval); F(LinuxItimerspec, struct itimerspec, it_value);

	S(LinuxSigevent, struct sigevent);
	F(LinuxSigevent, struct sigevent, sigev_value); F(LinuxSigevent, struct sigevent, sigev_signo);
	F(LinuxSigevent, struct sigevent, sigev_notify);

	S(LinuxTermios, struct termios);
	F(LinuxTermios, struct termios, c_iflag); F(LinuxTermios, struct termios, c_oflag);
	F(LinuxTermios, struct termios, c_cflag); F(LinuxTermios, struct termios, c_lflag);
	F(LinuxTermios, struct termios, c_line); F(LinuxTermios, struct termios, c_cc);
	C(LinuxTermios, NCCS, NCCS);

	S(LinuxTermios2, struct termios2);
	F(LinuxTermios2, struct termios2, c_iflag); F(LinuxTermios2, struct termios2, c_oflag);
	F(LinuxTermios2, struct termios2, c_cflag); F(LinuxTermios2, struct termios2, c_lflag);
	F(LinuxTermios2, struct termios2, c_line); F(LinuxTermios2, struct termios2, c_cc);
	F(LinuxTermios2, struct termios2, c_ispeed); F(LinuxTermios2, struct termios2, c_ospeed);

	S(LinuxWinsize, struct winsize);
	F(LinuxWinsize, struct winsize, ws_row); F(LinuxWinsize, struct winsize, ws_col);
	F(LinuxWinsize, struct winsize, ws_xpixel); F(LinuxWinsize, struct winsize, ws_ypixel);

	G(LinuxDirent64, struct linux_dirent64);
	O(LinuxDirent64, d_ino, struct linux_dirent64, d_ino);
	O(LinuxDirent64, d_off, struct linux_dirent64, d_off);
	O(LinuxDirent64, d_reclen, struct linux_dirent64, d_reclen);
	O(LinuxDirent64, d_type, struct linux_dirent64, d_type);
	O(LinuxDirent64, d_name, struct linux_dirent64, d_name);
	C(LinuxDirent64, alignment, __alignof__(struct linux_dirent64));

	S(LinuxUtsname, struct new_utsname);
	F(LinuxUtsname, struct new_utsname, sysname); F(LinuxUtsname, struct new_utsname, nodename);
	F(LinuxUtsname, struct new_utsname, release); F(LinuxUtsname, struct new_utsname, version);
	F(LinuxUtsname, struct new_utsname, machine); F(LinuxUtsname, struct new_utsname, domainname);

	// System V IPC (LinuxSysVIPC.swift)
	S(LinuxIPC64Perm, struct ipc64_perm);
	F(LinuxIPC64Perm, struct ipc64_perm, key);
	F(LinuxIPC64Perm, struct ipc64_perm, uid);
	F(LinuxIPC64Perm, struct ipc64_perm, gid);
	F(LinuxIPC64Perm, struct ipc64_perm, cuid);
	F(LinuxIPC64Perm, struct ipc64_perm, cgid);
	F(LinuxIPC64Perm, struct ipc64_perm, mode);
	F(LinuxIPC64Perm, struct ipc64_perm, seq);
	F(LinuxIPC64Perm, struct ipc64_perm, __pad2);
	F(LinuxIPC64Perm, struct ipc64_perm, __unused1);
	F(LinuxIPC64Perm, struct ipc64_perm, __unused2);
	S(LinuxShmid64DS, struct shmid64_ds);
	F(LinuxShmid64DS, struct shmid64_ds, shm_perm);
	F(LinuxShmid64DS, struct shmid64_ds, shm_segsz);
	F(LinuxShmid64DS, struct shmid64_ds, shm_atime);
	F(LinuxShmid64DS, struct shmid64_ds, shm_dtime);
	F(LinuxShmid64DS, struct shmid64_ds, shm_ctime);
	F(LinuxShmid64DS, struct shmid64_ds, shm_cpid);
	F(LinuxShmid64DS, struct shmid64_ds, shm_lpid);
	F(LinuxShmid64DS, struct shmid64_ds, shm_nattch);
	F(LinuxShmid64DS, struct shmid64_ds, __unused4);
	F(LinuxShmid64DS, struct shmid64_ds, __unused5);
	S(LinuxSemid64DS, struct semid64_ds);
	F(LinuxSemid64DS, struct semid64_ds, sem_perm);
	F(LinuxSemid64DS, struct semid64_ds, sem_otime);
	F(LinuxSemid64DS, struct semid64_ds, sem_ctime);
	F(LinuxSemid64DS, struct semid64_ds, sem_nsems);
	F(LinuxSemid64DS, struct semid64_ds, __unused3);
	F(LinuxSemid64DS, struct semid64_ds, __unused4);
	S(LinuxMsqid64DS, struct msqid64_ds);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_perm);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_stime);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_rtime);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_ctime);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_cbytes);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_qnum);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_qbytes);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_lspid);
	F(LinuxMsqid64DS, struct msqid64_ds, msg_lrpid);
	F(LinuxMsqid64DS, struct msqid64_ds, __unused4);
	F(LinuxMsqid64DS, struct msqid64_ds, __unused5);
	S(LinuxSembuf, struct sembuf);
	F(LinuxSembuf, struct sembuf, sem_num);
	F(LinuxSembuf, struct sembuf, sem_op);
	F(LinuxSembuf, struct sembuf, sem_flg);
	S(LinuxSeminfo, struct seminfo);
	F(LinuxSeminfo, struct seminfo, semmap);
	F(LinuxSeminfo, struct seminfo, semmni);
	F(LinuxSeminfo, struct seminfo, semmns);
	F(LinuxSeminfo, struct seminfo, semmnu);
	F(LinuxSeminfo, struct seminfo, semmsl);
	F(LinuxSeminfo, struct seminfo, semopm);
	F(LinuxSeminfo, struct seminfo, semume);
	F(LinuxSeminfo, struct seminfo, semusz);
	F(LinuxSeminfo, struct seminfo, semvmx);
	F(LinuxSeminfo, struct seminfo, semaem);
	S(LinuxMsginfo, struct msginfo);
	F(LinuxMsginfo, struct msginfo, msgpool);
	F(LinuxMsginfo, struct msginfo, msgmap);
	F(LinuxMsginfo, struct msginfo, msgmax);
	F(LinuxMsginfo, struct msginfo, msgmnb);
	F(LinuxMsginfo, struct msginfo, msgmni);
	F(LinuxMsginfo, struct msginfo, msgssz);
	F(LinuxMsginfo, struct msginfo, msgtql);
	F(LinuxMsginfo, struct msginfo, msgseg);
	S(LinuxShminfo64, struct shminfo64);
	F(LinuxShminfo64, struct shminfo64, shmmax);
	F(LinuxShminfo64, struct shminfo64, shmmin);
	F(LinuxShminfo64, struct shminfo64, shmmni);
	F(LinuxShminfo64, struct shminfo64, shmseg);
	F(LinuxShminfo64, struct shminfo64, shmall);
	F(LinuxShminfo64, struct shminfo64, __unused1);
	F(LinuxShminfo64, struct shminfo64, __unused2);
	F(LinuxShminfo64, struct shminfo64, __unused3);
	F(LinuxShminfo64, struct shminfo64, __unused4);
	S(LinuxShmInfo, struct shm_info);
	F(LinuxShmInfo, struct shm_info, used_ids);
	F(LinuxShmInfo, struct shm_info, shm_tot);
	F(LinuxShmInfo, struct shm_info, shm_rss);
	F(LinuxShmInfo, struct shm_info, shm_swp);
	F(LinuxShmInfo, struct shm_info, swap_attempts);
	F(LinuxShmInfo, struct shm_info, swap_successes);

	S(LinuxSysinfo, struct sysinfo);
	F(LinuxSysinfo, struct sysinfo, uptime); F(LinuxSysinfo, struct sysinfo, loads);
	F(LinuxSysinfo, struct sysinfo, totalram); F(LinuxSysinfo, struct sysinfo, freeram);
	F(LinuxSysinfo, struct sysinfo, sharedram); F(LinuxSysinfo, struct sysinfo, bufferram);
	F(LinuxSysinfo, struct sysinfo, totalswap); F(LinuxSysinfo, struct sysinfo, freeswap);
	F(LinuxSysinfo, struct sysinfo, procs); F(LinuxSysinfo, struct sysinfo, pad);
	F(LinuxSysinfo, struct sysinfo, totalhigh); F(LinuxSysinfo, struct sysinfo, freehigh);
	F(LinuxSysinfo, struct sysinfo, mem_unit); F(LinuxSysinfo, struct sysinfo, _f);

	S(LinuxRlimit, struct rlimit);
	F(LinuxRlimit, struct rlimit, rlim_cur); F(LinuxRlimit, struct rlimit, rlim_max);
	S(LinuxRlimit, struct rlimit64);
	F(LinuxRlimit, struct rlimit64, rlim_cur); F(LinuxRlimit, struct rlimit64, rlim_max);

	S(LinuxRusage, struct rusage);
	F(LinuxRusage, struct rusage, ru_utime); F(LinuxRusage, struct rusage, ru_stime);
	F(LinuxRusage, struct rusage, ru_maxrss); F(LinuxRusage, struct rusage, ru_ixrss);
	F(LinuxRusage, struct rusage, ru_idrss); F(LinuxRusage, struct rusage, ru_isrss);
	F(LinuxRusage, struct rusage, ru_minflt); F(LinuxRusage, struct rusage, ru_majflt);
	F(LinuxRusage, struct rusage, ru_nswap); F(LinuxRusage, struct rusage, ru_inblock);
	F(LinuxRusage, struct rusage, ru_oublock); F(LinuxRusage, struct rusage, ru_msgsnd);
	F(LinuxRusage, struct rusage, ru_msgrcv); F(LinuxRusage, struct rusage, ru_nsignals);
	F(LinuxRusage, struct rusage, ru_nvcsw); F(LinuxRusage, struct rusage, ru_nivcsw);

	S(LinuxSigaction, struct sigaction);
	F(LinuxSigaction, struct sigaction, sa_handler); F(LinuxSigaction, struct sigaction, sa_flags);
	F(LinuxSigaction, struct sigaction, sa_restorer); F(LinuxSigaction, struct sigaction, sa_mask);

	S(LinuxStack, stack_t);
	F(LinuxStack, stack_t, ss_sp); F(LinuxStack, stack_t, ss_flags); F(LinuxStack, stack_t, ss_size);

	S(LinuxSigInfo, siginfo_t);
	F(LinuxSigInfo, siginfo_t, si_signo); F(LinuxSigInfo, siginfo_t, si_errno);
	F(LinuxSigInfo, siginfo_t, si_code); FN(LinuxSigInfo, fields, siginfo_t, _sifields);
	O(LinuxSigInfo, si_pid, siginfo_t, si_pid); O(LinuxSigInfo, si_uid, siginfo_t, si_uid);
	O(LinuxSigInfo, si_status, siginfo_t, si_status); O(LinuxSigInfo, si_utime, siginfo_t, si_utime);
	O(LinuxSigInfo, si_stime, siginfo_t, si_stime); O(LinuxSigInfo, si_value, siginfo_t, si_value);
	O(LinuxSigInfo, si_addr, siginfo_t, si_addr); O(LinuxSigInfo, si_tid, siginfo_t, si_tid);
	O(LinuxSigInfo, si_overrun, siginfo_t, si_overrun); O(LinuxSigInfo, si_band, siginfo_t, si_band);
	O(LinuxSigInfo, si_fd, siginfo_t, si_fd);

	S(LinuxStatfs, struct statfs);
	F(LinuxStatfs, struct statfs, f_type); F(LinuxStatfs, struct statfs, f_bsize);
	F(LinuxStatfs, struct statfs, f_blocks); F(LinuxStatfs, struct statfs, f_bfree);
	F(LinuxStatfs, struct statfs, f_bavail); F(LinuxStatfs, struct statfs, f_files);
	F(LinuxStatfs, struct statfs, f_ffree); F(LinuxStatfs, struct statfs, f_fsid);
	F(LinuxStatfs, struct statfs, f_namelen); F(LinuxStatfs, struct statfs, f_frsize);
	F(LinuxStatfs, struct statfs, f_flags); F(LinuxStatfs, struct statfs, f_spare);

	S(LinuxStatxTimestamp, struct statx_timestamp);
	F(LinuxStatxTimestamp, struct statx_timestamp, tv_sec);
	F(LinuxStatxTimestamp, struct statx_timestamp, tv_nsec);
	F(LinuxStatxTimestamp, struct statx_timestamp, __reserved);

	S(LinuxStatx, struct statx);
	F(LinuxStatx, struct statx, stx_mask); F(LinuxStatx, struct statx, stx_blksize);
	F(LinuxStatx, struct statx, stx_attributes); F(LinuxStatx, struct statx, stx_nlink);
	F(LinuxStatx, struct statx, stx_uid); F(LinuxStatx, struct statx, stx_gid);
	F(LinuxStatx, struct statx, stx_mode); F(LinuxStatx, struct statx, __spare0);
	F(LinuxStatx, struct statx, stx_ino); F(LinuxStatx, struct statx, stx_size);
	F(LinuxStatx, struct statx, stx_blocks); F(LinuxStatx, struct statx, stx_attributes_mask);
	F(LinuxStatx, struct statx, stx_atime); F(LinuxStatx, struct statx, stx_btime);
	F(LinuxStatx, struct statx, stx_ctime); F(LinuxStatx, struct statx, stx_mtime);
	F(LinuxStatx, struct statx, stx_rdev_major); F(LinuxStatx, struct statx, stx_rdev_minor);
	F(LinuxStatx, struct statx, stx_dev_major); F(LinuxStatx, struct statx, stx_dev_minor);
	F(LinuxStatx, struct statx, stx_mnt_id); F(LinuxStatx, struct statx, stx_dio_mem_align);
	F(LinuxStatx, struct statx, stx_dio_offset_align); F(LinuxStatx, struct statx, __spare3);

	S(LinuxIovec, struct iovec);
	F(LinuxIovec, struct iovec, iov_base); F(LinuxIovec, struct iovec, iov_len);

	S(LinuxPollfd, struct pollfd);
	F(LinuxPollfd, struct pollfd, fd); F(LinuxPollfd, struct pollfd, events);
	F(LinuxPollfd, struct pollfd, revents);

	S(LinuxTms, struct tms);
	F(LinuxTms, struct tms, tms_utime); F(LinuxTms, struct tms, tms_stime);
	F(LinuxTms, struct tms, tms_cutime); F(LinuxTms, struct tms, tms_cstime);

	G(Constants, signal_numbers_and_flags);
	E(Signal.SIGHUP.number, SIGHUP); E(Signal.SIGINT.number, SIGINT); E(Signal.SIGQUIT.number, SIGQUIT);
	E(Signal.SIGILL.number, SIGILL); E(Signal.SIGTRAP.number, SIGTRAP); E(Signal.SIGABRT.number, SIGABRT);
	E(Signal.SIGBUS.number, SIGBUS); E(Signal.SIGFPE.number, SIGFPE); E(Signal.SIGKILL.number, SIGKILL);
	E(Signal.SIGUSR1.number, SIGUSR1); E(Signal.SIGSEGV.number, SIGSEGV); E(Signal.SIGUSR2.number, SIGUSR2);
	E(Signal.SIGPIPE.number, SIGPIPE); E(Signal.SIGALRM.number, SIGALRM); E(Signal.SIGTERM.number, SIGTERM);
	E(Signal.SIGSTKFLT.number, SIGSTKFLT); E(Signal.SIGCHLD.number, SIGCHLD); E(Signal.SIGCONT.number, SIGCONT);
	E(Signal.SIGSTOP.number, SIGSTOP); E(Signal.SIGTSTP.number, SIGTSTP); E(Signal.SIGTTIN.number, SIGTTIN);
	E(Signal.SIGTTOU.number, SIGTTOU); E(Signal.SIGURG.number, SIGURG); E(Signal.SIGXCPU.number, SIGXCPU);
	E(Signal.SIGXFSZ.number, SIGXFSZ); E(Signal.SIGVTALRM.number, SIGVTALRM); E(Signal.SIGPROF.number, SIGPROF);
	E(Signal.SIGWINCH.number, SIGWINCH); E(Signal.SIGIO.number, SIGIO); E(Signal.SIGPWR.number, SIGPWR);
	E(Signal.SIGSYS.number, SIGSYS); E(Signal.SIGRTMIN.number, SIGRTMIN); E(Signal.SIGRTMAX.number, _NSIG);
	E(SignalActionFlags.noChildStop.rawValue, SA_NOCLDSTOP); E(SignalActionFlags.noChildWait.rawValue, SA_NOCLDWAIT);
	E(SignalActionFlags.siginfo.rawValue, SA_SIGINFO); E(SignalActionFlags.restorer.rawValue, SA_RESTORER);
	E(SignalActionFlags.onStack.rawValue, SA_ONSTACK); E(SignalActionFlags.restart.rawValue, SA_RESTART);
	E(SignalActionFlags.noDefer.rawValue, SA_NODEFER); E(SignalActionFlags.resetHand.rawValue, SA_RESETHAND);
	E(SignalSet.SIG_BLOCK, SIG_BLOCK); E(SignalSet.SIG_UNBLOCK, SIG_UNBLOCK); E(SignalSet.SIG_SETMASK, SIG_SETMASK);
	E(LinuxStack.SS_ONSTACK, SS_ONSTACK); E(LinuxStack.SS_DISABLE, SS_DISABLE);
	E(UInt32(bitPattern: LinuxStack.SS_AUTODISARM), SS_AUTODISARM);
	E(LinuxSigInfo.SI_USER, SI_USER); E(LinuxSigInfo.SI_KERNEL, SI_KERNEL); E(LinuxSigInfo.SI_QUEUE, SI_QUEUE);
	E(LinuxSigInfo.SI_TIMER, SI_TIMER); E(LinuxSigInfo.SI_TKILL, SI_TKILL);
	E(LinuxSigInfo.SEGV_MAPERR, SEGV_MAPERR); E(LinuxSigInfo.SEGV_ACCERR, SEGV_ACCERR);
	E(LinuxSigInfo.BUS_ADRALN, BUS_ADRALN); E(LinuxSigInfo.BUS_ADRERR, BUS_ADRERR);
	E(LinuxSigInfo.ILL_ILLOPC, ILL_ILLOPC); E(LinuxSigInfo.FPE_INTDIV, FPE_INTDIV); E(LinuxSigInfo.TRAP_BRKPT, TRAP_BRKPT);
	E(LinuxSigInfo.CLD_EXITED, CLD_EXITED); E(LinuxSigInfo.CLD_KILLED, CLD_KILLED); E(LinuxSigInfo.CLD_DUMPED, CLD_DUMPED);
	E(LinuxSigInfo.CLD_STOPPED, CLD_STOPPED); E(LinuxSigInfo.CLD_CONTINUED, CLD_CONTINUED);

	G(Constants, process_and_memory_constants);
	E(WaitOptions.noHang.rawValue, WNOHANG); E(WaitOptions.stopped.rawValue, WUNTRACED);
	E(WaitOptions.exited.rawValue, WEXITED); E(WaitOptions.continued.rawValue, WCONTINUED);
	E(WaitOptions.noWait.rawValue, WNOWAIT); E(WaitOptions.noThread.rawValue, __WNOTHREAD);
	E(WaitOptions.all.rawValue, __WALL); E(UInt32(bitPattern: WaitOptions.clone.rawValue), __WCLONE);
	E(WaitSelector.P_ALL, P_ALL); E(WaitSelector.P_PID, P_PID); E(WaitSelector.P_PGID, P_PGID);
	E(WaitSelector.P_PIDFD, P_PIDFD);
	E(MemoryProtection.read.rawValue, PROT_READ); E(MemoryProtection.write.rawValue, PROT_WRITE);
	E(MemoryProtection.execute.rawValue, PROT_EXEC);
	E(MemoryRemapFlags.mayMove.rawValue, MREMAP_MAYMOVE); E(MemoryRemapFlags.fixed.rawValue, MREMAP_FIXED);
	E(MemoryRemapFlags.dontUnmap.rawValue, MREMAP_DONTUNMAP);
	E(FileDescriptorTable<AnyObject>.F_DUPFD, F_DUPFD); E(FileDescriptorTable<AnyObject>.F_GETFD, F_GETFD);
	E(FileDescriptorTable<AnyObject>.F_SETFD, F_SETFD); E(FileDescriptorTable<AnyObject>.F_DUPFD_CLOEXEC, F_DUPFD_CLOEXEC);
	E(FileDescriptorTable<AnyObject>.FD_CLOEXEC, FD_CLOEXEC); E(FileDescriptorTable<AnyObject>.O_CLOEXEC, O_CLOEXEC);
	E(LinuxResource.RLIMIT_STACK, RLIMIT_STACK); E(LinuxResource.RLIMIT_NOFILE, RLIMIT_NOFILE);
	E(LinuxResource.RLIMIT_SIGPENDING, RLIMIT_SIGPENDING); E(LinuxResource.RLIMIT_AS, RLIMIT_AS);
	E(LinuxResource.RLIM_NLIMITS, RLIM_NLIMITS); E(LinuxRlimit.RLIM_INFINITY, RLIM_INFINITY);
	E(LinuxStatfs.TMPFS_MAGIC, TMPFS_MAGIC); E(LinuxStatfs.PROC_SUPER_MAGIC, PROC_SUPER_MAGIC);
	E(LinuxStatfs.RAMFS_MAGIC, RAMFS_MAGIC);

	G(Constants, file_and_terminal_constants);
	E(LinuxStat.S_IFMT, S_IFMT); E(LinuxStat.S_IFSOCK, S_IFSOCK); E(LinuxStat.S_IFLNK, S_IFLNK);
	E(LinuxStat.S_IFREG, S_IFREG); E(LinuxStat.S_IFBLK, S_IFBLK); E(LinuxStat.S_IFDIR, S_IFDIR);
	E(LinuxStat.S_IFCHR, S_IFCHR); E(LinuxStat.S_IFIFO, S_IFIFO); E(LinuxStat.S_ISUID, S_ISUID);
	E(LinuxStat.S_ISGID, S_ISGID); E(LinuxStat.S_ISVTX, S_ISVTX);
	E(LinuxStatx.STATX_BASIC_STATS, STATX_BASIC_STATS); E(LinuxStatx.STATX_BTIME, STATX_BTIME);
	E(LinuxPollfd.POLLIN, POLLIN); E(LinuxPollfd.POLLPRI, POLLPRI); E(LinuxPollfd.POLLOUT, POLLOUT);
	E(LinuxPollfd.POLLERR, POLLERR); E(LinuxPollfd.POLLHUP, POLLHUP); E(LinuxPollfd.POLLNVAL, POLLNVAL);
	E(LinuxPollfd.POLLRDNORM, POLLRDNORM); E(LinuxPollfd.POLLWRNORM, POLLWRNORM); E(LinuxPollfd.POLLRDHUP, POLLRDHUP);
	E(LinuxIovec.UIO_MAXIOV, UIO_MAXIOV);
	E(LinuxTermios.VINTR, VINTR); E(LinuxTermios.VQUIT, VQUIT); E(LinuxTermios.VERASE, VERASE);
	E(LinuxTermios.VKILL, VKILL); E(LinuxTermios.VEOF, VEOF); E(LinuxTermios.VTIME, VTIME); E(LinuxTermios.VMIN, VMIN);
	E(LinuxTermios.VSTART, VSTART); E(LinuxTermios.VSTOP, VSTOP); E(LinuxTermios.VSUSP, VSUSP);
	E(LinuxTermios.VEOL, VEOL); E(LinuxTermios.VREPRINT, VREPRINT); E(LinuxTermios.VWERASE, VWERASE);
	E(LinuxTermios.VLNEXT, VLNEXT); E(LinuxTermios.VEOL2, VEOL2);
	E(LinuxTermios.IGNBRK, IGNBRK); E(LinuxTermios.BRKINT, BRKINT); E(LinuxTermios.IGNPAR, IGNPAR);
	E(LinuxTermios.INLCR, INLCR); E(LinuxTermios.IGNCR, IGNCR); E(LinuxTermios.ICRNL, ICRNL);
	E(LinuxTermios.IXON, IXON); E(LinuxTermios.IXOFF, IXOFF); E(LinuxTermios.IMAXBEL, IMAXBEL);
	E(LinuxTermios.IUTF8, IUTF8); E(LinuxTermios.ISTRIP, ISTRIP);
	E(LinuxTermios.OPOST, OPOST); E(LinuxTermios.ONLCR, ONLCR); E(LinuxTermios.OCRNL, OCRNL);
	E(LinuxTermios.CBAUD, CBAUD); E(LinuxTermios.B9600, B9600); E(LinuxTermios.B38400, B38400);
	E(LinuxTermios.B115200, B115200); E(LinuxTermios.CSIZE, CSIZE); E(LinuxTermios.CS8, CS8);
	E(LinuxTermios.CSTOPB, CSTOPB); E(LinuxTermios.CREAD, CREAD); E(LinuxTermios.PARENB, PARENB);
	E(LinuxTermios.HUPCL, HUPCL); E(LinuxTermios.CLOCAL, CLOCAL); E(LinuxTermios.BOTHER, BOTHER);
	E(LinuxTermios.ISIG, ISIG); E(LinuxTermios.ICANON, ICANON); E(LinuxTermios.ECHO, ECHO);
	E(LinuxTermios.ECHOE, ECHOE); E(LinuxTermios.ECHOK, ECHOK); E(LinuxTermios.ECHONL, ECHONL);
	E(LinuxTermios.NOFLSH, NOFLSH); E(LinuxTermios.TOSTOP, TOSTOP); E(LinuxTermios.ECHOCTL, ECHOCTL);
	E(LinuxTermios.ECHOPRT, ECHOPRT); E(LinuxTermios.ECHOKE, ECHOKE); E(LinuxTermios.IEXTEN, IEXTEN);
	E(LinuxDirent64.DT_DIR, S_IFDIR >> 12); E(LinuxDirent64.DT_REG, S_IFREG >> 12); E(LinuxDirent64.DT_LNK, S_IFLNK >> 12);
	E(LinuxDirent64.DT_CHR, S_IFCHR >> 12); E(LinuxDirent64.DT_FIFO, S_IFIFO >> 12); E(LinuxDirent64.DT_SOCK, S_IFSOCK >> 12);

	// arm64 only: checked in the arch module's own tests (Tests/LinuxABIAArch64Tests).
	T(LinuxABIAArch64);
	S(LinuxAArch64ContextHeader, struct _aarch64_ctx);
	F(LinuxAArch64ContextHeader, struct _aarch64_ctx, magic);
	F(LinuxAArch64ContextHeader, struct _aarch64_ctx, size);

	S(LinuxFpsimdContext, struct fpsimd_context);
	F(LinuxFpsimdContext, struct fpsimd_context, head); F(LinuxFpsimdContext, struct fpsimd_context, fpsr);
	F(LinuxFpsimdContext, struct fpsimd_context, fpcr); F(LinuxFpsimdContext, struct fpsimd_context, vregs);
	C(LinuxFpsimdContext, magic, FPSIMD_MAGIC);

	S(LinuxEsrContext, struct esr_context);
	F(LinuxEsrContext, struct esr_context, head); F(LinuxEsrContext, struct esr_context, esr);
	C(LinuxEsrContext, magic, ESR_MAGIC);

	S(LinuxSigcontext, struct sigcontext);
	F(LinuxSigcontext, struct sigcontext, fault_address); F(LinuxSigcontext, struct sigcontext, regs);
	F(LinuxSigcontext, struct sigcontext, sp); F(LinuxSigcontext, struct sigcontext, pc);
	F(LinuxSigcontext, struct sigcontext, pstate);
	FN(LinuxSigcontext, reserved, struct sigcontext, __reserved);

	S(LinuxUcontext, struct ucontext);
	F(LinuxUcontext, struct ucontext, uc_flags); F(LinuxUcontext, struct ucontext, uc_link);
	F(LinuxUcontext, struct ucontext, uc_stack); F(LinuxUcontext, struct ucontext, uc_sigmask);
	FN(LinuxUcontext, unused, struct ucontext, __unused);
	F(LinuxUcontext, struct ucontext, uc_mcontext);

	S(LinuxRtSigframe, struct rt_sigframe);
	F(LinuxRtSigframe, struct rt_sigframe, info); F(LinuxRtSigframe, struct rt_sigframe, uc);

	G(Constants, arm64_abi_values);
	E(AArch64Linux.elfMachine, EM_AARCH64);
	E(AArch64Linux.minimumSignalStackSize, MINSIGSTKSZ); E(AArch64Linux.signalStackSize, SIGSTKSZ);
	E(AArch64Linux.openFlagValues.directory, O_DIRECTORY); E(AArch64Linux.openFlagValues.noFollow, O_NOFOLLOW);
	E(AArch64Linux.openFlagValues.direct, O_DIRECT); E(AArch64Linux.openFlagValues.largeFile, O_LARGEFILE);
	E(AArch64Hwcap.FP, HWCAP_FP); E(AArch64Hwcap.ASIMD, HWCAP_ASIMD); E(AArch64Hwcap.EVTSTRM, HWCAP_EVTSTRM);
	E(AArch64Hwcap.AES, HWCAP_AES); E(AArch64Hwcap.PMULL, HWCAP_PMULL); E(AArch64Hwcap.SHA1, HWCAP_SHA1);
	E(AArch64Hwcap.SHA2, HWCAP_SHA2); E(AArch64Hwcap.CRC32, HWCAP_CRC32); E(AArch64Hwcap.ATOMICS, HWCAP_ATOMICS);
	E(AArch64Hwcap.CPUID, HWCAP_CPUID);
}
