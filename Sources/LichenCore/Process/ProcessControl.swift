// prctl(2)'s per-process switches (Linux keeps them in task_struct, mm and cred) and their argument
// rules, apart from the options that copy strings or integers to and from user memory and the
// capability options (CapabilitiesControl.swift).

public struct ProcessControl: Equatable, Sendable {
    /// PR_SET_NO_NEW_PRIVS: execve no longer grants privileges (sticky, inherited).
    public var noNewPrivileges = false
    /// PR_SET_DUMPABLE (1 by default; 0 after a set-id exec).
    public var dumpable: UInt64 = 1
    /// PR_SET_PDEATHSIG: sent to this process when its parent exits (0: none).
    public var parentDeathSignal: Int32 = 0
    /// PR_SET_CHILD_SUBREAPER.
    public var childSubreaper = false
    /// personality(2): PER_LINUX (0) or PER_LINUX32 (8) in the low byte, plus flags; inherited and
    /// kept across execve.
    public var personality: UInt32 = 0
    public static let PER_LINUX32: UInt32 = 0x0008

    /// personality(2): 0xffffffff only queries; returns the previous value.
    public mutating func setPersonality(_ requested: UInt32) -> UInt32 {
        let old = personality
        if requested != 0xffff_ffff { personality = requested }
        return old
    }

    /// Whether uname reports the 32-bit architecture (linux32): LinuxArchABI.machine(linux32:).
    public var isLinux32: Bool { personality & 0xff == Self.PER_LINUX32 }

    public init() {}

    public static let PR_SET_PDEATHSIG: UInt64 = 1, PR_GET_PDEATHSIG: UInt64 = 2
    public static let PR_GET_DUMPABLE: UInt64 = 3, PR_SET_DUMPABLE: UInt64 = 4
    public static let PR_SET_NAME: UInt64 = 15, PR_GET_NAME: UInt64 = 16
    public static let PR_SET_CHILD_SUBREAPER: UInt64 = 36, PR_GET_CHILD_SUBREAPER: UInt64 = 37
    public static let PR_SET_NO_NEW_PRIVS: UInt64 = 38, PR_GET_NO_NEW_PRIVS: UInt64 = 39

    /// The options that only read or set state here: the return value, or nil if `option` is not one
    /// of them (the caller handles names, PR_GET_PDEATHSIG and PR_GET_CHILD_SUBREAPER's pointers).
    public mutating func apply(_ option: UInt64, _ a2: UInt64, _ a3: UInt64, _ a4: UInt64, _ a5: UInt64) throws(Errno) -> UInt64? {
        switch option {
        case Self.PR_SET_PDEATHSIG:
            guard a2 <= 64 else { throw .EINVAL }
            parentDeathSignal = Int32(a2)
        case Self.PR_GET_DUMPABLE: return dumpable
        case Self.PR_SET_DUMPABLE:
            guard a2 <= 1 else { throw .EINVAL }
            dumpable = a2
        case Self.PR_SET_CHILD_SUBREAPER: childSubreaper = a2 != 0
        case Self.PR_SET_NO_NEW_PRIVS:
            guard a2 == 1, a3 == 0, a4 == 0, a5 == 0 else { throw .EINVAL }
            noNewPrivileges = true
        case Self.PR_GET_NO_NEW_PRIVS:
            guard a2 == 0, a3 == 0, a4 == 0, a5 == 0 else { throw .EINVAL }
            return noNewPrivileges ? 1 : 0
        default: return nil
        }
        return 0
    }

    /// What a fork child inherits: everything but the parent-death signal and the subreaper flag.
    public var forked: ProcessControl {
        var c = self
        c.parentDeathSignal = 0
        c.childSubreaper = false
        return c
    }
}
