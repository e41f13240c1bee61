// The register arrays of the arm64 signal frame, as Swift tuples (laid out like the C arrays).

/// `__u64 regs[31]` of `struct sigcontext`.
public typealias LinuxGeneralRegisters = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)
/// `__uint128_t vregs[32]` of `struct fpsimd_context`.
public typealias LinuxVectorRegisters = (UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128, UInt128)
@usableFromInline let linuxZeroGeneralRegisters: LinuxGeneralRegisters = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
@usableFromInline let linuxZeroVectorRegisters: LinuxVectorRegisters = (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
