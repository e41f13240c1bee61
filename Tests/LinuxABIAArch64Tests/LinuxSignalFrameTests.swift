import Testing
import LichenCore
@testable import LinuxABIAArch64

/// Behaviour of the arm64 signal frame beyond its layout (LinuxAArch64LayoutTests checks that).
@Suite struct LinuxSignalFrameTests {
    @Test func signalFrameRecordsAndPlacement() {
        var frame = LinuxRtSigframe()
        #expect(frame.uc.uc_mcontext.reserved.fpsimd.head.magic == 0x4650_8001)
        #expect(frame.uc.uc_mcontext.reserved.fpsimd.head.size == 528)
        frame.uc.uc_mcontext.setRegister(30, 0x4000)
        frame.uc.uc_mcontext.reserved.esr = LinuxEsrContext(esr: 0x9200_0047)
        let bytes = linuxBytes(of: frame)
        #expect(bytes.count == 4688)
        bytes.withUnsafeBytes { raw in
            let mcontext = 128 + 176
            #expect(raw.loadUnaligned(fromByteOffset: mcontext + 8 + 30 * 8, as: UInt64.self) == 0x4000)
            let reserved = mcontext + 288
            #expect(raw.loadUnaligned(fromByteOffset: reserved, as: UInt32.self) == 0x4650_8001)
            #expect(raw.loadUnaligned(fromByteOffset: reserved + 528, as: UInt32.self) == 0x4553_5201)
            #expect(raw.loadUnaligned(fromByteOffset: reserved + 528 + 4, as: UInt32.self) == 16)
            #expect(raw.loadUnaligned(fromByteOffset: reserved + 528 + 8, as: UInt64.self) == 0x9200_0047)
            #expect(raw.loadUnaligned(fromByteOffset: reserved + 544, as: UInt64.self) == 0)   // terminator
        }
        #expect(frame.uc.uc_mcontext.register(30) == 0x4000 && frame.uc.uc_mcontext.register(31) == 0)
        #expect(MemoryLayout<LinuxSigcontextReserved>.size == LinuxSigcontextReserved.size)

        let p = LinuxRtSigframe.placement(below: 0x7fff_f000_0008)!
        #expect(p.record == 0x7fff_efff_fff0)
        #expect(p.frame == p.record - 4688 && p.frame % 16 == 0)
        #expect(LinuxRtSigframe.placement(below: 100) == nil)
    }

    @Test func buildingAndParsingAFrame() {
        var regs = linuxZeroGeneralRegisters
        linuxSetTupleElement(&regs, 0, UInt64(42))
        var fp = LinuxFpsimdContext()
        fp.fpsr = 0x10; fp.fpcr = 0x20
        linuxSetTupleElement(&fp.vregs, 31, UInt128(0x1234) << 64)
        let info = LinuxSigInfo.fault(signo: 11, code: LinuxSigInfo.SEGV_MAPERR, address: 0x10)
        let frame = LinuxRtSigframe(info: info, savedMask: 0x400, altStack: LinuxStack(ss_flags: LinuxStack.SS_DISABLE),
                                    regs: regs, sp: 0x7fff_0000, pc: 0x40_1000, pstate: 0x6000_0000, faultAddress: 0x10,
                                    fpsimd: fp, esr: 0x9200_0046)
        #expect(frame.uc.uc_sigmask == 0x400 && frame.uc.uc_mcontext.register(0) == 42 && frame.info.si_addr == 0x10)
        guard let parsed = frame.uc.uc_mcontext.reserved.parse() else { Issue.record(); return }
        #expect(parsed.esr == 0x9200_0046 && parsed.fpsimd.fpsr == 0x10 && parsed.fpsimd.fpcr == 0x20)
        #expect(linuxTupleElement(parsed.fpsimd.vregs, 31, as: UInt128.self) == UInt128(0x1234) << 64)
        // The used prefix: through the records, which parse from it alone.
        #expect(LinuxRtSigframe.reservedOffset == MemoryLayout<LinuxRtSigframe>.offset(of: \LinuxRtSigframe.uc.uc_mcontext.reserved))
        #expect(LinuxRtSigframe.usedBytes == MemoryLayout<LinuxRtSigframe>.offset(of: \LinuxRtSigframe.uc.uc_mcontext.reserved.rest))
        let prefix = withUnsafeBytes(of: frame) { raw in
            LinuxSigcontextReserved.parse(UnsafeRawBufferPointer(rebasing: raw[LinuxRtSigframe.reservedOffset..<LinuxRtSigframe.usedBytes]))
        }
        #expect(prefix?.esr == 0x9200_0046 && prefix?.fpsimd.fpsr == 0x10)
        // Without an ESR record the fpsimd record is followed by the terminator.
        var plain = LinuxSigcontextReserved()
        #expect(plain.parse()?.esr == nil)
        // Malformed lists: no fpsimd, a bad size, an unknown record, a non-zero terminator size.
        plain.fpsimd.head.magic = 0x1234_5678
        #expect(plain.parse() == nil)
        plain = LinuxSigcontextReserved()
        plain.fpsimd.head.size = 512
        #expect(plain.parse() == nil)
        plain = LinuxSigcontextReserved()
        plain.esr = LinuxEsrContext(esr: 1)
        plain.esr.head.magic = 0x7478_7865   // extra_context: not supported
        #expect(plain.parse() == nil)
        plain = LinuxSigcontextReserved()
        plain.esr.head.size = 8
        #expect(plain.parse() == nil)

        let r = LinuxRtSigframe.entryRegisters(signal: 11, siginfo: true, frame: 0x7000_0000, record: 0x7000_1260,
                                               handler: 0x40_2000, restorer: 0x40_3000)
        #expect(r.x0 == 11 && r.x1 == 0x7000_0000 && r.x2 == 0x7000_0080 && r.x29 == 0x7000_1260)
        #expect(r.x30 == 0x40_3000 && r.sp == 0x7000_0000 && r.pc == 0x40_2000)
        #expect(LinuxRtSigframe.entryRegisters(signal: 2, siginfo: false, frame: 0, record: 0, handler: 0, restorer: 0).x1 == nil)
    }

    @Test func sigreturnPstateIsSanitized() {
        var sc = LinuxSigcontext()
        sc.pstate = 0xf000_0000 | (1 << 21) | (1 << 22)   // NZCV plus SS and PAN: only NZCV survive
        #expect(sc.pstateForReturn == 0xf000_0000)
        sc.pstate = 0x5          // EL1h
        #expect(sc.pstateForReturn == nil)
        sc.pstate = 0x10         // AArch32
        #expect(sc.pstateForReturn == nil)
        sc.pstate = 0x80         // IRQs masked
        #expect(sc.pstateForReturn == nil)
    }
}

@Suite struct LinuxSignalFrameBytesTests {
    @Test func offsetsMatchTheStructLayout() {
        typealias F = LinuxRtSigframe
        #expect(LinuxSignalFrameBytes.ucStack == MemoryLayout<F>.offset(of: \F.uc.uc_stack))
        #expect(LinuxSignalFrameBytes.ucSigmask == MemoryLayout<F>.offset(of: \F.uc.uc_sigmask))
        #expect(LinuxSignalFrameBytes.faultAddress == MemoryLayout<F>.offset(of: \F.uc.uc_mcontext.fault_address))
        #expect(LinuxSignalFrameBytes.regs == MemoryLayout<F>.offset(of: \F.uc.uc_mcontext.regs))
        #expect(LinuxSignalFrameBytes.sp == MemoryLayout<F>.offset(of: \F.uc.uc_mcontext.sp))
        #expect(LinuxSignalFrameBytes.pc == MemoryLayout<F>.offset(of: \F.uc.uc_mcontext.pc))
        #expect(LinuxSignalFrameBytes.pstate == MemoryLayout<F>.offset(of: \F.uc.uc_mcontext.pstate))
    }

    /// The bytes written in place equal the used prefix of the reference struct, and read back.
    @Test(arguments: [nil, UInt64(0x9200_0046)]) func writeMatchesTheStructAndRestores(esr: UInt64?) {
        var registers = [UInt64](repeating: 0, count: 31)
        for i in 0..<31 { registers[i] = UInt64(i) * 0x1_0001 + 7 }
        var fp = [UInt8](repeating: 0, count: 528)
        for i in 0..<512 { fp[i] = UInt8(truncatingIfNeeded: i * 7 + 1) }
        fp.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(0x0300_0000), toByteOffset: 512, as: UInt64.self) }   // fpcr
        fp.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(0x11), toByteOffset: 520, as: UInt64.self) }         // fpsr
        let info = LinuxSigInfo.fault(signo: 11, code: LinuxSigInfo.SEGV_MAPERR, address: 0x10)
        let stack = LinuxStack(ss_sp: 0x5000, ss_flags: LinuxStack.SS_ONSTACK, ss_size: 0x4000)
        var regs = LinuxSigcontext().regs
        withUnsafeMutableBytes(of: &regs) { r in registers.withUnsafeBytes { r.copyMemory(from: $0) } }
        var vregs = linuxZeroVectorRegisters
        withUnsafeMutableBytes(of: &vregs) { v in fp.withUnsafeBytes { v.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<512])) } }
        let reference = LinuxRtSigframe(info: info, savedMask: 0x4001, altStack: stack, regs: regs, sp: 0x7fff_1000,
                                        pc: 0x40_2000, pstate: 0x6000_0000, faultAddress: 0x10,
                                        fpsimd: LinuxFpsimdContext(fpsr: 0x11, fpcr: 0x0300_0000, vregs: vregs), esr: esr)
        var bytes = [UInt8](repeating: 0xee, count: LinuxRtSigframe.usedBytes)
        bytes.withUnsafeMutableBytes { out in
            registers.withUnsafeBytes { r in
                fp.withUnsafeBytes { f in
                    LinuxSignalFrameBytes.write(into: out, info: info, savedMask: 0x4001, altStack: stack,
                                                registers: r.baseAddress!, sp: 0x7fff_1000, pc: 0x40_2000,
                                                pstate: 0x6000_0000, faultAddress: 0x10, fpState: f.baseAddress!, esr: esr)
                }
            }
        }
        let expected = withUnsafeBytes(of: reference) { Array($0[0..<LinuxRtSigframe.usedBytes]) }
        #expect(bytes == expected)
        let restored = bytes.withUnsafeBytes { LinuxSignalFrameBytes.restore(from: $0) }
        #expect(restored?.sp == 0x7fff_1000 && restored?.pc == 0x40_2000 && restored?.pstate == 0x6000_0000)
        #expect(restored?.mask == 0x4001 && restored?.altStack == stack && restored?.fpsr == 0x11 && restored?.fpcr == 0x0300_0000)
        #expect(restored?.vectorOffset == LinuxRtSigframe.reservedOffset + 16)
        // A frame asking for EL1, or with its fpsimd record gone: nothing is restored.
        var el1 = bytes
        el1.withUnsafeMutableBytes { $0.storeBytes(of: UInt64(0x5), toByteOffset: LinuxSignalFrameBytes.pstate, as: UInt64.self) }
        #expect(el1.withUnsafeBytes { LinuxSignalFrameBytes.restore(from: $0) } == nil)
        var noRecord = bytes
        noRecord.withUnsafeMutableBytes { $0.storeBytes(of: UInt32(0x1234), toByteOffset: LinuxRtSigframe.reservedOffset, as: UInt32.self) }
        #expect(noRecord.withUnsafeBytes { LinuxSignalFrameBytes.restore(from: $0) } == nil)
    }
}
