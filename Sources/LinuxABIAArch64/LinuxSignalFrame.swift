// The arm64 signal frame (arch/arm64/include/uapi/asm/sigcontext.h and ucontext.h, and the kernel's
// `struct rt_sigframe` in arch/arm64/kernel/signal.c). Delivering a signal pushes, below the user's
// stack pointer (or on the alternate stack): a frame record {fp, lr} at the top, 16-byte aligned, and
// under it the rt_sigframe, also 16-byte aligned; the handler gets x0 = signo, x1 = &frame.info,
// x2 = &frame.uc, sp = &frame, x29 = &record, x30 = sa_restorer (SA_RESTORER is required on arm64).
// rt_sigreturn reads the ucontext back, walking the records of uc_mcontext.__reserved.
//
// Lichen's records in __reserved: fpsimd_context first (always), then an esr_context (only for a
// fault, whose ESR user space may read), then the null terminator. With no ESR record the esr slot
// holds zeros, which is itself a valid terminator.

import LichenCore

/// `struct _aarch64_ctx`: the header of every record in __reserved.
public struct LinuxAArch64ContextHeader: Hashable, Sendable {
    public var magic: UInt32
    public var size: UInt32
    public init(magic: UInt32 = 0, size: UInt32 = 0) { self.magic = magic; self.size = size }
    /// The terminating record.
    public static let end = LinuxAArch64ContextHeader()
}

/// `struct fpsimd_context`: 528 bytes, 16-byte aligned.
public struct LinuxFpsimdContext: Sendable {
    public var head = LinuxAArch64ContextHeader(magic: LinuxFpsimdContext.magic, size: UInt32(LinuxFpsimdContext.size))
    public var fpsr: UInt32 = 0
    public var fpcr: UInt32 = 0
    public var vregs: LinuxVectorRegisters = linuxZeroVectorRegisters
    public static let magic: UInt32 = 0x4650_8001
    public static let size = 528
    public init() {}
    public init(fpsr: UInt32, fpcr: UInt32, vregs: LinuxVectorRegisters) {
        self.fpsr = fpsr; self.fpcr = fpcr; self.vregs = vregs
    }
}

/// `struct esr_context`: 16 bytes.
public struct LinuxEsrContext: Hashable, Sendable {
    public var head: LinuxAArch64ContextHeader
    public var esr: UInt64
    public static let magic: UInt32 = 0x4553_5201
    public init(esr: UInt64) { head = LinuxAArch64ContextHeader(magic: LinuxEsrContext.magic, size: 16); self.esr = esr }
    /// All zeros: reads as the terminating record.
    public init() { head = .end; esr = 0 }
}

/// `__u8 __reserved[4096]` of `struct sigcontext`, as Lichen fills it.
public struct LinuxSigcontextReserved: Sendable {
    public var fpsimd = LinuxFpsimdContext()
    /// An esr_context for faults; zeros (the terminator) otherwise.
    public var esr = LinuxEsrContext()
    /// The terminator after an esr_context.
    public var end = LinuxAArch64ContextHeader.end
    public var rest: LinuxSigcontextReservedTail = linuxZeroSigcontextReservedTail
    public init() {}
    public static let size = 4096
}

/// The unused tail of __reserved after Lichen's records (3544 bytes).
public typealias LinuxSigcontextReservedTail = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
@usableFromInline let linuxZeroSigcontextReservedTail: LinuxSigcontextReservedTail = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)

/// `struct sigcontext`: 4384 bytes, 16-byte aligned.
public struct LinuxSigcontext: Sendable {
    public var fault_address: UInt64 = 0
    public var regs: LinuxGeneralRegisters = linuxZeroGeneralRegisters
    public var sp: UInt64 = 0
    public var pc: UInt64 = 0
    public var pstate: UInt64 = 0
    /// Implicit C padding: __reserved is 16-byte aligned.
    public var __pad0: UInt64 = 0
    public var reserved = LinuxSigcontextReserved()
    public init() {}

    public func register(_ n: Int) -> UInt64 { linuxTupleElement(regs, n, as: UInt64.self) ?? 0 }
    public mutating func setRegister(_ n: Int, _ value: UInt64) { linuxSetTupleElement(&regs, n, value) }
}

/// The arm64 `struct ucontext`: 4560 bytes, 16-byte aligned.
public struct LinuxUcontext: Sendable {
    public var uc_flags: UInt64 = 0
    public var uc_link: UInt64 = 0
    public var uc_stack = LinuxStack()
    public var uc_sigmask: UInt64 = 0
    /// glibc's sigset_t is 1024 bits: the rest of it.
    public var unused: (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64,
                        UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    /// Implicit C padding: uc_mcontext is 16-byte aligned.
    public var __pad0: UInt64 = 0
    public var uc_mcontext = LinuxSigcontext()
    public init() {}
}

/// The kernel's arm64 `struct rt_sigframe`: siginfo then ucontext, 4688 bytes, 16-byte aligned.
public struct LinuxRtSigframe: Sendable {
    public var info = LinuxSigInfo()
    public var uc = LinuxUcontext()
    public init() {}

    /// Where a signal frame goes: below `sp` (the user's, or the top of the alternate stack) a 16-byte
    /// frame record {fp, lr}, then the frame, both 16-byte aligned, as arm64 get_sigframe does.
    /// Returns (frame address, record address), or nil if that would wrap below zero.
    /// The bytes of a frame Lichen writes and rt_sigreturn reads: up to the end of its records in
    /// __reserved (fpsimd, esr, terminator), not the unused rest of the 4096 (Linux leaves that
    /// unwritten too). Every valid record list fits: fpsimd and esr at most once each.
    public static let usedBytes = reservedOffset + LinuxFpsimdContext.size + 16 + 8
    /// Where __reserved starts in the frame: after siginfo (128), the ucontext's header (176) and the
    /// sigcontext's registers (288).
    public static let reservedOffset = 128 + 176 + 288

    public static func placement(below sp: UInt64) -> (frame: UInt64, record: UInt64)? {
        let size = UInt64(MemoryLayout<LinuxRtSigframe>.size)
        guard sp >= 16 + size + 16 else { return nil }
        let record = (sp - 16) & ~15
        let frame = (record - size) & ~15
        return (frame, record)
    }
}

// MARK: Building and checking frames

extension LinuxRtSigframe {
    /// The frame for a handler: siginfo (copied whether or not SA_SIGINFO is set; harmless), the
    /// interrupted registers and FP/SIMD state, the mask to restore, the alternate-stack state, and an
    /// esr_context for faults (user space reads the ESR of a SIGSEGV/SIGBUS from it).
    public init(info: LinuxSigInfo, savedMask: UInt64, altStack: LinuxStack, regs: LinuxGeneralRegisters,
                sp: UInt64, pc: UInt64, pstate: UInt64, faultAddress: UInt64 = 0,
                fpsimd: LinuxFpsimdContext = LinuxFpsimdContext(), esr: UInt64? = nil) {
        self.init()
        self.info = info
        uc.uc_stack = altStack
        uc.uc_sigmask = savedMask
        uc.uc_mcontext.fault_address = faultAddress
        uc.uc_mcontext.regs = regs
        uc.uc_mcontext.sp = sp
        uc.uc_mcontext.pc = pc
        uc.uc_mcontext.pstate = pstate
        uc.uc_mcontext.reserved.fpsimd = fpsimd
        uc.uc_mcontext.reserved.fpsimd.head = LinuxAArch64ContextHeader(magic: LinuxFpsimdContext.magic,
                                                                        size: UInt32(LinuxFpsimdContext.size))
        if let esr { uc.uc_mcontext.reserved.esr = LinuxEsrContext(esr: esr) }
    }

    /// The registers a handler starts with (arm64 setup_return / setup_rt_frame): x0 = signal,
    /// x1 = &info and x2 = &uc (Linux sets them only with SA_SIGINFO), sp = the frame, x29 = the frame
    /// record {old fp, old lr} above it, x30 = sa_restorer (the return trampoline; Lichen has no vDSO
    /// trampoline, and the C libraries always pass SA_RESTORER on arm64), pc = the handler.
    public static func entryRegisters(signal: Int32, siginfo: Bool, frame: UInt64, record: UInt64,
                                      handler: UInt64, restorer: UInt64)
        -> (x0: UInt64, x1: UInt64?, x2: UInt64?, x29: UInt64, x30: UInt64, sp: UInt64, pc: UInt64) {
        let info = frame                                               // info is first
        let uc = frame + UInt64(MemoryLayout<LinuxSigInfo>.size)       // then uc (128 is 16-aligned)
        return (UInt64(UInt32(bitPattern: signal)), siginfo ? info : nil, siginfo ? uc : nil, record, restorer, frame, handler)
    }
}

extension LinuxSigcontext {
    /// PSTATE bits user space may hand back through rt_sigreturn: the condition flags.
    public static let userPstateMask: UInt64 = 0xf000_0000
    /// The PSTATE to resume with after rt_sigreturn, or nil if the frame's is not a valid EL0 AArch64
    /// state (Linux's valid_user_regs: mode EL0t, AArch64, D/A/I/F clear; the process then gets
    /// SIGSEGV). Anything else the user wrote is cleared, except the condition flags.
    public var pstateForReturn: UInt64? { LinuxSigcontext.pstateForReturn(pstate) }

    public static func pstateForReturn(_ pstate: UInt64) -> UInt64? {
        let mode: UInt64 = pstate & 0x1f                  // M[4] = AArch32, M[3:0] = EL and SP
        let daif: UInt64 = pstate & (0xf << 6)
        guard mode == 0, daif == 0 else { return nil }
        return pstate & LinuxSigcontext.userPstateMask
    }
}

extension LinuxSigcontextReserved {
    /// The records rt_sigreturn reads back, walking __reserved as Linux's parse_user_sigframe does:
    /// each record is a header {magic, size} with a 16-byte multiple size inside the area, the list
    /// ends with a null header; fpsimd_context (size 528) is required and appears once; an
    /// esr_context (size 16) is allowed and ignored; anything else (unknown records, extra_context,
    /// SVE) makes the frame invalid (nil: SIGSEGV).
    public func parse() -> (fpsimd: LinuxFpsimdContext, esr: UInt64?)? {
        withUnsafeBytes(of: self) { LinuxSigcontextReserved.parse($0) }
    }

    /// `parse` over the bytes of __reserved (or its first `LinuxRtSigframe.usedBytes` - the
    /// reserved area's offset: a valid record list never reaches past them).
    public static func parse(_ raw: UnsafeRawBufferPointer) -> (fpsimd: LinuxFpsimdContext, esr: UInt64?)? {
        guard let (offset, esr) = records(raw) else { return nil }
        return (raw.loadUnaligned(fromByteOffset: offset, as: LinuxFpsimdContext.self), esr)
    }

    /// The record walk of `parse`: where the fpsimd record starts, and the ESR if there is one.
    public static func records(_ raw: UnsafeRawBufferPointer) -> (fpsimdOffset: Int, esr: UInt64?)? {
        var offset = 0
        var fpsimd: Int? = nil
        var esr: UInt64? = nil
        while true {
            guard offset + 8 <= raw.count else { return nil }
            let magic = raw.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let size = Int(raw.loadUnaligned(fromByteOffset: offset + 4, as: UInt32.self))
            if magic == 0 {
                guard size == 0 else { return nil }
                break
            }
            guard size >= 16, size % 16 == 0, size <= raw.count - offset else { return nil }
            switch magic {
            case LinuxFpsimdContext.magic:
                guard fpsimd == nil, size == LinuxFpsimdContext.size else { return nil }
                fpsimd = offset
            case LinuxEsrContext.magic:
                guard size == 16 else { return nil }
                esr = raw.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self)
            default:
                return nil
            }
            offset += size
        }
        guard let fpsimd else { return nil }
        return (fpsimd, esr)
    }
}
