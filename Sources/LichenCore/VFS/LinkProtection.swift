// fs.protected_hardlinks, fs.protected_symlinks, fs.protected_fifos and fs.protected_regular
// (proc(5)): the rules that stop links and files planted in shared sticky directories (/tmp) from
// being turned against other users.

/// The four knobs. Linux builds them off; Debian (procps' protect-links.conf) sets 1, 1, 1, 2, and
/// so does Lichen.
public struct LinkProtection: Equatable, Sendable {
    public var hardlinks = 1
    public var symlinks = 1
    public var fifos = 1
    public var regular = 2

    public init() {}
    public static let off: LinkProtection = {
        var p = LinkProtection()
        p.hardlinks = 0; p.symlinks = 0; p.fifos = 0; p.regular = 0
        return p
    }()
}

extension Credentials {
    /// may_follow_link: in a sticky world-writable directory, only links owned by the follower or
    /// by the directory's owner are followed (EACCES otherwise; no capability overrides it).
    public func mayFollowLink(_ link: InodeMetadata, in directory: InodeMetadata, _ protection: LinkProtection) -> Bool {
        if protection.symlinks == 0 || link.uid == fsuid { return true }
        let stickyWorldWritable = FileMode.S_ISVTX | 0o002
        if directory.mode & stickyWorldWritable != stickyWorldWritable { return true }
        return directory.uid == link.uid
    }

    /// may_linkat: a hard link to a file one does not own (without CAP_FOWNER) only to a regular
    /// file that is not set-id and that one may read and write (EPERM otherwise).
    public func mayHardLink(_ source: InodeMetadata, _ protection: LinkProtection) -> Bool {
        if protection.hardlinks == 0 || ownsOrOverrides(source) { return true }
        guard source.isRegular, source.mode & FileMode.S_ISUID == 0 else { return false }
        if source.mode & (FileMode.S_ISGID | 0o010) == FileMode.S_ISGID | 0o010 { return false }
        return permits([.read, .write], source)
    }

    /// may_create_in_sticky: open(O_CREAT) of an existing FIFO or regular file in a sticky
    /// directory, owned by neither the opener nor the directory's owner: refused (EACCES) when the
    /// directory is world-writable, or group-writable at level 2. Root included.
    public func mayOpenExistingForCreate(_ file: InodeMetadata, in directory: InodeMetadata,
                                         _ protection: LinkProtection) -> Bool {
        guard directory.mode & FileMode.S_ISVTX != 0 else { return true }
        let level: Int
        switch file.type {
        case .regular: level = protection.regular
        case .fifo: level = protection.fifos
        default: return true
        }
        if level == 0 || file.uid == directory.uid || file.uid == fsuid { return true }
        if directory.mode & 0o002 != 0 { return false }
        return !(directory.mode & 0o020 != 0 && level >= 2)
    }
}
