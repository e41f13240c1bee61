// The open(2) flags whose values an architecture may redefine (asm/fcntl.h before asm-generic/fcntl.h):
// arm64 swaps O_DIRECTORY, O_NOFOLLOW, O_DIRECT and O_LARGEFILE among themselves. OpenFlags holds the
// generic values; the syscall layer converts at the boundary (LinuxArchABI.openFlags(fromUser:)).

public struct OpenFlagValues: Equatable, Sendable {
    public var directory: UInt32
    public var noFollow: UInt32
    public var direct: UInt32
    public var largeFile: UInt32

    public init(directory: UInt32, noFollow: UInt32, direct: UInt32, largeFile: UInt32) {
        self.directory = directory; self.noFollow = noFollow; self.direct = direct; self.largeFile = largeFile
    }

    /// asm-generic/fcntl.h's values: OpenFlags' own.
    public static let generic = OpenFlagValues(directory: OpenFlags.O_DIRECTORY.rawValue, noFollow: OpenFlags.O_NOFOLLOW.rawValue,
                                               direct: OpenFlags.O_DIRECT.rawValue, largeFile: OpenFlags.O_LARGEFILE.rawValue)

    var all: UInt32 { directory | noFollow | direct | largeFile }

    /// `value` with each of the four flags moved from its `source` bit to its `target` bit, every other
    /// bit kept. Both sets must cover the same bits (true of every Linux architecture that redefines them).
    public static func convert(_ value: UInt32, from source: OpenFlagValues, to target: OpenFlagValues) -> UInt32 {
        if source == target { return value }
        var result = value & ~source.all
        if value & source.directory != 0 { result |= target.directory }
        if value & source.noFollow != 0 { result |= target.noFollow }
        if value & source.direct != 0 { result |= target.direct }
        if value & source.largeFile != 0 { result |= target.largeFile }
        return result
    }
}
