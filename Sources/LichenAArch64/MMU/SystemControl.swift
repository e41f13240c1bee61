// SCTLR_EL1 bits (Arm ARM D19.2 SCTLR_EL1). Bit positions are architectural; bits that were
// RES1 in Armv8.0 and later became feature controls are in `reservedOnes`.

public enum SystemControl {
    /// [0] M: stage 1 MMU enable.
    public static let m: UInt64 = 1 << 0
    /// [1] A: alignment checking for all loads/stores.
    public static let a: UInt64 = 1 << 1
    /// [2] C: data accesses may be cacheable (0 = all Normal memory treated non-cacheable).
    public static let c: UInt64 = 1 << 2
    /// [3] SA: SP alignment check at EL1.
    public static let sa: UInt64 = 1 << 3
    /// [4] SA0: SP alignment check at EL0.
    public static let sa0: UInt64 = 1 << 4
    /// [5] CP15BEN: AArch32 EL0 CP15 barrier instructions enabled.
    public static let cp15ben: UInt64 = 1 << 5
    /// [7] ITD: AArch32 IT instruction disable.
    public static let itd: UInt64 = 1 << 7
    /// [8] SED: AArch32 SETEND disable.
    public static let sed: UInt64 = 1 << 8
    /// [9] UMA: EL0 may access PSTATE.{D,A,I,F} (MSR DAIF*).
    public static let uma: UInt64 = 1 << 9
    /// [11] EOS: exception exit is context synchronizing (RES1 before FEAT_ExS).
    public static let eos: UInt64 = 1 << 11
    /// [12] I: instruction fetches may be cacheable.
    public static let i: UInt64 = 1 << 12
    /// [14] DZE: EL0 may use DC ZVA.
    public static let dze: UInt64 = 1 << 14
    /// [15] UCT: EL0 may read CTR_EL0.
    public static let uct: UInt64 = 1 << 15
    /// [16] nTWI: EL0 WFI does not trap.
    public static let ntwi: UInt64 = 1 << 16
    /// [18] nTWE: EL0 WFE does not trap.
    public static let ntwe: UInt64 = 1 << 18
    /// [19] WXN: every writable region is also execute-never (hardware W^X).
    public static let wxn: UInt64 = 1 << 19
    /// [20] TSCXT: trap EL0 SCXTNUM_EL0 access (RES1 before FEAT_CSV2_2).
    public static let tscxt: UInt64 = 1 << 20
    /// [21] IESB: implicit error synchronization on exception entry/exit (FEAT_IESB).
    public static let iesb: UInt64 = 1 << 21
    /// [22] EIS: exception entry is context synchronizing (RES1 before FEAT_ExS).
    public static let eis: UInt64 = 1 << 22
    /// [23] SPAN: 0 = PSTATE.PAN is set on exception entry to EL1 (RES1 before FEAT_PAN).
    public static let span: UInt64 = 1 << 23
    /// [24] E0E: EL0 data big-endian. [25] EE: EL1 data and walks big-endian.
    public static let e0e: UInt64 = 1 << 24
    public static let ee: UInt64 = 1 << 25
    /// [26] UCI: EL0 may use DC CVAU, DC CIVAC, DC CVAC, DC CVAP, IC IVAU (JITs need these).
    public static let uci: UInt64 = 1 << 26
    /// [28] nTLSMD, [29] LSMAOE: AArch32 load/store multiple behaviour (RES1 before FEAT_LSMAOC).
    public static let ntlsmd: UInt64 = 1 << 28
    public static let lsmaoe: UInt64 = 1 << 29

    /// Bits that are RES1 in Armv8.0: 29, 28, 23, 22, 20, 11 (= 0x30d0_0800). Setting them keeps
    /// the old behaviour on newer cores too.
    public static let reservedOnes: UInt64 = lsmaoe | ntlsmd | span | eis | tscxt | eos

    /// Lichen's EL1 setting with the MMU on: caches, stack alignment checks, hardware W^X as a
    /// second line behind MemoryAttributes.validate, little-endian, and the EL0 conveniences
    /// Linux grants (CTR_EL0, DC ZVA, cache maintenance, untrapped WFE; WFI still traps).
    /// SPAN stays 1 (PAN unused); clear it to have PAN set on every exception entry. With WXN,
    /// any table live when the MMU comes on must not map the running code writable.
    public static let kernelValue: UInt64 =
        reservedOnes | m | c | sa | sa0 | sed | i | dze | uct | ntwe | wxn | uci
}
