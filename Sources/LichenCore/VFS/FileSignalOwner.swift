/// What F_SETOWN, F_SETOWN_EX and F_SETSIG store in an open file description (Linux's fown_struct):
/// the thread, process or process group to signal when I/O becomes possible, and the signal.
/// Lichen stores and reports these as Linux does but does not send I/O signals (O_ASYNC).
public struct FileSignalOwner: Equatable, Sendable {
    /// F_OWNER_TID, F_OWNER_PID, F_OWNER_PGRP (struct f_owner_ex's type).
    public static let F_OWNER_TID: Int32 = 0, F_OWNER_PID: Int32 = 1, F_OWNER_PGRP: Int32 = 2

    /// One of the F_OWNER_ kinds; a fresh file is F_OWNER_TID with no one, as on Linux.
    public var type: Int32 = FileSignalOwner.F_OWNER_TID
    /// The thread, process or group id; 0 for no one.
    public var pid: Int32 = 0
    /// F_SETSIG: 0 means SIGIO.
    public var signal: Int32 = 0

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
}
