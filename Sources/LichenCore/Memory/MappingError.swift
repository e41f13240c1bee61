// Why a translation-table operation was refused. Every operation that throws leaves the
// tables exactly as they were (checks and table allocation happen before any write), except the
// bulk page operations, which stop part-way (PageTableBulk.swift).

public enum MappingError: Error, Hashable, Sendable {
    /// An address or size is not a multiple of 4 KiB (or the size is zero).
    case misaligned
    /// Part of the range is already mapped (map refuses to overwrite).
    case alreadyMapped
    /// Part of the range is not mapped (protect needs every page mapped).
    case notMapped
    /// No memory for a translation table.
    case outOfMemory
    /// The attributes allow both writing and executing (W^X).
    case writableAndExecutable
    /// The attributes are contradictory (e.g. executable device memory, user-executable but not user).
    case invalidAttributes
    /// Non-canonical virtual address, a range crossing the canonical hole, or a physical address
    /// beyond what the descriptor format can express.
    case invalidAddress
    /// A block mapping where only pages are expected (the bulk operations on user trees).
    case unexpectedBlock

    public var name: StaticString {
        switch self {
        case .misaligned: "misaligned address or size"
        case .alreadyMapped: "already mapped"
        case .notMapped: "not mapped"
        case .outOfMemory: "out of memory for translation tables"
        case .writableAndExecutable: "writable and executable (W^X)"
        case .invalidAttributes: "invalid memory attributes"
        case .invalidAddress: "invalid address"
        case .unexpectedBlock: "block mapping where pages were expected"
        }
    }
}
