// ESR_EL1.EC, bits [31:26]: why a synchronous exception (or SError) was taken to EL1
// (Arm ARM D19.2 ESR_EL1). "Lower EL" means from EL0; "same EL" means from EL1.

public enum ExceptionClass: UInt8, Hashable, Sendable {
    case unknown = 0x00
    case trappedWFx = 0x01
    case trappedCP15MCR = 0x03
    case trappedCP15MCRR = 0x04
    case trappedCP14MCR = 0x05
    case trappedCP14LDC = 0x06
    /// SVE, Advanced SIMD or floating point access trapped by CPACR_EL1.FPEN.
    case trappedFP = 0x07
    case trappedCP14MRRC = 0x0c
    case branchTarget = 0x0d
    case illegalExecutionState = 0x0e
    case svc32 = 0x11
    case svc64 = 0x15
    case hvc64 = 0x16
    case smc64 = 0x17
    /// MSR, MRS or system instruction trapped.
    case trappedSystemRegister = 0x18
    case trappedSVE = 0x19
    case pointerAuthenticationFailure = 0x1c
    case instructionAbortLowerEL = 0x20
    case instructionAbortSameEL = 0x21
    case pcAlignment = 0x22
    case dataAbortLowerEL = 0x24
    case dataAbortSameEL = 0x25
    case spAlignment = 0x26
    case floatingPointException32 = 0x28
    case floatingPointException64 = 0x2c
    case serror = 0x2f
    case breakpointLowerEL = 0x30
    case breakpointSameEL = 0x31
    case softwareStepLowerEL = 0x32
    case softwareStepSameEL = 0x33
    case watchpointLowerEL = 0x34
    case watchpointSameEL = 0x35
    case bkpt32 = 0x38
    case brk64 = 0x3c

    public var isInstructionAbort: Bool { self == .instructionAbortLowerEL || self == .instructionAbortSameEL }
    public var isDataAbort: Bool { self == .dataAbortLowerEL || self == .dataAbortSameEL }

    /// A "lower EL" class, i.e. taken from EL0. Other classes (SVC, BRK, ...) do not encode the
    /// EL: look at SPSR_EL1.M for those.
    public var isFromLowerEL: Bool {
        switch self {
        case .instructionAbortLowerEL, .dataAbortLowerEL, .breakpointLowerEL, .softwareStepLowerEL,
             .watchpointLowerEL: true
        default: false
        }
    }

    public var name: StaticString {
        switch self {
        case .unknown: "Unknown reason"
        case .trappedWFx: "WFI/WFE trapped"
        case .trappedCP15MCR: "AArch32 CP15 MCR/MRC trapped"
        case .trappedCP15MCRR: "AArch32 CP15 MCRR/MRRC trapped"
        case .trappedCP14MCR: "AArch32 CP14 MCR/MRC trapped"
        case .trappedCP14LDC: "AArch32 CP14 LDC/STC trapped"
        case .trappedFP: "SIMD/FP access trapped"
        case .trappedCP14MRRC: "AArch32 CP14 MRRC trapped"
        case .branchTarget: "Branch target exception"
        case .illegalExecutionState: "Illegal execution state"
        case .svc32: "SVC (AArch32)"
        case .svc64: "SVC"
        case .hvc64: "HVC"
        case .smc64: "SMC"
        case .trappedSystemRegister: "System register access trapped"
        case .trappedSVE: "SVE access trapped"
        case .pointerAuthenticationFailure: "Pointer authentication failure"
        case .instructionAbortLowerEL: "Instruction abort (lower EL)"
        case .instructionAbortSameEL: "Instruction abort (same EL)"
        case .pcAlignment: "PC alignment fault"
        case .dataAbortLowerEL: "Data abort (lower EL)"
        case .dataAbortSameEL: "Data abort (same EL)"
        case .spAlignment: "SP alignment fault"
        case .floatingPointException32: "Floating-point exception (AArch32)"
        case .floatingPointException64: "Floating-point exception"
        case .serror: "SError"
        case .breakpointLowerEL: "Breakpoint (lower EL)"
        case .breakpointSameEL: "Breakpoint (same EL)"
        case .softwareStepLowerEL: "Software step (lower EL)"
        case .softwareStepSameEL: "Software step (same EL)"
        case .watchpointLowerEL: "Watchpoint (lower EL)"
        case .watchpointSameEL: "Watchpoint (same EL)"
        case .bkpt32: "BKPT (AArch32)"
        case .brk64: "BRK"
        }
    }
}
