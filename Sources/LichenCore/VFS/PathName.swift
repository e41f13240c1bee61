// A path split into components, with the length rules of Linux.

/// A parsed path: whether it starts at the root, its components (empty ones dropped, "." and
/// ".." kept), and whether it ended in a slash (then its last component must be a directory).
public struct PathName: Equatable, Sendable {
    public var isAbsolute: Bool
    public var components: [[UInt8]]
    public var trailingSlash: Bool

    /// ENOENT for an empty path, ENAMETOOLONG for a path of PATH_MAX bytes or more or a
    /// component longer than NAME_MAX.
    public init(_ path: [UInt8]) throws(Errno) {
        if path.isEmpty { throw .ENOENT }
        if path.count >= PathLimits.pathMax { throw .ENAMETOOLONG }
        isAbsolute = path[0] == slash
        components = []
        var start = 0
        var i = 0
        while i <= path.count {
            if i == path.count || path[i] == slash {
                if i > start {
                    if i - start > PathLimits.nameMax { throw .ENAMETOOLONG }
                    components.append(Array(path[start..<i]))
                }
                start = i + 1
            }
            i += 1
        }
        trailingSlash = path[path.count - 1] == slash && !components.isEmpty
    }

    /// The byte path of `components` ("/"-joined, absolute).
    public static func join(_ components: [[UInt8]]) -> [UInt8] {
        if components.isEmpty { return [slash] }
        var path: [UInt8] = []
        for c in components {
            path.append(slash)
            path.append(contentsOf: c)
        }
        return path
    }
}

let slash = UInt8(ascii: "/")
let dotName: [UInt8] = [UInt8(ascii: ".")]
let dotDotName: [UInt8] = [UInt8(ascii: "."), UInt8(ascii: ".")]

/// The kind of a path's last component, as the operations that create or remove names need.
public enum LastComponent: Equatable, Sendable {
    case name([UInt8])
    case dot
    case dotDot
    /// The path is "/" (or only slashes): no last component.
    case root
}
