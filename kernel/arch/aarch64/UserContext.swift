import LichenCore
import AArch64Intrinsics

/// One user thread's CPU state while it is not running: general registers in TrapFrame layout (what
/// usermode.S loads and stores), the TLS register and the FP/SIMD registers.
final class UserContext {
    static let registerWords = TrapFrame.size / 8
    static let fpStateBytes = 528

    let registers: UnsafeMutablePointer<UInt64>
    let fpState: UnsafeMutableRawPointer
    var tls: UInt64 = 0

    init(entry: UserAddr, stack: UserAddr) {
        registers = .allocate(capacity: UserContext.registerWords)
        registers.initialize(repeating: 0, count: UserContext.registerWords)
        fpState = .allocate(byteCount: UserContext.fpStateBytes, alignment: 16)
        fpState.initializeMemory(as: UInt8.self, repeating: 0, count: UserContext.fpStateBytes)
        pc = entry.value
        sp = stack.value
        pstate = 0                                  // EL0t, all exceptions unmasked
    }

    /// A copy for fork/clone: registers, TLS and FP/SIMD state.
    func copy() -> UserContext {
        let c = UserContext(entry: UserAddr(pc), stack: UserAddr(sp))
        c.registers.update(from: registers, count: UserContext.registerWords)
        c.fpState.copyMemory(from: fpState, byteCount: UserContext.fpStateBytes)
        c.tls = tls
        return c
    }

    /// execve: a fresh register state at `entry` with `stack`.
    func reset(entry: UserAddr, stack: UserAddr) {
        registers.update(repeating: 0, count: UserContext.registerWords)
        fpState.initializeMemory(as: UInt8.self, repeating: 0, count: UserContext.fpStateBytes)
        FPState.forget(self)
        tls = 0
        pc = entry.value
        sp = stack.value
    }

    deinit {
        FPState.forget(self)
        registers.deallocate()
        fpState.deallocate()
    }

    subscript(register n: Int) -> UInt64 {
        get { registers[n] }
        set { registers[n] = newValue }
    }
    var sp: UInt64 { get { registers[31] } set { registers[31] = newValue } }
    var pc: UInt64 { get { registers[32] } set { registers[32] = newValue } }
    var pstate: UInt64 { get { registers[33] } set { registers[33] = newValue } }
    var esr: UInt64 { registers[34] }
    var far: UInt64 { registers[35] }
}

/// FP/SIMD switching: saved eagerly whenever a user context stops running (so it may resume on any
/// CPU), restored lazily: only when the CPU's registers hold another context's state.
enum FPState {
    nonisolated(unsafe) private static let loaded: UnsafeMutablePointer<ObjectIdentifier?> = {
        let p = UnsafeMutablePointer<ObjectIdentifier?>.allocate(capacity: PerCPU.maxCPUs)
        p.initialize(repeating: nil, count: PerCPU.maxCPUs)
        return p
    }()

    static func willRun(_ context: UserContext) {
        let cpu = PerCPU.currentIndex
        guard loaded[cpu] != ObjectIdentifier(context) else { return }
        lichen_fp_restore(context.fpState)
        loaded[cpu] = ObjectIdentifier(context)
    }

    static func didStop(_ context: UserContext) {
        lichen_fp_save(context.fpState)
    }

    /// A context is going away (its identity may be reused by a new object).
    static func forget(_ context: UserContext) {
        for cpu in 0..<PerCPU.maxCPUs where loaded[cpu] == ObjectIdentifier(context) { loaded[cpu] = nil }
    }
}
