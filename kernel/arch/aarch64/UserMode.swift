import LichenCore
import LichenAArch64
import AArch64Intrinsics

/// Why user code stopped running.
enum UserExit {
    /// `svc #0`: the syscall number is in x8, arguments in x0-x5.
    case syscall(number: UInt64)
    /// A translation, access-flag or permission fault on a user address (or a kernel one).
    case pageFault(address: UserAddr, write: Bool, instruction: Bool, permission: Bool)
    /// PC or SP misalignment, or an alignment fault.
    case alignmentFault(address: UserAddr)
    /// An undefined or illegal instruction.
    case illegalInstruction
    /// `brk` or a debug event.
    case breakpoint
    /// A timer or device interrupt arrived (already handled): a chance to reschedule.
    case interrupted
    /// Anything else (SError, FIQ, AArch32, unknown exception classes), with the syndrome (ESR).
    case unexpected(code: UInt64)
}

enum UserMode {
    /// Runs `context` in user mode on this CPU until the next exception, with `space` active.
    /// Returns with IRQs enabled, the context updated and its FP state saved.
    static func run(_ context: UserContext, in space: UserAddressSpace) -> UserExit {
        space.activate()
        FPState.willRun(context)
        write_tpidr_el0(context.tls)
        let reason = lichen_run_user(context.registers)
        context.tls = read_tpidr_el0()
        CPU.enableInterrupts()
        switch reason {
        case 0: return decode(context)
        case 1: return .interrupted
        default: return .unexpected(code: context.esr)
        }
    }

    /// The context's FP/SIMD registers go from this CPU's registers to its saved state. Not done by
    /// `run`: the caller defers it until the thread may yield the CPU (Thread.saveUserFP).
    static func saveFPState(_ context: UserContext) {
        FPState.didStop(context)
    }

    private static func decode(_ context: UserContext) -> UserExit {
        let syndrome = ExceptionSyndrome(context.esr)
        guard let kind = syndrome.exceptionClass else { return .unexpected(code: context.esr) }
        switch kind {
        case .svc64:
            return .syscall(number: context[register: 8])
        case .dataAbortLowerEL, .instructionAbortLowerEL:
            let abort = syndrome.abort!
            if abort.faultStatus.kind == .alignment { return .alignmentFault(address: UserAddr(context.far)) }
            return .pageFault(address: UserAddr(context.far), write: abort.isWrite,
                              instruction: kind == .instructionAbortLowerEL, permission: abort.faultStatus.kind == .permission)
        case .pcAlignment:
            return .alignmentFault(address: UserAddr(context.pc))
        case .spAlignment:
            return .alignmentFault(address: UserAddr(context.sp))
        case .unknown, .illegalExecutionState:
            return .illegalInstruction
        case .brk64, .breakpointLowerEL, .softwareStepLowerEL, .watchpointLowerEL:
            return .breakpoint
        default:
            return .unexpected(code: context.esr)
        }
    }
}
