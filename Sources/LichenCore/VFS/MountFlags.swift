/// A mount's per-mount options (Linux's MNT_* as mount(2) spells them, MS_*): what the VFS enforces
/// for every file reached through that mount, whatever its filesystem.
public struct MountFlags: OptionSet, Sendable, Equatable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }

    /// MS_RDONLY: nothing under it changes (EROFS), device nodes and FIFOs aside.
    public static let readOnly = MountFlags(rawValue: 0x1)
    /// MS_NOSUID: executing a set-id program does not change ids.
    public static let noSuid = MountFlags(rawValue: 0x2)
    /// MS_NODEV: device nodes cannot be opened (EACCES).
    public static let noDev = MountFlags(rawValue: 0x4)
    /// MS_NOEXEC: programs cannot be executed (EACCES) nor mapped executable (EPERM).
    public static let noExec = MountFlags(rawValue: 0x8)
    /// MS_NOATIME, MS_NODIRATIME, MS_RELATIME, MS_STRICTATIME: access-time policy (shown; Lichen
    /// keeps atime as relatime does whatever is asked, see `atimeFlags`).
    public static let noAtime = MountFlags(rawValue: 0x400)
    public static let noDirAtime = MountFlags(rawValue: 0x800)
    public static let relAtime = MountFlags(rawValue: 0x200000)
    public static let strictAtime = MountFlags(rawValue: 0x1000000)

    /// Every flag a mount keeps; mount(2) flags outside these say what to do, not what to keep.
    public static let perMount: MountFlags = [.readOnly, .noSuid, .noDev, .noExec, .noAtime, .noDirAtime, .relAtime, .strictAtime]

    /// The per-mount part of mount(2)'s flags; relatime unless another atime policy is asked for,
    /// as Linux defaults.
    public init(mountSyscallFlags flags: UInt64) {
        var f = MountFlags(rawValue: flags).intersection(.perMount)
        if f.isDisjoint(with: [.noAtime, .strictAtime]) { f.insert(.relAtime) }
        f.remove(.strictAtime)
        self = f
    }

    /// /proc/mounts' options for these flags ("rw,nosuid,nodev,relatime").
    public var optionsText: String {
        var s = contains(.readOnly) ? "ro" : "rw"
        if contains(.noSuid) { s += ",nosuid" }
        if contains(.noDev) { s += ",nodev" }
        if contains(.noExec) { s += ",noexec" }
        if contains(.noAtime) { s += ",noatime" }
        if contains(.noDirAtime) { s += ",nodiratime" }
        if contains(.relAtime) { s += ",relatime" }
        return s
    }

    /// statfs's f_flags bits (ST_RDONLY, ST_NOSUID, ST_NODEV, ST_NOEXEC, ST_NOATIME,
    /// ST_NODIRATIME, ST_RELATIME), without ST_VALID.
    public var statfsFlags: UInt64 {
        var f: UInt64 = 0
        if contains(.readOnly) { f |= 0x1 }
        if contains(.noSuid) { f |= 0x2 }
        if contains(.noDev) { f |= 0x4 }
        if contains(.noExec) { f |= 0x8 }
        if contains(.noAtime) { f |= 0x400 }
        if contains(.noDirAtime) { f |= 0x800 }
        if contains(.relAtime) { f |= 0x1000 }
        return f
    }
}
