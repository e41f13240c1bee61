/// `struct signalfd_siginfo` (linux/signalfd.h): what a read from a signalfd returns per signal.
public struct LinuxSignalfdSiginfo: Sendable {
    public var ssi_signo: UInt32 = 0
    public var ssi_errno: Int32 = 0
    public var ssi_code: Int32 = 0
    public var ssi_pid: UInt32 = 0
    public var ssi_uid: UInt32 = 0
    public var ssi_fd: Int32 = 0
    public var ssi_tid: UInt32 = 0
    public var ssi_band: UInt32 = 0
    public var ssi_overrun: UInt32 = 0
    public var ssi_trapno: UInt32 = 0
    public var ssi_status: Int32 = 0
    public var ssi_int: Int32 = 0
    public var ssi_ptr: UInt64 = 0
    public var ssi_utime: UInt64 = 0
    public var ssi_stime: UInt64 = 0
    public var ssi_addr: UInt64 = 0
    public var ssi_addr_lsb: UInt16 = 0
    private var pad2: UInt16 = 0
    public var ssi_syscall: Int32 = 0
    public var ssi_call_addr: UInt64 = 0
    public var ssi_arch: UInt32 = 0
    private var pad: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32) = (0, 0, 0, 0, 0, 0, 0)

    public init() {}

    /// The fields Linux's signalfd_copyinfo fills for the siginfo's layout (kill, timer, child,
    /// fault, queued and poll signals).
    public init(_ info: LinuxSigInfo) {
        ssi_signo = UInt32(bitPattern: info.si_signo)
        ssi_errno = info.si_errno
        ssi_code = info.si_code
        let signal = Signal(info.si_signo)
        if info.si_code == LinuxSigInfo.SI_TIMER {
            ssi_tid = UInt32(bitPattern: info.si_tid)
            ssi_overrun = UInt32(bitPattern: info.si_overrun)
            ssi_ptr = info.si_value
            ssi_int = Int32(truncatingIfNeeded: info.si_value)
        } else if info.si_code == LinuxSigInfo.SI_SIGIO || (signal == .SIGIO && info.si_code > 0) {
            ssi_band = UInt32(truncatingIfNeeded: info.si_band)
            ssi_fd = info.si_fd
        } else if info.si_code > 0, let signal, SignalSet.synchronous.contains(signal) {
            ssi_addr = info.si_addr
        } else if info.si_code > 0, signal == .SIGCHLD {
            ssi_pid = UInt32(bitPattern: info.si_pid)
            ssi_uid = info.si_uid
            ssi_status = info.si_status
            ssi_utime = UInt64(bitPattern: info.si_utime)
            ssi_stime = UInt64(bitPattern: info.si_stime)
        } else {
            // SI_USER, SI_TKILL, SI_QUEUE, SI_MESGQ and kernel-sent signals: the sender and, when
            // queued with a value, the value.
            ssi_pid = UInt32(bitPattern: info.si_pid)
            ssi_uid = info.si_uid
            if info.si_code == LinuxSigInfo.SI_QUEUE || info.si_code == LinuxSigInfo.SI_MESGQ {
                ssi_ptr = info.si_value
                ssi_int = Int32(truncatingIfNeeded: info.si_value)
            }
        }
    }
}
