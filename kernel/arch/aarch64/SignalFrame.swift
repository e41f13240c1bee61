import LichenCore
import LinuxABIAArch64

/// arm64's rt_sigframe (LinuxABIAArch64 lays out its bytes): pushing one for a handler and taking
/// the registers back from it in rt_sigreturn. Generic delivery (kernel/process/SignalDelivery.swift)
/// decides when; this file knows the frame and the registers it sets.
enum SignalFrame {
    /// Builds the frame below `f.stackTop` and points the registers at the handler; false if the
    /// frame cannot be written (the caller kills the thread with SIGSEGV, as Linux's force_sigsegv).
    /// `scratch` (at least `frameBytes`, the thread's kept buffer) holds the frame while it is built:
    /// ~1.1 KiB is above what a temporary allocation keeps on the stack, so that would be a heap
    /// allocation and free per signal.
    static func push(_ f: SignalHandlerFrame, altStack: LinuxStack, context: UserContext, user: UserMemory,
                     sigreturn: UInt64, scratch: UnsafeMutableRawBufferPointer) -> Bool {
        guard let (frameAddress, record) = LinuxRtSigframe.placement(below: f.stackTop) else { return false }
        let isFault = SignalSet.synchronous.contains(f.signal) && f.info.si_code > 0
        do throws(Errno) {
            // The used part of the frame (~1.1 KiB), built in the scratch buffer and copied out once.
            let frame = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<frameBytes])
            LinuxSignalFrameBytes.write(into: frame, info: f.info, savedMask: f.savedMask.bits, altStack: altStack,
                                        registers: UnsafeRawPointer(context.registers), sp: context.sp, pc: context.pc,
                                        pstate: context.pstate, faultAddress: isFault ? f.info.si_addr : 0,
                                        fpState: UnsafeRawPointer(context.fpState), esr: isFault ? context.esr : nil)
            try user.write(UnsafeRawBufferPointer(frame), to: UserAddr(frameAddress))
            try user.store(context.framePointer, to: UserAddr(record))
            try user.store(context.returnAddress, to: UserAddr(record + 8))
        } catch { return false }
        let entry = LinuxRtSigframe.entryRegisters(signal: f.signal.number, siginfo: f.flags.contains(.siginfo),
                                                  frame: frameAddress, record: record, handler: f.handler,
                                                  restorer: f.flags.contains(.restorer) ? f.restorer : sigreturn)
        context.setCallArgument(0, entry.x0)
        if let x1 = entry.x1 { context.setCallArgument(1, x1) }
        if let x2 = entry.x2 { context.setCallArgument(2, x2) }
        context.framePointer = entry.x29
        context.returnAddress = entry.x30
        context.sp = entry.sp
        context.pc = entry.pc
        return true
    }

    /// What rt_sigreturn gives back besides the registers.
    struct Restored {
        let mask: SignalSet
        let altStack: LinuxStack
        let sp: UInt64
    }

    /// rt_sigreturn: the registers and FP/SIMD state from the frame at sp; nil if it is unreadable
    /// or asks for anything but EL0t (a privilege escalation attempt). The frame is read into
    /// `scratch` (at least `frameBytes`, the thread's kept buffer).
    @inline(never)
    static func restore(context: UserContext, user: UserMemory, scratch: UnsafeMutableRawBufferPointer) -> Restored? {
        let address = context.sp
        guard address & 15 == 0 else { return nil }
        // Only the used part of the frame is read (a valid record list fits in it).
        let frame = UnsafeMutableRawBufferPointer(rebasing: scratch[0..<frameBytes])
        guard (try? user.read(frame, from: UserAddr(address))) != nil,
              let r = LinuxSignalFrameBytes.restore(from: UnsafeRawBufferPointer(frame)) else { return nil }
        // One block copy (update(from:count:) is an element loop here).
        UnsafeMutableRawPointer(context.registers).copyMemory(from: frame.baseAddress! + LinuxSignalFrameBytes.regs, byteCount: 31 * 8)
        context.sp = r.sp
        context.pc = r.pc
        context.pstate = r.pstate
        context.fpState.copyMemory(from: frame.baseAddress! + r.vectorOffset, byteCount: 512)
        context.fpState.storeBytes(of: UInt64(r.fpcr), toByteOffset: 512, as: UInt64.self)
        context.fpState.storeBytes(of: UInt64(r.fpsr), toByteOffset: 520, as: UInt64.self)
        FPState.forget(context)                 // the CPU's copy is stale: reload before user mode
        return Restored(mask: SignalSet(bits: r.mask), altStack: r.altStack, sp: r.sp)
    }

    /// The bytes push and restore build or read the frame in.
    static var frameBytes: Int { LinuxRtSigframe.usedBytes }
}
