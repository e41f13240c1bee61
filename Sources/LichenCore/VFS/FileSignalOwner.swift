/// What F_SETOWN, F_SETOWN_EX and F_SETSIG store in an open file description (Linux's fown_struct):
/// the thread, process or process group to signal when I/O becomes possible, and the signal.
/// FileAsyncNotifier sends the signal (O_ASYNC); `signalInfo` and `maysignal` are Linux's
/// send_sigio_to_task and sigio_perm.
public struct FileSignalOwner: Equatable, Sendable {
    /// F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP (struct f_owner_ex's type).
    public static let F_OWNER_TID: Int32 = 0, F_OWNER_PID: Int32 = 1, F_OWNER_PGRP: Int32 = 2

    /// One of the F_OWNER_ kinds; a fresh file is F_OWNER_TID with no one, as on Linux.
    public var type: Int32 = FileSignalOwner.F_OWNER_TID
    /// The thread, process or group id; 0 for no one.
    public var pid: Int32 = 0
    /// F_SETSIG: 0 means SIGIO.
    public var signal: Int32 = 0
    /// The real and effective uid of whoever set the owner with F_SETOWN(_EX) (root until then, as
    /// Linux's zeroed fown_struct): the permission to signal is theirs.
    public var uid: UInt32 = 0, euid: UInt32 = 0

    public init() {}

    /// F_SETOWN's argument: a process, or a process group as a negative number. INT_MIN is EINVAL.
    public mutating func setOwner(_ who: Int32) throws(Errno) {
        guard who != Int32.min else { throw .EINVAL }
        type = who < 0 ? FileSignalOwner.F_OWNER_PGRP : FileSignalOwner.F_OWNER_PID
        pid = who < 0 ? -who : who
    }

    /// F_GETOWN: a group comes back negative.
    public var ownerArgument: Int32 { type == FileSignalOwner.F_OWNER_PGRP ? -pid : pid }

    /// F_SETOWN_EX: EINVAL for an unknown type.
    public mutating func setOwner(_ owner: LinuxFOwnerEx) throws(Errno) {
        guard owner.type >= FileSignalOwner.F_OWNER_TID && owner.type <= FileSignalOwner.F_OWNER_PGRP else { throw .EINVAL }
        type = owner.type
        pid = owner.pid
    }

    /// F_SETSIG: 0 (SIGIO) to 64, what Linux's valid_signal accepts.
    public mutating func setSignal(_ signal: UInt32) throws(Errno) {
        guard signal <= 64 else { throw .EINVAL }
        self.signal = Int32(signal)
    }

    /// Linux's sigio_perm: the setter is root or shares a uid with the target's real or saved uid.
    public func maySignal(_ target: Credentials) -> Bool {
        euid == 0 || euid == target.suid || euid == target.uid || uid == target.suid || uid == target.uid
    }

    /// The siginfo for `reason` (POLL_IN...) about descriptor `fd`: plain SIGIO from the kernel when
    /// F_SETSIG is 0, else the chosen signal with the reason, the poll band and the descriptor.
    public func signalInfo(reason: Int32, fd: Int32) -> LinuxSigInfo {
        let sigio = Signal.SIGIO.number
        guard signal != 0 else { return LinuxSigInfo.kill(signo: sigio, code: LinuxSigInfo.SI_KERNEL, pid: 0, uid: 0) }
        // Signals whose si_codes mean something else get SI_SIGIO, as Linux (sig_specific_sicodes).
        let specific: [Int32] = [4, 5, 7, 8, 11, 17, 31]   // SIGILL SIGTRAP SIGBUS SIGFPE SIGSEGV SIGCHLD SIGSYS
        var info = LinuxSigInfo(signo: signal, code: specific.contains(signal) ? FileSignalOwner.SI_SIGIO : reason)
        // Linux's band_table (POLLIN|POLLRDNORM, POLLOUT|POLLWRNORM|POLLWRBAND, ...).
        let bands: [Int64] = [0x41, 0x304, 0x441, 0x8, 0x82, 0x18]
        info.si_band = reason >= 1 && reason <= 6 ? bands[Int(reason) - 1] : -1
        info.si_fd = fd
        return info
    }

    public static let SI_SIGIO: Int32 = -5
}
