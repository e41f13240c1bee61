// One member of a cpio "newc" archive (header 070701, or 070702 with a data checksum).

/// The file-type bits of st_mode (S_IFMT).
public enum CpioFileType: Equatable, Sendable {
    case regular, directory, symbolicLink, characterDevice, blockDevice, fifo, socket

    public init?(mode: UInt32) {
        switch mode & 0o170000 {
        case 0o100000: self = .regular
        case 0o040000: self = .directory
        case 0o120000: self = .symbolicLink
        case 0o020000: self = .characterDevice
        case 0o060000: self = .blockDevice
        case 0o010000: self = .fifo
        case 0o140000: self = .socket
        default: return nil
        }
    }
}

/// Identifies one inode across the entries that share it (hard links).
public struct CpioInodeKey: Hashable, Sendable {
    public let inode: UInt32
    public let deviceMajor: UInt32
    public let deviceMinor: UInt32
}

/// An entry's header fields plus where its name and data lie in the archive buffer.
///
/// Hard links: entries with the same `inodeKey`, a regular-file type and nlink > 1 are one file
/// under several names. newc writers (GNU cpio, Linux's gen_init_cpio) store the data once, with
/// the last of them; the others have fileSize 0. A consumer does what Linux's initramfs does:
/// create the file for the first name, make each later name a hard link to it, and write any
/// non-empty data into that shared inode. The reader itself reports entries as they are.
public struct CpioEntry: Equatable, Sendable {
    public let inode: UInt32
    public let mode: UInt32
    public let uid: UInt32
    public let gid: UInt32
    public let linkCount: UInt32
    public let modificationTime: UInt32
    public let fileSize: UInt32
    public let deviceMajor: UInt32
    public let deviceMinor: UInt32
    public let rdevMajor: UInt32
    public let rdevMinor: UInt32
    /// The 070702 checksum field (0 in 070701 archives); already verified.
    public let checksum: UInt32
    public let hasChecksum: Bool
    /// Byte ranges in the archive buffer: the name without its NUL, and the data (a symlink's target).
    public let name: Range<Int>
    public let data: Range<Int>

    public var fileType: CpioFileType? { CpioFileType(mode: mode) }
    public var permissions: UInt32 { mode & 0o7777 }
    public var inodeKey: CpioInodeKey { CpioInodeKey(inode: inode, deviceMajor: deviceMajor, deviceMinor: deviceMinor) }
    /// Part of a hard-link group (see above).
    public var isHardLink: Bool { linkCount > 1 && fileType == .regular }
}
