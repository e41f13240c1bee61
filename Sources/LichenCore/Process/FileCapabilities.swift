// File capabilities: the security.capability attribute (capabilities(7), Linux's struct
// vfs_cap_data / vfs_ns_cap_data, little-endian): a magic word (revision | effective flag), then
// (permitted, inheritable) 32-bit pairs, and in revision 3 the uid the capabilities are for (the
// root of a user namespace). Lichen has only the initial user namespace.

public struct FileCapabilities: Equatable, Sendable {
    public static let revisionMask: UInt32 = 0xFF00_0000
    public static let revision1: UInt32 = 0x0100_0000  // one pair, 12 bytes (read, never written)
    public static let revision2: UInt32 = 0x0200_0000  // two pairs, 20 bytes
    public static let revision3: UInt32 = 0x0300_0000  // two pairs and a root uid, 24 bytes
    public static let effectiveFlag: UInt32 = 0x0000_0001

    public var permitted: CapabilitySet
    public var inheritable: CapabilitySet
    /// The effective bit: the permitted set is made effective at execve.
    public var effective: Bool
    /// Revision 3's root uid (0 for the older revisions).
    public var rootID: UInt32

    public init(permitted: CapabilitySet, inheritable: CapabilitySet = .empty, effective: Bool, rootID: UInt32 = 0) {
        self.permitted = permitted
        self.inheritable = inheritable
        self.effective = effective
        self.rootID = rootID
    }

    /// get_vfs_caps_from_disk: EINVAL unless the size matches the revision.
    public init(attribute v: [UInt8]) throws(Errno) {
        guard v.count >= 4 else { throw .EINVAL }
        let magic = FileCapabilities.word(v, 0)
        let pairs: Int
        switch magic & FileCapabilities.revisionMask {
        case FileCapabilities.revision1 where v.count == 12: pairs = 1
        case FileCapabilities.revision2 where v.count == 20: pairs = 2
        case FileCapabilities.revision3 where v.count == 24: pairs = 2
        default: throw .EINVAL
        }
        var p: UInt64 = 0, i: UInt64 = 0
        for k in 0..<pairs {
            p |= UInt64(FileCapabilities.word(v, 4 + 8 * k)) << (32 * UInt64(k))
            i |= UInt64(FileCapabilities.word(v, 8 + 8 * k)) << (32 * UInt64(k))
        }
        self.init(permitted: CapabilitySet(bits: p), inheritable: CapabilitySet(bits: i),
                  effective: magic & FileCapabilities.effectiveFlag != 0,
                  rootID: pairs == 2 && v.count == 24 ? FileCapabilities.word(v, 20) : 0)
    }

    /// The attribute's bytes in revision 2 (rootID 0) or 3.
    public func attribute(revision3: Bool) -> [UInt8] {
        var v: [UInt8] = []
        func put(_ w: UInt32) { for s in stride(from: 0, to: 32, by: 8) { v.append(UInt8(truncatingIfNeeded: w >> UInt32(s))) } }
        put((revision3 ? FileCapabilities.revision3 : FileCapabilities.revision2) | (effective ? FileCapabilities.effectiveFlag : 0))
        put(UInt32(truncatingIfNeeded: permitted.bits)); put(UInt32(truncatingIfNeeded: inheritable.bits))
        put(UInt32(truncatingIfNeeded: permitted.bits >> 32)); put(UInt32(truncatingIfNeeded: inheritable.bits >> 32))
        if revision3 { put(rootID) }
        return v
    }

    static func word(_ v: [UInt8], _ at: Int) -> UInt32 {
        UInt32(v[at]) | UInt32(v[at + 1]) << 8 | UInt32(v[at + 2]) << 16 | UInt32(v[at + 3]) << 24
    }

    /// setxattr of security.capability (cap_convert_nscap): a revision 2 or 3 value of the right
    /// size (EINVAL), CAP_SETFCAP (EPERM); returns what is stored (the value as given: in the
    /// initial namespace revision 3 keeps its root uid, which must not be -1).
    public static func checkedForSet(_ value: [UInt8], by credentials: Credentials) throws(Errno) -> [UInt8] {
        guard value.count >= 4 else { throw .EINVAL }
        let revision = word(value, 0) & revisionMask
        guard (revision == revision2 && value.count == 20) || (revision == revision3 && value.count == 24) else { throw .EINVAL }
        guard credentials.has(.CAP_SETFCAP) else { throw .EPERM }
        if revision == revision3 && word(value, 20) == UInt32.max { throw .EINVAL }
        return value
    }

    /// getxattr of security.capability (cap_inode_getsecurity): revision 2 as stored; revision 3
    /// whose root is uid 0 reads as revision 2, any other root as revision 3; anything else EINVAL.
    public static func readView(_ stored: [UInt8]) throws(Errno) -> [UInt8] {
        guard stored.count >= 4 else { throw .EINVAL }
        let revision = word(stored, 0) & revisionMask
        if revision == revision2 && stored.count == 20 { return stored }
        guard revision == revision3 && stored.count == 24 else { throw .EINVAL }
        let caps = try FileCapabilities(attribute: stored)
        return caps.attribute(revision3: caps.rootID != 0)
    }

    /// What execve uses (get_vfs_caps_from_disk): nil without the attribute, or when revision 3's
    /// root is not uid 0 (capabilities for another user namespace's root); EINVAL when malformed
    /// (execve then fails).
    public static func forExec(_ stored: [UInt8]?) throws(Errno) -> FileCapabilities? {
        guard let stored else { return nil }
        let caps = try FileCapabilities(attribute: stored)
        return caps.rootID == 0 ? caps : nil
    }
}
