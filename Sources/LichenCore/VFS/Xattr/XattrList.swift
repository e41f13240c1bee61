/// One inode's extended attributes as a memory filesystem keeps them (Linux's simple_xattrs):
/// name and value pairs, listed newest first as Linux 6.1 does (a replaced value keeps its
/// place). Bounded per inode, which Linux 6.1's tmpfs is not: more than `maxEntries` attributes or
/// `maxBytes` of names and values is ENOSPC (the limit later kernels give tmpfs). No value is
/// larger than XATTR_SIZE_MAX (the syscall layer refuses it first). Not thread-safe: the inode's
/// lock guards it.
public struct XattrList: Sendable {
    public static let maxEntries = 1024
    public static let maxBytes = 256 * 1024

    private var entries: [(name: [UInt8], value: [UInt8])] = []
    private var bytes = 0

    public init() {}

    public var isEmpty: Bool { entries.isEmpty }
    public var count: Int { entries.count }

    private func index(_ name: [UInt8]) -> Int? { entries.firstIndex { $0.name == name } }

    /// ENODATA when absent.
    public func value(_ name: [UInt8]) throws(Errno) -> [UInt8] {
        guard let i = index(name) else { throw .ENODATA }
        return entries[i].value
    }

    public func contains(_ name: [UInt8]) -> Bool { index(name) != nil }

    /// Sets (or with `value` nil removes) `name`, with XATTR_CREATE (EEXIST) / XATTR_REPLACE
    /// (ENODATA) as simple_xattr_set checks them: a removal always behaves as XATTR_REPLACE.
    public mutating func set(_ name: [UInt8], value: [UInt8]?, flags: XattrSetFlags) throws(Errno) {
        if let i = index(name) {
            if flags.contains(.create) { throw .EEXIST }
            guard let value else {
                bytes -= entries[i].name.count + entries[i].value.count
                entries.remove(at: i)
                return
            }
            let grown = bytes - entries[i].value.count + value.count
            if grown > XattrList.maxBytes { throw .ENOSPC }
            entries[i].value = value
            bytes = grown
            return
        }
        if flags.contains(.replace) || value == nil { throw .ENODATA }
        let value = value ?? []
        let grown = bytes + name.count + value.count
        if entries.count >= XattrList.maxEntries || grown > XattrList.maxBytes { throw .ENOSPC }
        entries.append((name, value))
        bytes = grown
    }

    /// The names, newest first, those `include` accepts.
    public func names(where include: ([UInt8]) -> Bool = { _ in true }) -> [[UInt8]] {
        var result: [[UInt8]] = []
        for e in entries.reversed() where include(e.name) { result.append(e.name) }
        return result
    }
}
