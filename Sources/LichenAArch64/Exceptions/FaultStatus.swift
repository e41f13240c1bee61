// The fault status code of an abort: DFSC/IFSC, ISS bits [5:0] (Arm ARM D19.2 ESR_EL1,
// "ISS encoding for an exception from a Data Abort"). Levels are translation table levels;
// level -1 exists only with 52-bit (FEAT_LPA2) tables.

public enum FaultKind: Hashable, Sendable {
    case addressSize
    case translation
    case accessFlag
    case permission
    case synchronousExternal
    case synchronousExternalOnWalk
    case synchronousParity
    case synchronousParityOnWalk
    case tagCheck
    case alignment
    case tlbConflict
    case unsupportedAtomicUpdate
    case implementationDefined
    case unrecognized

    public var name: StaticString {
        switch self {
        case .addressSize: "address size fault"
        case .translation: "translation fault"
        case .accessFlag: "access flag fault"
        case .permission: "permission fault"
        case .synchronousExternal: "synchronous external abort"
        case .synchronousExternalOnWalk: "synchronous external abort on table walk"
        case .synchronousParity: "synchronous parity/ECC error"
        case .synchronousParityOnWalk: "synchronous parity/ECC error on table walk"
        case .tagCheck: "tag check fault"
        case .alignment: "alignment fault"
        case .tlbConflict: "TLB conflict abort"
        case .unsupportedAtomicUpdate: "unsupported atomic hardware update"
        case .implementationDefined: "implementation defined fault"
        case .unrecognized: "unrecognized fault"
        }
    }
}

public struct FaultStatus: Hashable, Sendable {
    /// The six-bit code.
    public let code: UInt8
    public let kind: FaultKind
    /// Table level (-1...3) for the kinds that report one.
    public let level: Int?

    public init(code: UInt8) {
        let code = code & 0x3f
        self.code = code
        let low = Int(code & 0b11)
        switch code {
        case 0b00_0000...0b00_0011: (kind, level) = (.addressSize, low)
        case 0b00_0100...0b00_0111: (kind, level) = (.translation, low)
        case 0b00_1000...0b00_1011: (kind, level) = (.accessFlag, low)
        case 0b00_1100...0b00_1111: (kind, level) = (.permission, low)
        case 0b01_0000: (kind, level) = (.synchronousExternal, nil)
        case 0b01_0001: (kind, level) = (.tagCheck, nil)
        case 0b01_0011: (kind, level) = (.synchronousExternalOnWalk, -1)
        case 0b01_0100...0b01_0111: (kind, level) = (.synchronousExternalOnWalk, low)
        case 0b01_1000: (kind, level) = (.synchronousParity, nil)
        case 0b01_1011: (kind, level) = (.synchronousParityOnWalk, -1)
        case 0b01_1100...0b01_1111: (kind, level) = (.synchronousParityOnWalk, low)
        case 0b10_0001: (kind, level) = (.alignment, nil)
        case 0b10_1001: (kind, level) = (.addressSize, -1)
        case 0b10_1011: (kind, level) = (.translation, -1)
        case 0b11_0000: (kind, level) = (.tlbConflict, nil)
        case 0b11_0001: (kind, level) = (.unsupportedAtomicUpdate, nil)
        case 0b11_0100, 0b11_0101: (kind, level) = (.implementationDefined, nil)
        default: (kind, level) = (.unrecognized, nil)
        }
    }

    /// Faults a page-fault handler can resolve by changing the mapping.
    public var isPageFault: Bool {
        kind == .translation || kind == .permission || kind == .accessFlag
    }
}
