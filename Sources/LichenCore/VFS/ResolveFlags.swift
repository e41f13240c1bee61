/// openat2's `resolve` flags (struct open_how): restrictions on how a path walk may go.
public struct ResolveFlags: OptionSet, Sendable {
    public let rawValue: UInt64
    public init(rawValue: UInt64) { self.rawValue = rawValue }
    /// No mount crossing, up or down (EXDEV).
    public static let noXdev = ResolveFlags(rawValue: 0x01)
    /// No /proc/<pid>/fd-style magic link followed (ELOOP).
    public static let noMagicLinks = ResolveFlags(rawValue: 0x02)
    /// No symbolic link followed at all (ELOOP).
    public static let noSymlinks = ResolveFlags(rawValue: 0x04)
    /// Stay below the start directory: absolute paths, ".." above it and magic links are EXDEV.
    public static let beneath = ResolveFlags(rawValue: 0x08)
    /// Treat the start directory as the root (absolute paths and ".." stay inside it).
    public static let inRoot = ResolveFlags(rawValue: 0x10)
    /// Only what the dentry cache holds (EAGAIN otherwise): Lichen's filesystems are their own cache.
    public static let cached = ResolveFlags(rawValue: 0x20)
    public static let all: ResolveFlags = [.noXdev, .noMagicLinks, .noSymlinks, .beneath, .inRoot, .cached]
    /// Lookups scoped to the start directory (Linux's LOOKUP_IS_SCOPED).
    public var isScoped: Bool { !intersection([.beneath, .inRoot]).isEmpty }
}
