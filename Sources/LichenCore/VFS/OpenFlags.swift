// open(2) flags with their asm-generic Linux values, and the lseek/*at constants. An architecture
// whose asm/fcntl.h redefines some (arm64) converts at the syscall boundary: OpenFlagValues.

public struct OpenFlags: OptionSet, Sendable {
    public let rawValue: UInt32
    public init(rawValue: UInt32) { self.rawValue = rawValue }

    public static let O_RDONLY = OpenFlags([])
    public static let O_WRONLY = OpenFlags(rawValue: 0o1)
    public static let O_RDWR = OpenFlags(rawValue: 0o2)
    public static let O_ACCMODE = OpenFlags(rawValue: 0o3)
    public static let O_CREAT = OpenFlags(rawValue: 0o100)
    public static let O_EXCL = OpenFlags(rawValue: 0o200)
    public static let O_NOCTTY = OpenFlags(rawValue: 0o400)
    public static let O_TRUNC = OpenFlags(rawValue: 0o1000)
    public static let O_APPEND = OpenFlags(rawValue: 0o2000)
    public static let O_NONBLOCK = OpenFlags(rawValue: 0o4000)
    public static let O_DSYNC = OpenFlags(rawValue: 0o10000)
    public static let FASYNC = OpenFlags(rawValue: 0o20000)
    public static let O_DIRECTORY = OpenFlags(rawValue: 0o200000)
    public static let O_NOFOLLOW = OpenFlags(rawValue: 0o400000)
    public static let O_DIRECT = OpenFlags(rawValue: 0o40000)
    public static let O_LARGEFILE = OpenFlags(rawValue: 0o100000)
    public static let O_NOATIME = OpenFlags(rawValue: 0o1000000)
    public static let O_CLOEXEC = OpenFlags(rawValue: 0o2000000)
    public static let O_SYNC = OpenFlags(rawValue: 0o4010000)
    public static let O_PATH = OpenFlags(rawValue: 0o10000000)

    /// The flags F_SETFL may change.
    public static let settable: OpenFlags = [.O_APPEND, .O_NONBLOCK, .FASYNC, .O_DIRECT, .O_NOATIME]
    /// Flags that only matter to open itself (not kept in the file description).
    public static let openOnly: OpenFlags = [.O_CREAT, .O_EXCL, .O_NOCTTY, .O_TRUNC, .O_CLOEXEC]

    /// The access mode (O_RDONLY, O_WRONLY or O_RDWR).
    public var accessMode: OpenFlags { intersection(.O_ACCMODE) }
    public var allowsRead: Bool { accessMode == .O_RDONLY || accessMode == .O_RDWR }
    public var allowsWrite: Bool { accessMode == .O_WRONLY || accessMode == .O_RDWR }
}

/// lseek whence values.
public enum SeekWhence {
    public static let SEEK_SET: Int32 = 0
    public static let SEEK_CUR: Int32 = 1
    public static let SEEK_END: Int32 = 2
    public static let SEEK_DATA: Int32 = 3
    public static let SEEK_HOLE: Int32 = 4
}

/// Limits of names and paths.
public enum PathLimits {
    /// NAME_MAX: bytes in one component.
    public static let nameMax = 255
    /// PATH_MAX including the terminating NUL: a path must be shorter.
    public static let pathMax = 4096
    /// MAXSYMLINKS: symbolic links followed in one path walk.
    public static let maxSymlinks = 40
}
