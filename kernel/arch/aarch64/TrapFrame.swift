import LichenCore

/// The registers saved by an exception entry (vectors.S). Layout, 288 bytes:
/// x0-x30 at 0..240, sp at 248, elr at 256, spsr at 264, esr at 272, far at 280.
struct TrapFrame {
    static let size = 288
    let base: UnsafeMutablePointer<UInt64>

    init(_ pointer: UnsafeMutableRawPointer) { base = pointer.assumingMemoryBound(to: UInt64.self) }

    func register(_ n: Int) -> UInt64 { base[n] }
    func setRegister(_ n: Int, _ v: UInt64) { base[n] = v }
    var sp: UInt64 { base[31] }
    var elr: UInt64 { get { base[32] } nonmutating set { base[32] = newValue } }
    var spsr: UInt64 { base[33] }
    var esr: UInt64 { base[34] }
    var far: UInt64 { base[35] }
    var framePointer: UInt64 { base[29] }
    var linkRegister: UInt64 { base[30] }
    /// Exception level the exception was taken from (SPSR.M[3:2]).
    var fromLevel: UInt64 { (spsr >> 2) & 3 }
}
