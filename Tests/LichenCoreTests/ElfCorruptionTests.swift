import Testing
@testable import LichenCore

@Suite struct ElfCorruptionTests {
    let exec = ElfWriter.staticExecutable()

    func patched(_ offset: Int, _ value: UInt64, size: Int) -> [UInt8] {
        var b = exec.build()
        b.setLE(value, at: offset, size: size)
        return b
    }

    func modified(_ change: (inout ElfWriter) -> Void) -> ElfError? {
        var w = ElfWriter.staticExecutable()
        change(&w)
        return elfError(w.build())
    }

    @Test func everyTruncationFails() {
        for builder in [ElfWriter.staticExecutable(), .staticPIE(), .dynamicPIE()] {
            let full = builder.build()
            #expect(elfError(full) == nil)
            for n in 0..<full.count {
                let e = elfError(Array(full[0..<n]))
                #expect(e != nil, "length \(n)")
                if n >= 4 && n < 64 { #expect(e == .truncated) }
            }
        }
        #expect(elfError([]) == .truncated)
        #expect(elfError([0x7f, 0x45]) == .truncated)
    }

    @Test func identification() {
        #expect(elfError(patched(0, 0x464c_457e, size: 4)) == .badMagic)
        #expect(elfError(Array("#!/bin/sh\n".utf8)) == .badMagic)
        #expect(elfError([0x7f, 0x45, 0x4c, 0x47]) == .badMagic)
        #expect(elfError(patched(4, 1, size: 1)) == .badClass)
        #expect(elfError(patched(5, 2, size: 1)) == .badEncoding)
        #expect(elfError(patched(6, 0, size: 1)) == .badVersion)
        #expect(elfError(patched(ElfWriter.versionField, 2, size: 4)) == .badVersion)
        #expect(elfError(patched(7, 9, size: 1)) == .badABI)  // FreeBSD
        #expect(elfError(patched(7, 3, size: 1)) == nil)      // GNU/Linux
        #expect(elfError(patched(ElfWriter.machineField, 62, size: 2)) == .badMachine)  // x86-64
        #expect(elfError(patched(ElfWriter.machineField, 40, size: 2)) == .badMachine)  // 32-bit ARM
        #expect(elfError(patched(ElfWriter.typeField, 1, size: 2)) == .badType)  // ET_REL
        #expect(elfError(patched(ElfWriter.typeField, 4, size: 2)) == .badType)  // ET_CORE
        #expect(elfError(patched(ElfWriter.entryField, UserAddr.limit, size: 8)) == .badEntry)
        #expect(elfError(patched(ElfWriter.entryField, ~0, size: 8)) == .badEntry)
    }

    @Test func programHeaderTable() {
        #expect(elfError(patched(ElfWriter.phentsizeField, 32, size: 2)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phentsizeField, 64, size: 2)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phnumField, 0, size: 2)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phnumField, 0xffff, size: 2)) == .badProgramHeaders)  // PN_XNUM
        #expect(elfError(patched(ElfWriter.phnumField, 74, size: 2)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phoffField, 0x1100, size: 8)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phoffField, 0x1100 - 56 * 5 + 1, size: 8)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phoffField, ~0, size: 8)) == .badProgramHeaders)
        #expect(elfError(patched(ElfWriter.phoffField, ~0 - 100, size: 8)) == .badProgramHeaders)
    }

    @Test func segmentOutsideTheFile() {
        #expect(modified { $0.programHeaders[1].filesz = 0x101 } == .segmentOutsideFile)
        #expect(modified { $0.programHeaders[1].offset = 0x1_1000 } == .segmentOutsideFile)
        #expect(modified { $0.programHeaders[1].offset = ~0 - 0xfff; $0.programHeaders[1].vaddr = 0x41_2000 } == .segmentOutsideFile)
        #expect(modified { $0.programHeaders[1].filesz = ~0; $0.programHeaders[1].memsz = ~0 } == .segmentOutsideFile)
    }

    @Test func fileSizeOverMemorySize() {
        #expect(modified { $0.programHeaders[1].memsz = 0xff } == .badSegmentSize)
    }

    @Test func addresses() {
        // vaddr + memsz wraps around, or passes the end of user space.
        #expect(modified { $0.programHeaders[1].vaddr = ~0 - 0xfff; $0.programHeaders[1].offset = 0x1000 } == .addressWraparound)
        #expect(modified { $0.programHeaders[1].memsz = ~0 - 0x100 } == .addressWraparound)
        #expect(modified { $0.programHeaders[1].vaddr = UserAddr.limit - 0x1000 } == .addressWraparound)
        // Ends exactly at the limit.
        #expect(modified { $0.programHeaders[1].vaddr = UserAddr.limit - 0xf000; $0.programHeaders[1].memsz = 0xf000 } == nil)
    }

    @Test func alignment() {
        #expect(modified { $0.programHeaders[1].align = 0x3000 } == .badAlignment)
        #expect(modified { $0.programHeaders[1].align = 1 << 63 } == .badAlignment)
        #expect(modified { $0.programHeaders[1].align = ~0 } == .badAlignment)
        #expect(modified { $0.programHeaders[1].align = 1 << 31 } == .badAlignment)
        #expect(modified { $0.programHeaders[1].align = 1 << 30; $0.programHeaders[1].vaddr = 0x4000_1000 } == nil)
        #expect(modified { $0.programHeaders[3].align = 3 } == .badTLS)
    }

    @Test func congruence() {
        // vaddr and offset must agree modulo the page size ...
        #expect(modified { $0.programHeaders[1].vaddr = 0x41_1008 } == .misalignedSegment)
        #expect(modified { $0.programHeaders[1].align = 0; $0.programHeaders[1].vaddr = 0x41_1800 } == .misalignedSegment)
        // ... and modulo p_align (here 64 KiB).
        #expect(modified { $0.programHeaders[1].vaddr = 0x41_2000 } == .misalignedSegment)
        #expect(modified { $0.programHeaders[1].vaddr = 0x42_1000 } == nil)
    }

    @Test func overlapAndOrder() {
        // Data starts inside text.
        #expect(modified { $0.programHeaders[0].memsz = 0x1_2000 } == .overlappingSegments)
        // Descending order.
        #expect(modified { $0.programHeaders.swapAt(0, 1) } == .overlappingSegments)
        // Same address.
        #expect(modified { $0.programHeaders[1].vaddr = 0x40_1000; $0.programHeaders[0].memsz = 0x1001 } == .overlappingSegments)
        // Touching is fine.
        #expect(modified { $0.programHeaders[0].memsz = 0x1_1000 } == nil)
    }

    @Test func noLoadableSegment() {
        #expect(modified { $0.programHeaders.removeFirst(2) } == .noLoadableSegments)
    }

    @Test func badInterpreter() {
        func dyn(_ change: (inout ElfWriter) -> Void) -> ElfError? {
            var w = ElfWriter.dynamicPIE()
            change(&w)
            return elfError(w.build())
        }
        #expect(dyn { $0.programHeaders[1].filesz = 1 } == .badInterpreter)
        #expect(dyn { $0.programHeaders[1].filesz -= 1 } == .badInterpreter)  // not NUL-terminated
        #expect(dyn { $0.programHeaders[1].filesz = 0x2000 } == .segmentOutsideFile)
        #expect(dyn { $0.programHeaders[1].offset = ~0 } == .segmentOutsideFile)
        #expect(dyn { $0.fileSize = 0x3000; $0.programHeaders[1].filesz = 4097 } == .badInterpreter)
    }

    @Test func badTLS() {
        #expect(modified { $0.programHeaders[3].filesz = 0x41 } == .badTLS)
        #expect(modified { $0.programHeaders[3].offset = 0x2000 } == .badTLS)
        #expect(modified { $0.programHeaders[3].vaddr = ~0 } == .badTLS)
        #expect(modified { $0.programHeaders.append($0.programHeaders[3]) } == .badTLS)
    }

    /// Random corruption: any result is fine as long as parsing returns or throws, and whatever
    /// parses satisfies the documented invariants.
    @Test func seededRandomCorruption() {
        var rng = SplitMix64(state: 0x454c_4621)
        let originals = [ElfWriter.staticExecutable().build(), ElfWriter.staticPIE().build(), ElfWriter.dynamicPIE().build()]
        var parsed = 0
        for iteration in 0..<6000 {
            var b = originals[iteration % 3]
            let edits = Int.random(in: 1...6, using: &rng)
            for _ in 0..<edits {
                // Mostly hit the headers, where the interesting fields are.
                guard !b.isEmpty else { break }
                let limit = Bool.random(using: &rng) ? min(64 + 56 * 6, b.count) : b.count
                let at = Int.random(in: 0..<limit, using: &rng)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: b[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                case 2: if at + 8 <= b.count { b.setLE(rng.next() >> UInt64.random(in: 0..<64, using: &rng), at: at, size: 8) }
                default: b = Array(b[0..<at])
                }
            }
            guard let image = try? ElfImage(bytes: b, machine: testMachine) else { continue }
            parsed += 1
            #expect(!image.segments.isEmpty)
            var previousEnd: UInt64 = 0
            for s in image.segments {
                #expect(s.virtualAddress >= previousEnd)
                #expect(s.fileSize <= s.memorySize)
                #expect(s.endAddress <= UserAddr.limit)
                #expect(s.fileRange.upperBound <= b.count)
                previousEnd = s.endAddress
            }
            #expect(image.entry < UserAddr.limit)
        }
        #expect(parsed > 100)  // the corruption is not so heavy that nothing survives
    }
}
