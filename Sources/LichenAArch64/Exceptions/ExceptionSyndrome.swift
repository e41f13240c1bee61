// ESR_EL1 decoded (Arm ARM D19.2 ESR_EL1): EC [31:26], IL [25], ISS [24:0], ISS2 [36:32].
// Class-specific views (abort, immediate, trapped system register) return nil for other classes.

public struct ExceptionSyndrome: Hashable, Sendable {
    public let rawValue: UInt64
    @inline(__always) public init(_ esr: UInt64) { rawValue = esr }

    /// EC, bits [31:26].
    public var classCode: UInt8 { UInt8(truncatingIfNeeded: (rawValue >> 26) & 0x3f) }
    /// nil for classes Lichen does not know (unallocated, or only ever taken to EL2/EL3).
    public var exceptionClass: ExceptionClass? { ExceptionClass(rawValue: classCode) }
    /// The class's name, or a placeholder for unrecognized classes.
    public var className: StaticString { exceptionClass?.name ?? "Unrecognized exception class" }
    /// IL, bit [25]: the trapped instruction was 32 bits (A64 always; 0 only for T32 16-bit).
    public var is32BitInstruction: Bool { rawValue & (1 << 25) != 0 }
    /// ISS, bits [24:0].
    public var iss: UInt32 { UInt32(truncatingIfNeeded: rawValue & 0x1ff_ffff) }
    /// ISS2, bits [36:32] (FEAT_LS64 and friends).
    public var iss2: UInt8 { UInt8(truncatingIfNeeded: (rawValue >> 32) & 0x1f) }

    /// Instruction and data aborts.
    public var abort: AbortSyndrome? {
        guard let ec = exceptionClass, ec.isInstructionAbort || ec.isDataAbort else { return nil }
        return AbortSyndrome(iss: iss, isData: ec.isDataAbort)
    }

    /// The 16-bit immediate of SVC, HVC, SMC and BRK (ISS [15:0]).
    public var immediate: UInt16? {
        switch exceptionClass {
        case .svc64?, .svc32?, .hvc64?, .smc64?, .brk64?: UInt16(truncatingIfNeeded: iss)
        default: nil
        }
    }

    /// The trapped MSR/MRS/system instruction (EC 0x18).
    public var systemRegisterAccess: SystemRegisterAccess? {
        exceptionClass == .trappedSystemRegister ? SystemRegisterAccess(iss: iss) : nil
    }
}

/// ISS of an instruction or data abort.
public struct AbortSyndrome: Hashable, Sendable {
    public let iss: UInt32
    public let isData: Bool

    public init(iss: UInt32, isData: Bool) {
        self.iss = iss
        self.isData = isData
    }

    /// DFSC/IFSC, ISS [5:0].
    public var faultStatus: FaultStatus { FaultStatus(code: UInt8(truncatingIfNeeded: iss & 0x3f)) }
    /// WnR, ISS [6]: the access was a write (also set for cache maintenance, see `isCacheMaintenance`).
    public var isWrite: Bool { isData && iss & (1 << 6) != 0 }
    /// S1PTW, ISS [7]: the fault happened on a stage 2 walk of a stage 1 table (virtualized only).
    public var isOnStage1Walk: Bool { iss & (1 << 7) != 0 }
    /// CM, ISS [8]: caused by a cache maintenance or address translation instruction.
    public var isCacheMaintenance: Bool { isData && iss & (1 << 8) != 0 }
    /// EA, ISS [9]: implementation-defined external abort type.
    public var isExternalAbortTypeSet: Bool { iss & (1 << 9) != 0 }
    /// FnV, ISS [10]: FAR_EL1 does not hold the faulting address (external aborts only).
    public var farNotValid: Bool { iss & (1 << 10) != 0 }
    /// ISV, ISS [24]: the ISS [23:14] describe the access (data aborts on single loads/stores).
    public var hasInstructionSyndrome: Bool { isData && iss & (1 << 24) != 0 }
    /// SAS, ISS [23:22]: access size is 1 << SAS bytes (valid only with `hasInstructionSyndrome`).
    public var accessSizeLog2: Int { Int((iss >> 22) & 0b11) }
    /// SRT, ISS [20:16]: register transferred (valid only with `hasInstructionSyndrome`).
    public var transferRegister: Int { Int((iss >> 16) & 0x1f) }
}

/// ISS of a trapped MSR, MRS or system instruction (EC 0x18): which register, which direction.
public struct SystemRegisterAccess: Hashable, Sendable {
    public let iss: UInt32
    public init(iss: UInt32) { self.iss = iss }

    /// Direction, ISS [0]: 1 = read (MRS), 0 = write (MSR).
    public var isRead: Bool { iss & 1 != 0 }
    /// CRm [4:1], Rt [9:5], CRn [13:10], Op1 [16:14], Op2 [19:17], Op0 [21:20].
    public var crm: UInt8 { UInt8(truncatingIfNeeded: (iss >> 1) & 0xf) }
    public var rt: Int { Int((iss >> 5) & 0x1f) }
    public var crn: UInt8 { UInt8(truncatingIfNeeded: (iss >> 10) & 0xf) }
    public var op1: UInt8 { UInt8(truncatingIfNeeded: (iss >> 14) & 0b111) }
    public var op2: UInt8 { UInt8(truncatingIfNeeded: (iss >> 17) & 0b111) }
    public var op0: UInt8 { UInt8(truncatingIfNeeded: (iss >> 20) & 0b11) }
    /// The register as op0:op1:CRn:CRm:op2 (16 bits), i.e. bits [20:5] of the MRS/MSR
    /// instruction (Linux's sys_reg() >> 5); independent of direction and Rt.
    public var encoding: UInt16 {
        UInt16(op0) << 14 | UInt16(op1) << 11 | UInt16(crn) << 7 | UInt16(crm) << 3 | UInt16(op2)
    }
}
