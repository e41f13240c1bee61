/// When an access (read, getdents, readlink, following a symlink) moves a file's access time:
/// Linux's atime_needs_update and relatime_need_update. The VFS picks the rule from the mount's
/// options and the open file's O_NOATIME (`Location.accessed`); the filesystem applies it with its
/// own clock and stores the time in its own format (`Inode.accessed`).
public enum AccessTimeUpdate: Sendable {
    /// MS_STRICTATIME: every access.
    case always
    /// MS_RELATIME (the default): when the access time is not after the modification or change
    /// time, or is a day old.
    case relative

    /// Whether an inode with these times records an access made at `now`.
    public func isDue(atime: Timespec, mtime: Timespec, ctime: Timespec, now: Timespec) -> Bool {
        if case .relative = self, atime > mtime, atime > ctime, now.seconds &- atime.seconds < 86_400 {
            return false
        }
        return atime != now
    }

    /// The rule a mount's options give an inode (nil: no update): read-only and noatime mounts
    /// record nothing, nodiratime ones nothing for directories.
    public static func forMount(_ flags: MountFlags, directory: () -> Bool) -> AccessTimeUpdate? {
        if flags.contains(.readOnly) || flags.contains(.noAtime) { return nil }
        if flags.contains(.noDirAtime) && directory() { return nil }
        return flags.contains(.relAtime) ? .relative : .always
    }
}

extension Location {
    /// An access through this mount (Linux's touch_atime): the inode records it if the mount's
    /// options call for it. `noAtime`: the open file has O_NOATIME. Errors are not reported, as on
    /// Linux.
    public func accessed(noAtime: Bool = false) async {
        if noAtime { return }
        let inode = self.inode
        guard let update = AccessTimeUpdate.forMount(mount.flags, directory: { inode.metadata.isDirectory }) else { return }
        await inode.accessed(update)
    }
}
