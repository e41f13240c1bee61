import Testing
@testable import LichenAArch64

@Suite struct ControlRegisterTests {
    // T0SZ 0x10 | IRGN0 0x100 | ORGN0 0x400 | SH0 0x3000 | T1SZ 0x10_0000 | IRGN1 0x100_0000 |
    // ORGN1 0x400_0000 | SH1 0x3000_0000 | TG1 0x8000_0000 = 0xb510_3510, then IPS << 32, AS 1 << 36.
    @Test func tcrFor48BitPhysical16BitASIDs() {
        #expect(TranslationControl.value(mmfr0: 0x25) == 0x15_b510_3510)
    }

    @Test func tcrFor40BitPhysical8BitASIDs() {
        #expect(TranslationControl.value(mmfr0: 0x2) == 0x02_b510_3510)
    }

    @Test func tcrForCortexA72() {
        // ID_AA64MMFR0_EL1 of a Cortex-A72: PARange 0b0100 (44 bits), ASIDBits 0b0010.
        let mmfr0: UInt64 = 0x0000_1124
        #expect(TranslationControl.supports4KGranule(mmfr0: mmfr0))
        #expect(TranslationControl.value(mmfr0: mmfr0) == 0x14_b510_3510)
        #expect(TranslationControl.value(mmfr0: mmfr0, topByteIgnoreUser: true) == 0x34_b510_3510)
    }

    @Test func kernelTCRDisablesTTBR1Walks() {
        // value + EPD1 0x80_0000: boot.S's bootstrap TCR_VALUE with IPS 0b100 (Cortex-A72).
        #expect(TranslationControl.kernelValue(mmfr0: 0x0000_1124) == 0x14_b590_3510)
        #expect(TranslationControl.kernelValue(mmfr0: 0x2) == 0x02_b590_3510)
    }

    @Test func parangeIsClampedTo48Bits() {
        #expect(TranslationControl.ips(mmfr0: 0x6) == 0b101)
        #expect(TranslationControl.physicalAddressBits(parange: 6) == 52)
        #expect(TranslationControl.physicalAddressBits(parange: 5) == 48)
        #expect(TranslationControl.physicalAddressBits(parange: 0) == 32)
        #expect(!TranslationControl.supports4KGranule(mmfr0: 0xf000_0000))
    }

    @Test func sctlr() {
        #expect(SystemControl.reservedOnes == 0x30d0_0800)
        // + M 0x1, C 0x4, SA 0x8, SA0 0x10, SED 0x100, I 0x1000, DZE 0x4000, UCT 0x8000,
        //   nTWE 0x4_0000, WXN 0x8_0000, UCI 0x400_0000.
        #expect(SystemControl.kernelValue == 0x34dc_d91d)
        #expect(SystemControl.kernelValue & SystemControl.ntwi == 0)   // EL0 WFI traps
    }
}
