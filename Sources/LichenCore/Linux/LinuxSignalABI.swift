// Signal structures of the Linux arm64 user ABI: the kernel's `struct sigaction` (rt_sigaction; not
// glibc's), `stack_t` (sigaltstack) and `siginfo_t` (128 bytes, a union after three ints).

/// The kernel `struct sigaction` for arm64: 32 bytes; sa_mask is the kernel's 64-bit sigset_t.
public struct LinuxSigaction: Hashable, Sendable {
    /// SIG_DFL (0), SIG_IGN (1) or the handler's address.
    public var sa_handler: UInt64
    public var sa_flags: UInt64
    public var sa_restorer: UInt64
    public var sa_mask: UInt64
    public init(sa_handler: UInt64 = 0, sa_flags: UInt64 = 0, sa_restorer: UInt64 = 0, sa_mask: UInt64 = 0) {
        self.sa_handler = sa_handler; self.sa_flags = sa_flags
        self.sa_restorer = sa_restorer; self.sa_mask = sa_mask
    }
    public static let SIG_DFL: UInt64 = 0
    public static let SIG_IGN: UInt64 = 1
    /// The size rt_sigaction requires as its sigsetsize argument (EINVAL otherwise).
    public static let sigsetSize = 8
}

/// `stack_t`: 24 bytes (sigaltstack, uc_stack).
public struct LinuxStack: Hashable, Sendable {
    public var ss_sp: UInt64
    public var ss_flags: Int32
    /// Implicit C padding before ss_size.
    public var __pad0: Int32 = 0
    public var ss_size: UInt64
    public init(ss_sp: UInt64 = 0, ss_flags: Int32 = 0, ss_size: UInt64 = 0) {
        self.ss_sp = ss_sp; self.ss_flags = ss_flags; self.ss_size = ss_size
    }
    public static let SS_ONSTACK: Int32 = 1
    public static let SS_DISABLE: Int32 = 2
    public static let SS_AUTODISARM: Int32 = 1 << 31
    // MINSIGSTKSZ and SIGSTKSZ depend on the architecture's signal frame: LinuxArchABI.
}

/// `siginfo_t`: 128 bytes. The union `_sifields` at offset 16 is kept as raw storage with typed
/// accessors for the members Lichen fills in (kill, rt/sigqueue, SIGCHLD, faults, timers, poll).
public struct LinuxSigInfo: Sendable {
    public var si_signo: Int32 = 0
    public var si_errno: Int32 = 0
    public var si_code: Int32 = 0
    /// Implicit C padding: the union is 8-byte aligned.
    public var __pad0: Int32 = 0
    public var fields: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

    /// Offsets of the union members in the whole siginfo_t (checked against the C layout).
    public enum Offset {
        public static let si_pid = 16, si_uid = 20          // _kill, _rt, _sigchld
        public static let si_status = 24                    // _sigchld
        public static let si_utime = 32, si_stime = 40      // _sigchld
        public static let si_value = 24                     // _rt, _timer
        public static let si_addr = 16                      // _sigfault
        public static let si_tid = 16, si_overrun = 20      // _timer
        public static let si_band = 16, si_fd = 24          // _sigpoll
    }
    static let fieldsOffset = 16

    public init() {}
    public init(signo: Int32, code: Int32, errno: Int32 = 0) { si_signo = signo; si_code = code; si_errno = errno }

    private func load<T: FixedWidthInteger>(_ offset: Int, as: T.Type) -> T {
        withUnsafeBytes(of: fields) { $0.loadUnaligned(fromByteOffset: offset - LinuxSigInfo.fieldsOffset, as: T.self) }
    }
    private mutating func store<T: FixedWidthInteger>(_ value: T, _ offset: Int) {
        withUnsafeMutableBytes(of: &fields) { $0.storeBytes(of: value, toByteOffset: offset - LinuxSigInfo.fieldsOffset, as: T.self) }
    }

    public var si_pid: Int32 { get { load(Offset.si_pid, as: Int32.self) } set { store(newValue, Offset.si_pid) } }
    public var si_uid: UInt32 { get { load(Offset.si_uid, as: UInt32.self) } set { store(newValue, Offset.si_uid) } }
    public var si_status: Int32 { get { load(Offset.si_status, as: Int32.self) } set { store(newValue, Offset.si_status) } }
    public var si_utime: Int64 { get { load(Offset.si_utime, as: Int64.self) } set { store(newValue, Offset.si_utime) } }
    public var si_stime: Int64 { get { load(Offset.si_stime, as: Int64.self) } set { store(newValue, Offset.si_stime) } }
    /// `sigval_t` (int or pointer; 8 bytes).
    public var si_value: UInt64 { get { load(Offset.si_value, as: UInt64.self) } set { store(newValue, Offset.si_value) } }
    public var si_addr: UInt64 { get { load(Offset.si_addr, as: UInt64.self) } set { store(newValue, Offset.si_addr) } }
    public var si_tid: Int32 { get { load(Offset.si_tid, as: Int32.self) } set { store(newValue, Offset.si_tid) } }
    public var si_overrun: Int32 { get { load(Offset.si_overrun, as: Int32.self) } set { store(newValue, Offset.si_overrun) } }
    public var si_band: Int64 { get { load(Offset.si_band, as: Int64.self) } set { store(newValue, Offset.si_band) } }
    public var si_fd: Int32 { get { load(Offset.si_fd, as: Int32.self) } set { store(newValue, Offset.si_fd) } }

    /// kill/tkill/tgkill (SI_USER / SI_TKILL) and signals the kernel sends on a process's behalf.
    public static func kill(signo: Int32, code: Int32 = SI_USER, pid: Int32, uid: UInt32) -> LinuxSigInfo {
        var i = LinuxSigInfo(signo: signo, code: code)
        i.si_pid = pid; i.si_uid = uid
        return i
    }
    /// rt_sigqueueinfo / SI_QUEUE with a value.
    public static func queued(signo: Int32, code: Int32 = SI_QUEUE, pid: Int32, uid: UInt32, value: UInt64) -> LinuxSigInfo {
        var i = kill(signo: signo, code: code, pid: pid, uid: uid)
        i.si_value = value
        return i
    }
    /// SIGCHLD: `code` is CLD_*, `status` the exit code (CLD_EXITED) or the signal number.
    public static func child(code: Int32, pid: Int32, uid: UInt32, status: Int32,
                             utime: Int64 = 0, stime: Int64 = 0, signo: Int32 = 17) -> LinuxSigInfo {
        var i = kill(signo: signo, code: code, pid: pid, uid: uid)
        i.si_status = status; i.si_utime = utime; i.si_stime = stime
        return i
    }
    /// SIGSEGV/SIGBUS/SIGILL/SIGFPE/SIGTRAP from a fault at `address`.
    public static func fault(signo: Int32, code: Int32, address: UInt64) -> LinuxSigInfo {
        var i = LinuxSigInfo(signo: signo, code: code)
        i.si_addr = address
        return i
    }

    // si_code values (asm-generic/siginfo.h).
    public static let SI_USER: Int32 = 0
    public static let SI_KERNEL: Int32 = 0x80
    public static let SI_QUEUE: Int32 = -1
    public static let SI_TIMER: Int32 = -2
    public static let SI_MESGQ: Int32 = -3
    public static let SI_ASYNCIO: Int32 = -4
    public static let SI_SIGIO: Int32 = -5
    public static let SI_TKILL: Int32 = -6
    public static let ILL_ILLOPC: Int32 = 1, ILL_ILLOPN: Int32 = 2, ILL_ILLADR: Int32 = 3, ILL_ILLTRP: Int32 = 4
    public static let ILL_PRVOPC: Int32 = 5, ILL_PRVREG: Int32 = 6, ILL_COPROC: Int32 = 7, ILL_BADSTK: Int32 = 8
    public static let FPE_INTDIV: Int32 = 1, FPE_INTOVF: Int32 = 2, FPE_FLTDIV: Int32 = 3, FPE_FLTOVF: Int32 = 4
    public static let FPE_FLTUND: Int32 = 5, FPE_FLTRES: Int32 = 6, FPE_FLTINV: Int32 = 7, FPE_FLTSUB: Int32 = 8
    public static let FPE_FLTUNK: Int32 = 14
    public static let SEGV_MAPERR: Int32 = 1, SEGV_ACCERR: Int32 = 2
    public static let BUS_ADRALN: Int32 = 1, BUS_ADRERR: Int32 = 2, BUS_OBJERR: Int32 = 3
    public static let TRAP_BRKPT: Int32 = 1, TRAP_TRACE: Int32 = 2
    public static let CLD_EXITED: Int32 = 1, CLD_KILLED: Int32 = 2, CLD_DUMPED: Int32 = 3
    public static let CLD_TRAPPED: Int32 = 4, CLD_STOPPED: Int32 = 5, CLD_CONTINUED: Int32 = 6
    public static let POLL_IN: Int32 = 1, POLL_OUT: Int32 = 2, POLL_MSG: Int32 = 3, POLL_ERR: Int32 = 4
    public static let POLL_PRI: Int32 = 5, POLL_HUP: Int32 = 6
}
