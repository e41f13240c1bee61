/// vfat's mount options (mount(2)'s data string) as Linux's parse_options reads them: uid=, gid=
/// (decimal), umask=, fmask=, dmask= (octal). The defaults are the mounting process's fsuid, fsgid
/// and umask. Options naming what Lichen does anyway (utf8, iocharset=utf8 or ascii, codepage=437,
/// shortname=mixed) are accepted; anything else fails the mount with EINVAL, as Linux's unknown
/// option or unknown charset does.
public struct FatMountOptions: Equatable, Sendable {
    public var uid: UInt32
    public var gid: UInt32
    public var fileMask: UInt32
    public var directoryMask: UInt32

    public init(uid: UInt32, gid: UInt32, umask: UInt32) {
        self.uid = uid
        self.gid = gid
        fileMask = umask & 0o777
        directoryMask = umask & 0o777
    }

    /// `bad` gets the option that failed (Linux logs "Unrecognized mount option").
    public static func parse(_ data: [UInt8], uid: UInt32, gid: UInt32, umask: UInt32, bad: inout [UInt8]) throws(Errno) -> FatMountOptions {
        var o = FatMountOptions(uid: uid, gid: gid, umask: umask)
        for option in data.split(separator: UInt8(ascii: ","), omittingEmptySubsequences: true) {
            let parts = option.split(separator: UInt8(ascii: "="), maxSplits: 1, omittingEmptySubsequences: false)
            let key = Array(parts[0])
            let value = parts.count > 1 ? Array(parts[1]) : nil
            func named(_ name: StaticString) -> Bool { name.withUTF8Buffer { key.elementsEqual($0) } }
            func valueIs(_ name: StaticString) -> Bool { name.withUTF8Buffer { (value ?? []).elementsEqual($0) } }
            bad = Array(option)
            if named("uid") || named("gid") {
                guard let value, let n = number(value, base: 10), n <= UInt64(UInt32.max - 1) else { throw .EINVAL }
                if named("uid") { o.uid = UInt32(n) } else { o.gid = UInt32(n) }
            } else if named("umask") || named("fmask") || named("dmask") {
                guard let value, let n = number(value, base: 8), n <= 0o7777 else { throw .EINVAL }
                let mask = UInt32(n) & 0o777
                if !named("dmask") { o.fileMask = mask }
                if !named("fmask") { o.directoryMask = mask }
            } else if named("utf8") {
                guard value == nil || valueIs("1") || valueIs("yes") || valueIs("true") else { throw .EINVAL }
            } else if named("iocharset") {
                guard valueIs("utf8") || valueIs("ascii") else { throw .EINVAL }
            } else if named("codepage") {
                guard valueIs("437") else { throw .EINVAL }
            } else if named("shortname") {
                guard valueIs("mixed") else { throw .EINVAL }
            } else {
                throw .EINVAL
            }
        }
        bad = []
        return o
    }

    private static func number(_ text: [UInt8], base: UInt64) -> UInt64? {
        guard !text.isEmpty, text.count <= 20 else { return nil }
        var n: UInt64 = 0
        for c in text {
            let d = UInt64(c) &- UInt64(UInt8(ascii: "0"))
            guard d < base else { return nil }
            let (m, o1) = n.multipliedReportingOverflow(by: base)
            let (s, o2) = m.addingReportingOverflow(d)
            guard !o1, !o2 else { return nil }
            n = s
        }
        return n
    }

    /// Linux's fat_make_mode: everything the masks allow, less the write bits of a read-only file.
    public func mode(attributes: UInt8) -> UInt32 {
        if attributes & FatShortEntry.directory != 0 { return FileMode.S_IFDIR | (0o777 & ~directoryMask) }
        var mode: UInt32 = 0o777
        if attributes & FatShortEntry.readOnly != 0 { mode &= ~0o222 }
        return FileMode.S_IFREG | (mode & ~fileMask)
    }

    /// fat_setattr's chmod: bits beyond rwx (set-id, sticky) are EPERM; then, as
    /// fat_sanitize_mode_change, the read and execute bits cannot change, the write bits can only
    /// be all (the mask allowing) or none (a file becomes read-only), and not at all on
    /// directories. A change FAT cannot hold is dropped without an error, as Linux does.
    /// Returns whether the file becomes read-only, or nil to leave it.
    public func readOnly(changingTo newMode: UInt32, from current: UInt32, isDirectory: Bool) throws(Errno) -> Bool? {
        guard newMode & ~0o777 == 0 else { throw .EPERM }
        let mask = isDirectory ? directoryMask : fileMask
        let perm = newMode & ~mask
        guard perm & 0o555 == current & 0o555 else { return nil }
        let canHoldReadOnly = !isDirectory && 0o222 & ~mask != 0
        if canHoldReadOnly {
            if perm & 0o222 != 0 && perm & 0o222 != 0o222 & ~mask { return nil }
        } else if perm & 0o222 != 0o222 & ~mask {
            return nil
        }
        return perm & 0o222 == 0
    }
}
