import LichenCore

/// arm64's registers in a core file (Linux's arm64 regsets): NT_PRSTATUS's `pr_reg` is
/// `struct user_pt_regs` (x0-x30, sp, pc, pstate), NT_PRFPREG is `struct user_fpsimd_state`
/// (v0-v31, fpsr, fpcr), NT_ARM_TLS is tpidr_el0.
enum CoreDumpRegisters {
    static let NT_ARM_TLS: UInt32 = 0x401

    /// `pr_reg` of NT_PRSTATUS.
    static func general(_ context: UserContext) -> [UInt8] {
        var out: [UInt8] = []
        out.reserveCapacity(34 * 8)
        for i in 0..<31 { ElfCoreFile.put(context.registers[i], 8, &out) }
        ElfCoreFile.put(context.sp, 8, &out)
        ElfCoreFile.put(context.pc, 8, &out)
        ElfCoreFile.put(context.pstate, 8, &out)
        return out
    }

    /// The notes after NT_PRSTATUS for one thread: FP/SIMD state (saved in the context by then) and TLS.
    static func notes(_ context: UserContext) -> [ElfCoreFile.Note] {
        var fp = [UInt8](UnsafeRawBufferPointer(start: context.fpState, count: 512))
        ElfCoreFile.put(context.fpState.load(fromByteOffset: 520, as: UInt64.self), 4, &fp)      // fpsr
        ElfCoreFile.put(context.fpState.load(fromByteOffset: 512, as: UInt64.self), 4, &fp)      // fpcr
        ElfCoreFile.put(0, 8, &fp)                                                               // __reserved
        var tls: [UInt8] = []
        ElfCoreFile.put(context.tls, 8, &tls)
        return [ElfCoreFile.Note(type: LinuxElfNote.NT_PRFPREG, description: fp),
                ElfCoreFile.Note(name: Array("LINUX".utf8), type: NT_ARM_TLS, description: tls)]
    }
}
