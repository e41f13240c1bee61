// Linux's capability model (capabilities(7)): the privileges of the superuser split into units,
// held in per-credentials sets. Every privileged operation asks `Credentials.has(_:)`.

/// One capability, numbered as in <linux/capability.h> (Linux 6.1: 0...40).
public enum Capability: UInt8, Sendable, CaseIterable {
    case CAP_CHOWN = 0, CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER, CAP_FSETID, CAP_KILL,
         CAP_SETGID, CAP_SETUID, CAP_SETPCAP, CAP_LINUX_IMMUTABLE, CAP_NET_BIND_SERVICE,
         CAP_NET_BROADCAST, CAP_NET_ADMIN, CAP_NET_RAW, CAP_IPC_LOCK, CAP_IPC_OWNER, CAP_SYS_MODULE,
         CAP_SYS_RAWIO, CAP_SYS_CHROOT, CAP_SYS_PTRACE, CAP_SYS_PACCT, CAP_SYS_ADMIN, CAP_SYS_BOOT,
         CAP_SYS_NICE, CAP_SYS_RESOURCE, CAP_SYS_TIME, CAP_SYS_TTY_CONFIG, CAP_MKNOD, CAP_LEASE,
         CAP_AUDIT_WRITE, CAP_AUDIT_CONTROL, CAP_SETFCAP, CAP_MAC_OVERRIDE, CAP_MAC_ADMIN, CAP_SYSLOG,
         CAP_WAKE_ALARM, CAP_BLOCK_SUSPEND, CAP_AUDIT_READ, CAP_PERFMON, CAP_BPF, CAP_CHECKPOINT_RESTORE

    /// CAP_LAST_CAP.
    public static let last = Capability.CAP_CHECKPOINT_RESTORE

    /// The capability numbered `value` (prctl's argument), nil if there is none (cap_valid).
    public init?(number value: UInt64) {
        guard value <= UInt64(Capability.last.rawValue) else { return nil }
        self.init(rawValue: UInt8(value))
    }
}

/// A set of capabilities as Linux's kernel_cap_t: bit n is capability n.
public struct CapabilitySet: Equatable, Sendable {
    public var bits: UInt64

    public init(bits: UInt64) { self.bits = bits & Self.full.bits }
    public init(_ capabilities: [Capability]) {
        bits = capabilities.reduce(0) { $0 | (1 << UInt64($1.rawValue)) }
    }

    public static let empty = CapabilitySet(bits: 0)
    public static let full = CapabilitySet(rawBits: (1 << (UInt64(Capability.last.rawValue) + 1)) - 1)
    private init(rawBits: UInt64) { bits = rawBits }

    /// CAP_FS_SET: what a change of the filesystem uid to or from 0 drops or raises.
    public static let filesystem = CapabilitySet([.CAP_CHOWN, .CAP_DAC_OVERRIDE, .CAP_DAC_READ_SEARCH, .CAP_FOWNER,
                                                 .CAP_FSETID, .CAP_LINUX_IMMUTABLE, .CAP_MAC_OVERRIDE, .CAP_MKNOD])

    public func contains(_ capability: Capability) -> Bool { bits & (1 << UInt64(capability.rawValue)) != 0 }
    public func isSubset(of other: CapabilitySet) -> Bool { bits & ~other.bits == 0 }
    public var isEmpty: Bool { bits == 0 }

    public mutating func insert(_ capability: Capability) { bits |= 1 << UInt64(capability.rawValue) }
    public mutating func remove(_ capability: Capability) { bits &= ~(1 << UInt64(capability.rawValue)) }
    public func union(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawBits: bits | other.bits) }
    public func intersection(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawBits: bits & other.bits) }
    public func subtracting(_ other: CapabilitySet) -> CapabilitySet { CapabilitySet(rawBits: bits & ~other.bits) }
}

/// The securebits (prctl PR_SET_SECUREBITS): each flag at an even bit, its lock at the next one.
public enum Securebits {
    public static let noRoot: UInt32 = 1 << 0                 // SECBIT_NOROOT
    public static let noSetuidFixup: UInt32 = 1 << 2          // SECBIT_NO_SETUID_FIXUP
    public static let keepCaps: UInt32 = 1 << 4               // SECBIT_KEEP_CAPS
    public static let noCapAmbientRaise: UInt32 = 1 << 6      // SECBIT_NO_CAP_AMBIENT_RAISE
    public static let allFlags: UInt32 = 0x55                 // SECURE_ALL_BITS
    public static let allLocks: UInt32 = 0xaa                 // SECURE_ALL_LOCKS
}

extension Credentials {
    /// THE privilege check: whether the effective set holds `capability` (Linux's capable()).
    public func has(_ capability: Capability) -> Bool { effective.contains(capability) }

    /// Whether securebit `bit` (a Securebits flag) is set.
    public func isSecure(_ bit: UInt32) -> Bool { securebits & bit != 0 }

    /// Linux's cap_emulate_setxuid, after setuid/setreuid/setresuid changed `old`'s ids to these:
    /// losing uid 0 from all of real, effective and saved clears permitted and effective (unless
    /// SECBIT_KEEP_CAPS) and ambient; the effective uid leaving 0 clears the effective set, and
    /// becoming 0 again fills it from the permitted set.
    mutating func fixCapabilitiesAfterUIDChange(from old: Credentials) {
        if isSecure(Securebits.noSetuidFixup) { return }
        if (old.uid == 0 || old.euid == 0 || old.suid == 0) && uid != 0 && euid != 0 && suid != 0 {
            if !isSecure(Securebits.keepCaps) {
                permitted = .empty
                effective = .empty
            }
            ambient = .empty
        }
        if old.euid == 0 && euid != 0 { effective = .empty }
        if old.euid != 0 && euid == 0 { effective = permitted }
    }

    /// setfsuid's fixup: the filesystem uid leaving 0 drops the filesystem capabilities from the
    /// effective set; becoming 0 raises those of them that are permitted.
    mutating func fixCapabilitiesAfterFSUIDChange(from oldFSUID: UInt32) {
        if isSecure(Securebits.noSetuidFixup) { return }
        if oldFSUID == 0 && fsuid != 0 { effective = effective.subtracting(.filesystem) }
        if oldFSUID != 0 && fsuid == 0 {
            effective = effective.union(permitted.intersection(.filesystem))
        }
    }

    /// Linux's ptrace access check for reading (PTRACE_MODE_READ_FSCREDS), which /proc applies to
    /// another process's maps, cwd, exe, root, fd, environ...: the caller's filesystem ids must be
    /// all of the target's real, effective and saved ids and the target dumpable, unless the caller
    /// holds CAP_SYS_PTRACE. (A process inspecting itself is always allowed: the caller's check.)
    public func mayInspect(_ target: Credentials, targetDumpable: Bool) -> Bool {
        if has(.CAP_SYS_PTRACE) { return true }
        let sameUser = fsuid == target.uid && fsuid == target.euid && fsuid == target.suid
        let sameGroup = fsgid == target.gid && fsgid == target.egid && fsgid == target.sgid
        return sameUser && sameGroup && targetDumpable
    }

    /// capset(2) on the caller's own credentials (Linux's cap_capset): the inheritable set may only
    /// gain what is permitted (or anything with CAP_SETPCAP) and never leave the bounding set; the
    /// permitted set may only shrink; the effective set stays within the permitted one. The ambient
    /// set keeps what is still both permitted and inheritable.
    public mutating func setCapabilities(effective e: CapabilitySet, permitted p: CapabilitySet,
                                         inheritable i: CapabilitySet) throws(Errno) {
        if !has(.CAP_SETPCAP) && !i.isSubset(of: inheritable.union(permitted)) { throw .EPERM }
        if !i.isSubset(of: inheritable.union(bounding)) { throw .EPERM }
        if !p.isSubset(of: permitted) { throw .EPERM }
        if !e.isSubset(of: p) { throw .EPERM }
        effective = e
        permitted = p
        inheritable = i
        ambient = ambient.intersection(p.intersection(i))
    }
}
