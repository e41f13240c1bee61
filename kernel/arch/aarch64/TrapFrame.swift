import LichenCore
import AArch64Intrinsics

/// The registers saved by an exception entry (vectors.S), laid out as include/trap_frame.h says (the
/// one description, shared with the assembly): x0-x30, sp, elr, spsr, esr, far, one word each.
struct TrapFrame {
    static let size = Int(TRAP_FRAME_SIZE)
    /// Word indexes of the named slots (UserContext keeps a user thread's registers in this layout).
    static let spWord = Int(TRAP_FRAME_SP) / 8
    static let elrWord = Int(TRAP_FRAME_ELR) / 8
    static let spsrWord = Int(TRAP_FRAME_SPSR) / 8
    static let esrWord = Int(TRAP_FRAME_ESR) / 8
    static let farWord = Int(TRAP_FRAME_FAR) / 8

    let base: UnsafeMutablePointer<UInt64>

    init(_ pointer: UnsafeMutableRawPointer) { base = pointer.assumingMemoryBound(to: UInt64.self) }

    func register(_ n: Int) -> UInt64 { base[n] }
    func setRegister(_ n: Int, _ v: UInt64) { base[n] = v }
    var sp: UInt64 { base[Self.spWord] }
    var elr: UInt64 { get { base[Self.elrWord] } nonmutating set { base[Self.elrWord] = newValue } }
    var spsr: UInt64 { base[Self.spsrWord] }
    var esr: UInt64 { base[Self.esrWord] }
    var far: UInt64 { base[Self.farWord] }
    var framePointer: UInt64 { base[29] }
    var linkRegister: UInt64 { base[30] }
    /// Exception level the exception was taken from (SPSR.M[3:2]).
    var fromLevel: UInt64 { (spsr >> 2) & 3 }
}
