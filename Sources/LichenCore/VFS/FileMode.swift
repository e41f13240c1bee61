// Linux mode bits (st_mode) and the file type they encode.

/// The `st_mode` bits, named as in Linux. A mode is a plain `UInt32`: type bits | permission bits.
public enum FileMode {
    public static let S_IFMT: UInt32 = 0o170000
    public static let S_IFSOCK: UInt32 = 0o140000
    public static let S_IFLNK: UInt32 = 0o120000
    public static let S_IFREG: UInt32 = 0o100000
    public static let S_IFBLK: UInt32 = 0o060000
    public static let S_IFDIR: UInt32 = 0o040000
    public static let S_IFCHR: UInt32 = 0o020000
    public static let S_IFIFO: UInt32 = 0o010000
    public static let S_ISUID: UInt32 = 0o4000
    public static let S_ISGID: UInt32 = 0o2000
    public static let S_ISVTX: UInt32 = 0o1000
    /// Permission bits plus setuid/setgid/sticky: what chmod can change.
    public static let permissionMask: UInt32 = 0o7777
}

/// A file's type. Raw values are the `d_type` codes of `linux_dirent64` (DT_*).
public enum FileType: UInt8, Sendable {
    case unknown = 0
    case fifo = 1
    case characterDevice = 2
    case directory = 4
    case blockDevice = 6
    case regular = 8
    case symbolicLink = 10
    case socket = 12

    /// The type encoded in `mode`'s S_IFMT bits (`.unknown` for an invalid type).
    public init(mode: UInt32) {
        switch mode & FileMode.S_IFMT {
        case FileMode.S_IFREG: self = .regular
        case FileMode.S_IFDIR: self = .directory
        case FileMode.S_IFLNK: self = .symbolicLink
        case FileMode.S_IFCHR: self = .characterDevice
        case FileMode.S_IFBLK: self = .blockDevice
        case FileMode.S_IFIFO: self = .fifo
        case FileMode.S_IFSOCK: self = .socket
        default: self = .unknown
        }
    }

    /// The S_IFMT bits of this type (0 for `.unknown`).
    public var modeBits: UInt32 {
        switch self {
        case .regular: return FileMode.S_IFREG
        case .directory: return FileMode.S_IFDIR
        case .symbolicLink: return FileMode.S_IFLNK
        case .characterDevice: return FileMode.S_IFCHR
        case .blockDevice: return FileMode.S_IFBLK
        case .fifo: return FileMode.S_IFIFO
        case .socket: return FileMode.S_IFSOCK
        case .unknown: return 0
        }
    }
}
