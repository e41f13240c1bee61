import Testing
@testable import LichenAArch64

/// ESR values taken apart by hand: EC = bits [31:26], IL = bit 25, ISS = bits [24:0].
@Suite struct ExceptionSyndromeTests {
    @Test func dataAbortSameELWriteTranslationLevel1() throws {
        // 0x96 = 0b100101_1_0: EC 0x25, IL 1. ISS 0x45: WnR (bit 6), DFSC 0b000101.
        let esr = ExceptionSyndrome(0x9600_0045)
        #expect(esr.exceptionClass == .dataAbortSameEL)
        #expect(esr.classCode == 0x25 && esr.is32BitInstruction && esr.iss == 0x45)
        let abort = try #require(esr.abort)
        #expect(abort.isWrite && !abort.isCacheMaintenance && !abort.farNotValid)
        #expect(abort.faultStatus.kind == .translation && abort.faultStatus.level == 1)
        #expect(abort.faultStatus.isPageFault)
        #expect(esr.className.description == "Data abort (same EL)")
        #expect(abort.faultStatus.kind.name.description == "translation fault")
        #expect(esr.immediate == nil && esr.systemRegisterAccess == nil)
    }

    @Test func dataAbortLowerELReadTranslationLevel0() throws {
        // 0x92 = 0b100100_1_0: EC 0x24. DFSC 0b000100.
        let esr = ExceptionSyndrome(0x9200_0004)
        #expect(esr.exceptionClass == .dataAbortLowerEL && esr.exceptionClass?.isFromLowerEL == true)
        let abort = try #require(esr.abort)
        #expect(!abort.isWrite)
        #expect(abort.faultStatus == FaultStatus(code: 0b000100))
        #expect(abort.faultStatus.kind == .translation && abort.faultStatus.level == 0)
    }

    @Test func otherDataAbortStatuses() throws {
        let permission = try #require(ExceptionSyndrome(0x9600_004f).abort)          // DFSC 0b001111
        #expect(permission.isWrite && permission.faultStatus.kind == .permission && permission.faultStatus.level == 3)
        let accessFlag = try #require(ExceptionSyndrome(0x9600_000b).abort)          // DFSC 0b001011
        #expect(accessFlag.faultStatus.kind == .accessFlag && accessFlag.faultStatus.level == 3)
        let alignment = try #require(ExceptionSyndrome(0x9600_0061).abort)           // WnR + 0b100001
        #expect(alignment.isWrite && alignment.faultStatus.kind == .alignment && alignment.faultStatus.level == nil)
        let external = try #require(ExceptionSyndrome(0x9600_0410).abort)            // FnV (bit 10) + 0b010000
        #expect(external.farNotValid && external.faultStatus.kind == .synchronousExternal)
        let cacheOp = try #require(ExceptionSyndrome(0x9600_0147).abort)             // CM (bit 8) + WnR + L3
        #expect(cacheOp.isCacheMaintenance && cacheOp.isWrite && cacheOp.faultStatus.level == 3)
    }

    @Test func dataAbortWithInstructionSyndrome() throws {
        // 0x93c38007: EC 0x24, IL, ISV (bit 24), SAS 0b11 (8 bytes), SRT 3, SF, translation level 3.
        let abort = try #require(ExceptionSyndrome(0x93c3_8007).abort)
        #expect(abort.hasInstructionSyndrome)
        #expect(abort.accessSizeLog2 == 3 && abort.transferRegister == 3)
        #expect(abort.faultStatus.kind == .translation && abort.faultStatus.level == 3)
    }

    @Test func instructionAborts() throws {
        // 0x86 = 0b100001_1_0: EC 0x21; IFSC 0b001111. 0x82: EC 0x20; IFSC 0b000110.
        let same = ExceptionSyndrome(0x8600_000f)
        #expect(same.exceptionClass == .instructionAbortSameEL)
        let sameAbort = try #require(same.abort)
        #expect(!sameAbort.isData && !sameAbort.isWrite)
        #expect(sameAbort.faultStatus.kind == .permission && sameAbort.faultStatus.level == 3)
        let lower = ExceptionSyndrome(0x8200_0006)
        #expect(lower.exceptionClass == .instructionAbortLowerEL)
        #expect(lower.abort?.faultStatus.level == 2)
        #expect(lower.className.description == "Instruction abort (lower EL)")
    }

    @Test func svcFromEL0() {
        // 0x56 = 0b010101_1_0: EC 0x15, SVC #0.
        let esr = ExceptionSyndrome(0x5600_0000)
        #expect(esr.exceptionClass == .svc64 && esr.immediate == 0 && esr.abort == nil)
        #expect(ExceptionSyndrome(0x5600_1234).immediate == 0x1234)
    }

    @Test func brk() {
        // 0xf2 = 0b111100_1_0: EC 0x3c. BRK #1000 is what __builtin_trap emits.
        let esr = ExceptionSyndrome(0xf200_03e8)
        #expect(esr.exceptionClass == .brk64 && esr.immediate == 1000)
        #expect(ExceptionSyndrome(0xf200_0001).immediate == 1)
        #expect(esr.className.description == "BRK")
    }

    @Test func otherClasses() {
        #expect(ExceptionSyndrome(0x1fe0_0000).exceptionClass == .trappedFP)      // Linux's usual FP trap ESR
        #expect(ExceptionSyndrome(0xbe00_0000).exceptionClass == .serror)
        #expect(ExceptionSyndrome(0x0200_0000).exceptionClass == .unknown)
        #expect(ExceptionSyndrome(0x3a00_0000).exceptionClass == .illegalExecutionState)
        #expect(ExceptionSyndrome(0x8a00_0000).exceptionClass == .pcAlignment)
        #expect(ExceptionSyndrome(0x9a00_0000).exceptionClass == .spAlignment)
        #expect(ExceptionSyndrome(0xca00_0000).exceptionClass == .softwareStepLowerEL)
        #expect(ExceptionSyndrome(0xd600_0000).exceptionClass == .watchpointSameEL)
        #expect(ExceptionSyndrome(0x0600_0001).exceptionClass == .trappedWFx)
    }

    @Test func unrecognizedClass() {
        let esr = ExceptionSyndrome(0x0a00_0000)   // EC 0x02 is unallocated
        #expect(esr.classCode == 0x02 && esr.exceptionClass == nil)
        #expect(esr.className.description == "Unrecognized exception class")
    }

    @Test func trappedSystemRegister() throws {
        // MRS x1, CTR_EL0 with SCTLR_EL1.UCT = 0: EC 0x18; Op0 3, Op2 1, Op1 3, CRn 0, Rt 1, CRm 0, read.
        let esr = ExceptionSyndrome(0x6232_c021)
        let access = try #require(esr.systemRegisterAccess)
        #expect(access.isRead && access.rt == 1)
        #expect(access.op0 == 3 && access.op1 == 3 && access.crn == 0 && access.crm == 0 && access.op2 == 1)
        #expect(access.encoding == 0xd801)   // Linux sys_reg(3, 3, 0, 0, 1) >> 5
    }

    @Test func iss2IsSeparate() {
        let esr = ExceptionSyndrome(0x1_9600_0045)
        #expect(esr.iss2 == 1 && esr.exceptionClass == .dataAbortSameEL && esr.iss == 0x45)
    }

    @Test func faultStatusCodes() {
        let table: [(UInt8, FaultKind, Int?)] = [
            (0x00, .addressSize, 0), (0x29, .addressSize, -1), (0x2b, .translation, -1),
            (0x08, .accessFlag, 0), (0x0e, .permission, 2), (0x11, .tagCheck, nil),
            (0x13, .synchronousExternalOnWalk, -1), (0x15, .synchronousExternalOnWalk, 1),
            (0x18, .synchronousParity, nil), (0x1b, .synchronousParityOnWalk, -1),
            (0x1f, .synchronousParityOnWalk, 3), (0x30, .tlbConflict, nil),
            (0x31, .unsupportedAtomicUpdate, nil), (0x35, .implementationDefined, nil),
            (0x3f, .unrecognized, nil), (0x12, .unrecognized, nil),
        ]
        for (code, kind, level) in table {
            let status = FaultStatus(code: code)
            #expect(status.kind == kind, "code \(code)")
            #expect(status.level == level, "code \(code)")
        }
        #expect(!FaultStatus(code: 0x10).isPageFault)
    }
}
