// jbd2 stores every field big-endian (ext4 itself is little-endian). Bounds are the caller's
// job: every offset passed here was checked against the block size first.

enum Jbd2BE {
    static func u32(_ b: [UInt8], _ at: Int) -> UInt32 {
        UInt32(b[at]) << 24 | UInt32(b[at + 1]) << 16 | UInt32(b[at + 2]) << 8 | UInt32(b[at + 3])
    }
    static func u16(_ b: [UInt8], _ at: Int) -> UInt16 { UInt16(b[at]) << 8 | UInt16(b[at + 1]) }
    static func u64(_ b: [UInt8], _ at: Int) -> UInt64 { UInt64(u32(b, at)) << 32 | UInt64(u32(b, at + 4)) }

    static func put32(_ b: inout [UInt8], _ at: Int, _ v: UInt32) {
        b[at] = UInt8(v >> 24); b[at + 1] = UInt8(truncatingIfNeeded: v >> 16)
        b[at + 2] = UInt8(truncatingIfNeeded: v >> 8); b[at + 3] = UInt8(truncatingIfNeeded: v)
    }
    static func put16(_ b: inout [UInt8], _ at: Int, _ v: UInt16) {
        b[at] = UInt8(v >> 8); b[at + 1] = UInt8(truncatingIfNeeded: v)
    }
    static func put64(_ b: inout [UInt8], _ at: Int, _ v: UInt64) {
        put32(&b, at, UInt32(v >> 32)); put32(&b, at + 4, UInt32(truncatingIfNeeded: v))
    }
}

/// The 12-byte header every journal metadata block starts with (journal_header_t).
public struct Jbd2Header: Sendable, Equatable {
    public static let magic: UInt32 = 0xc03b_3998
    public static let size = 12

    public enum Kind: UInt32, Sendable {
        case descriptor = 1, commit = 2, superblockV1 = 3, superblockV2 = 4, revoke = 5
    }

    public var kind: Kind
    public var sequence: UInt32

    /// nil when `block` does not start with the magic or has a block type Linux does not know
    /// (the end of the log, for recovery).
    public init?(_ block: [UInt8]) {
        guard block.count >= Self.size, Jbd2BE.u32(block, 0) == Self.magic,
              let kind = Kind(rawValue: Jbd2BE.u32(block, 4)) else { return nil }
        self.kind = kind
        sequence = Jbd2BE.u32(block, 8)
    }

    public init(kind: Kind, sequence: UInt32) {
        self.kind = kind
        self.sequence = sequence
    }

    func write(into block: inout [UInt8]) {
        Jbd2BE.put32(&block, 0, Self.magic)
        Jbd2BE.put32(&block, 4, kind.rawValue)
        Jbd2BE.put32(&block, 8, sequence)
    }
}

/// Transaction ids wrap: Linux compares them as tid_gt / tid_geq do (signed difference).
enum Jbd2Tid {
    static func greater(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) > 0 }
    static func greaterOrEqual(_ a: UInt32, _ b: UInt32) -> Bool { Int32(bitPattern: a &- b) >= 0 }
}
