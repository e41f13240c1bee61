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
    /// The CPU whose FP/SIMD registers were last loaded from (or saved into) this context, or -1.
    /// With `FPState`'s per-CPU owner it decides whether the registers can be reused (Linux's
    /// `fpsimd_cpu`): both must agree, since the thread may have run, and changed them, elsewhere.
    var fpCPU = -1

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
    var sp: UInt64 { get { registers[TrapFrame.spWord] } set { registers[TrapFrame.spWord] = newValue } }
    var pc: UInt64 { get { registers[TrapFrame.elrWord] } set { registers[TrapFrame.elrWord] = newValue } }
    var pstate: UInt64 { get { registers[TrapFrame.spsrWord] } set { registers[TrapFrame.spsrWord] = newValue } }
    var esr: UInt64 { registers[TrapFrame.esrWord] }
    var far: UInt64 { registers[TrapFrame.farWord] }

    // Linux's arm64 ABI in semantic terms (the contract's UserRegisters): syscall arguments in x0-x5,
    // the result in x0; a call's arguments in x0-x7; frame pointer x29, link register x30.
    func syscallArgument(_ index: Int) -> UInt64 { registers[index] }
    func setSyscallArgument(_ index: Int, _ value: UInt64) { registers[index] = value }
    var syscallReturnValue: UInt64 { get { registers[0] } set { registers[0] = newValue } }
    /// `svc #0` is one 4-byte instruction before the pc the trap saved.
    func rewindSyscall() { pc -= 4 }
    func setCallArgument(_ index: Int, _ value: UInt64) { registers[index] = value }
    var framePointer: UInt64 { get { registers[29] } set { registers[29] = newValue } }
    var returnAddress: UInt64 { get { registers[30] } set { registers[30] = newValue } }
}

/// FP/SIMD switching: saved before the thread may let another task have the CPU (Thread.saveUserFP,
/// so that it may resume on any CPU), restored lazily: the load is skipped only when this CPU's registers still hold this
/// context's state, which takes both directions of ownership (Linux's `fpsimd_last_state` per CPU and
/// `fpsimd_cpu` per thread): the CPU last loaded this context, and the context last ran on this CPU.
/// Checking only the first gave a thread that ran on another CPU since its stale registers back.
enum FPState {
    nonisolated(unsafe) private static let loaded: UnsafeMutablePointer<ObjectIdentifier?> = {
        let p = UnsafeMutablePointer<ObjectIdentifier?>.allocate(capacity: PerCPU.maxCPUs)
        p.initialize(repeating: nil, count: PerCPU.maxCPUs)
        return p
    }()

    static func willRun(_ context: UserContext) {
        let cpu = PerCPU.currentIndex
        if context.fpCPU == cpu && loaded[cpu] == ObjectIdentifier(context) { return }
        lichen_fp_restore(context.fpState)
        loaded[cpu] = ObjectIdentifier(context)
        context.fpCPU = cpu
    }

    static func didStop(_ context: UserContext) {
        lichen_fp_save(context.fpState)
    }

    /// The saved state changed (exec, sigreturn) or the context is going away: no CPU's registers
    /// may stand for it any more. (A new object reusing its identity starts with `fpCPU` -1.)
    static func forget(_ context: UserContext) {
        context.fpCPU = -1
    }
}
