import LichenCore

/// The used part of an rt_sigframe (`LinuxRtSigframe.usedBytes`) written and read in place, field by
/// field at the offsets of `LinuxRtSigframe`'s layout: delivering a signal and rt_sigreturn then touch
/// about 1.1 KiB instead of building, zeroing and copying the whole 4.7 KiB struct several times.
/// `LinuxRtSigframe` stays the reference layout; host tests check these offsets and bytes against it.

public enum LinuxSignalFrameBytes {
    public static let info = 0
    public static let ucStack = 128 + 16
    public static let ucSigmask = 128 + 40
    public static let faultAddress = 128 + 176
    public static let regs = faultAddress + 8
    public static let sp = regs + 31 * 8
    public static let pc = sp + 8
    public static let pstate = pc + 8
    public static let reserved = LinuxRtSigframe.reservedOffset
    static let fpsimdRecord = reserved
    static let esrRecord = reserved + LinuxFpsimdContext.size

    /// Fills `frame` (at least `LinuxRtSigframe.usedBytes`) as `LinuxRtSigframe(info:savedMask:...)`
    /// lays those bytes out. `registers`: x0-x30; `fpState`: q0-q31 (512 bytes), then fpcr and fpsr
    /// as 64-bit words.
    public static func write(into frame: UnsafeMutableRawBufferPointer, info: LinuxSigInfo, savedMask: UInt64,
                             altStack: LinuxStack, registers: UnsafeRawPointer, sp: UInt64, pc: UInt64,
                             pstate: UInt64, faultAddress: UInt64, fpState: UnsafeRawPointer, esr: UInt64?) {
        precondition(frame.count >= LinuxRtSigframe.usedBytes)
        let base = frame.baseAddress!
        base.initializeMemory(as: UInt8.self, repeating: 0, count: LinuxRtSigframe.usedBytes)
        base.storeBytes(of: info, toByteOffset: Self.info, as: LinuxSigInfo.self)
        base.storeBytes(of: altStack, toByteOffset: ucStack, as: LinuxStack.self)
        base.storeBytes(of: savedMask, toByteOffset: ucSigmask, as: UInt64.self)
        base.storeBytes(of: faultAddress, toByteOffset: Self.faultAddress, as: UInt64.self)
        (base + regs).copyMemory(from: registers, byteCount: 31 * 8)
        base.storeBytes(of: sp, toByteOffset: Self.sp, as: UInt64.self)
        base.storeBytes(of: pc, toByteOffset: Self.pc, as: UInt64.self)
        base.storeBytes(of: pstate, toByteOffset: Self.pstate, as: UInt64.self)
        // fpsimd_context: {magic, size}, fpsr, fpcr (32-bit), then the vector registers.
        base.storeBytes(of: LinuxFpsimdContext.magic, toByteOffset: fpsimdRecord, as: UInt32.self)
        base.storeBytes(of: UInt32(LinuxFpsimdContext.size), toByteOffset: fpsimdRecord + 4, as: UInt32.self)
        let fpcr = fpState.load(fromByteOffset: 512, as: UInt64.self), fpsr = fpState.load(fromByteOffset: 520, as: UInt64.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: fpsr), toByteOffset: fpsimdRecord + 8, as: UInt32.self)
        base.storeBytes(of: UInt32(truncatingIfNeeded: fpcr), toByteOffset: fpsimdRecord + 12, as: UInt32.self)
        (base + fpsimdRecord + 16).copyMemory(from: fpState, byteCount: 512)
        if let esr {
            base.storeBytes(of: LinuxEsrContext.magic, toByteOffset: esrRecord, as: UInt32.self)
            base.storeBytes(of: UInt32(16), toByteOffset: esrRecord + 4, as: UInt32.self)
            base.storeBytes(of: esr, toByteOffset: esrRecord + 8, as: UInt64.self)
        }   // the terminator after it (or in its place) is already zero
    }

    /// What rt_sigreturn restores from the used part of a frame read back from user memory, or nil
    /// if it is invalid (a bad PSTATE or record list: SIGSEGV). `fpsimdOffset`: where the vector
    /// registers of its fpsimd record start in `frame`.
    public struct Restored {
        public var sp: UInt64, pc: UInt64, pstate: UInt64, mask: UInt64, altStack: LinuxStack
        public var fpsr: UInt32, fpcr: UInt32, vectorOffset: Int
    }

    public static func restore(from frame: UnsafeRawBufferPointer) -> Restored? {
        guard frame.count >= LinuxRtSigframe.usedBytes,
              let userPstate = LinuxSigcontext.pstateForReturn(frame.loadUnaligned(fromByteOffset: pstate, as: UInt64.self)),
              let (record, _) = LinuxSigcontextReserved.records(UnsafeRawBufferPointer(rebasing: frame[reserved..<LinuxRtSigframe.usedBytes]))
        else { return nil }
        let r = reserved + record
        return Restored(sp: frame.loadUnaligned(fromByteOffset: sp, as: UInt64.self), pc: frame.loadUnaligned(fromByteOffset: pc, as: UInt64.self),
                        pstate: userPstate, mask: frame.loadUnaligned(fromByteOffset: ucSigmask, as: UInt64.self),
                        altStack: frame.loadUnaligned(fromByteOffset: ucStack, as: LinuxStack.self),
                        fpsr: frame.loadUnaligned(fromByteOffset: r + 8, as: UInt32.self),
                        fpcr: frame.loadUnaligned(fromByteOffset: r + 12, as: UInt32.self), vectorOffset: r + 16)
    }
}
