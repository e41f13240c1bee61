// The prctl(2) options that read or change the caller's capability state (Linux's cap_task_prctl):
// the bounding set, the ambient set, the securebits and keep-capabilities.

extension Credentials {
    public static let PR_GET_KEEPCAPS: UInt64 = 7, PR_SET_KEEPCAPS: UInt64 = 8
    public static let PR_CAPBSET_READ: UInt64 = 23, PR_CAPBSET_DROP: UInt64 = 24
    public static let PR_GET_SECUREBITS: UInt64 = 27, PR_SET_SECUREBITS: UInt64 = 28
    public static let PR_CAP_AMBIENT: UInt64 = 47
    public static let PR_CAP_AMBIENT_IS_SET: UInt64 = 1, PR_CAP_AMBIENT_RAISE: UInt64 = 2
    public static let PR_CAP_AMBIENT_LOWER: UInt64 = 3, PR_CAP_AMBIENT_CLEAR_ALL: UInt64 = 4

    /// Whether prctl `option` is one of these (the caller then runs `capabilityControl` under the
    /// credentials' lock).
    public static func isCapabilityControl(_ option: UInt64) -> Bool {
        switch option {
        case PR_GET_KEEPCAPS, PR_SET_KEEPCAPS, PR_CAPBSET_READ, PR_CAPBSET_DROP, PR_GET_SECUREBITS,
             PR_SET_SECUREBITS, PR_CAP_AMBIENT: return true
        default: return false
        }
    }

    /// One capability prctl, in Linux's order of checks; returns prctl's result.
    public mutating func capabilityControl(_ option: UInt64, _ a2: UInt64, _ a3: UInt64, _ a4: UInt64,
                                           _ a5: UInt64) throws(Errno) -> UInt64 {
        switch option {
        case Self.PR_CAPBSET_READ:
            guard let c = Capability(number: a2) else { throw .EINVAL }
            return bounding.contains(c) ? 1 : 0
        case Self.PR_CAPBSET_DROP:
            guard has(.CAP_SETPCAP) else { throw .EPERM }
            guard let c = Capability(number: a2) else { throw .EINVAL }
            bounding.remove(c)
        case Self.PR_GET_SECUREBITS:
            return UInt64(securebits)
        case Self.PR_SET_SECUREBITS:
            let old = UInt64(securebits)
            let locks = UInt64(Securebits.allLocks)
            if ((old & locks) >> 1) & (old ^ a2) != 0              // a locked flag may not change
                || old & locks & ~a2 != 0                           // nor a lock be released
                || a2 & ~UInt64(Securebits.allLocks | Securebits.allFlags) != 0
                || !has(.CAP_SETPCAP) { throw .EPERM }
            securebits = UInt32(a2)
        case Self.PR_GET_KEEPCAPS:
            return isSecure(Securebits.keepCaps) ? 1 : 0
        case Self.PR_SET_KEEPCAPS:
            guard a2 <= 1 else { throw .EINVAL }
            guard !isSecure(Securebits.keepCaps << 1) else { throw .EPERM }     // SECBIT_KEEP_CAPS_LOCKED
            if a2 == 1 { securebits |= Securebits.keepCaps } else { securebits &= ~Securebits.keepCaps }
        case Self.PR_CAP_AMBIENT:
            return try ambientControl(a2, a3, a4, a5)
        default:
            throw .EINVAL
        }
        return 0
    }

    /// PR_CAP_AMBIENT: a capability may become ambient only if it is permitted and inheritable.
    private mutating func ambientControl(_ a2: UInt64, _ a3: UInt64, _ a4: UInt64, _ a5: UInt64) throws(Errno) -> UInt64 {
        if a2 == Self.PR_CAP_AMBIENT_CLEAR_ALL {
            guard a3 == 0, a4 == 0, a5 == 0 else { throw .EINVAL }
            ambient = .empty
            return 0
        }
        guard let c = Capability(number: a3), a4 == 0, a5 == 0 else { throw .EINVAL }
        switch a2 {
        case Self.PR_CAP_AMBIENT_IS_SET:
            return ambient.contains(c) ? 1 : 0
        case Self.PR_CAP_AMBIENT_RAISE:
            guard permitted.contains(c), inheritable.contains(c), !isSecure(Securebits.noCapAmbientRaise) else { throw .EPERM }
            ambient.insert(c)
        case Self.PR_CAP_AMBIENT_LOWER:
            ambient.remove(c)
        default:
            throw .EINVAL
        }
        return 0
    }
}
