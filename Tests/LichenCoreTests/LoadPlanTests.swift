import Foundation
import Testing
@testable import LichenCore

/// Where execve places a program and its ELF interpreter, the errors it gives for a bad interpreter,
/// and the auxiliary vector that tells the interpreter where the program is.
@Suite struct LoadPlanTests {
    static let layout = LoadLayout(mmapBase: 0x7fff_0000_0000)
    /// The glibc loader's shape: ET_DYN linked at 0, no PT_INTERP.
    static let loader = ElfWriter.staticPIE()

    func plan(_ program: ElfWriter, _ interpreter: ElfWriter?, layout: LoadLayout = layout) throws(ExecLoadError) -> LoadPlan {
        let p = try LoadPlan.programImage(bytes: program.build(), machine: testMachine)
        let i = try interpreter.map { (w) throws(ExecLoadError) in try LoadPlan.interpreterImage(bytes: w.build(), machine: testMachine) }
        return try LoadPlan(program: p, interpreter: i, layout: layout)
    }

    func error(_ body: () throws(ExecLoadError) -> LoadPlan) -> ExecLoadError? {
        do { _ = try body(); return nil } catch { return error }
    }

    @Test func dynamicPIE() throws {
        let p = try plan(.dynamicPIE(), Self.loader)
        // ELF_ET_DYN_BASE (2/3 of the 47-bit user space) aligned down to the segments' 64 KiB.
        #expect(LoadLayout.defaultDynamicBase == 0x5555_5555_5000)
        #expect(p.programBias == 0x5555_5555_0000)
        #expect(p.programEntry == 0x5555_5555_0180)
        #expect(p.programHeaders == 0x5555_5555_0040)  // PT_PHDR's p_vaddr + bias
        #expect(p.programHeaderCount == 5)
        #expect(p.programBreak == 0x5555_5556_2000)
        // The loader: the highest 64 KiB-aligned slot holding its 0x12000 bytes below the mmap base.
        #expect(p.interpreterBias == 0x7ffe_fffe_0000)
        #expect(p.interpreterBase == 0x7ffe_fffe_0000)
        #expect(p.startAddress == 0x7ffe_fffe_0180)
    }

    @Test func staticProgramsAreUnchanged() throws {
        let exec = try plan(.staticExecutable(), nil)
        #expect(exec.programBias == 0 && exec.interpreterBias == nil && exec.interpreterBase == 0)
        #expect(exec.startAddress == 0x40_0100 && exec.programEntry == 0x40_0100)
        #expect(exec.programHeaders == 0x40_0040)
        #expect(exec.programBreak == 0x41_3000)
        // A static PIE goes where Lichen always put it (Linux would use the mmap area).
        let pie = try plan(.staticPIE(), nil)
        #expect(pie.programBias == 0x5555_5555_0000 && pie.startAddress == 0x5555_5555_0180)
        #expect(pie.interpreterBias == nil)
    }

    @Test func executableWithInterpreter() throws {
        var w = ElfWriter.staticExecutable()
        w.programHeaders.append(.init(type: ElfProgramHeader.interp, flags: ElfProgramHeader.r, offset: 0x300,
                                      vaddr: 0x40_0300, filesz: 27, memsz: 27, align: 1))
        w.contents.append((0x300, Array("/lib/ld-linux-aarch64.so.1\0".utf8)))
        let p = try plan(w, Self.loader)
        #expect(p.programBias == 0 && p.programEntry == 0x40_0100 && p.programHeaders == 0x40_0040)
        #expect(p.programHeaderCount == 6)
        #expect(p.programBreak == 0x41_3000)
        #expect(p.interpreterBase == 0x7ffe_fffe_0000 && p.startAddress == 0x7ffe_fffe_0180)
    }

    @Test func pieLinkedAboveTheBaseLandsOnIt() throws {
        var w = ElfWriter.dynamicPIE()
        for i in w.programHeaders.indices { w.programHeaders[i].vaddr += 0x6000_0000_0000 }
        w.entry += 0x6000_0000_0000
        let p = try plan(w, Self.loader)
        #expect(p.programBias &+ 0x6000_0000_0000 == 0x5555_5555_0000)  // modular, as Linux
        #expect(p.programEntry == 0x5555_5555_0180 && p.programHeaders == 0x5555_5555_0040)
        #expect(LoadPlan.pages(of: try ElfImage(bytes: w.build(), machine: testMachine).segments[1], bias: p.programBias) == 0x5555_5556_1000..<0x5555_5556_2000)
    }

    @Test func interpreterAvoidsTheProgram() throws {
        // An ET_EXEC program right where the loader would go: the loader goes below it.
        let shift: UInt64 = 0x7ffe_ffbe_0000  // text at 0x7ffefffe0000, the loader's slot under the mmap base
        var w = ElfWriter.staticExecutable()
        for i in w.programHeaders.indices where w.programHeaders[i].vaddr != 0 { w.programHeaders[i].vaddr += shift }
        w.entry += shift
        w.programHeaders.append(.init(type: ElfProgramHeader.interp, flags: 4, offset: 0x300, vaddr: 0x40_0300 + shift,
                                      filesz: 3, memsz: 3, align: 1))
        w.contents.append((0x300, Array("/l\0".utf8)))
        let p = try plan(w, Self.loader)
        #expect(p.programBias == 0 && p.programBreak == 0x7ffe_ffff_3000)
        #expect(p.interpreterBase == 0x7ffe_fffc_0000)  // 0x7ffefffe0000 - 0x12000, 64 KiB-aligned
    }

    @Test func executableInterpreter() throws {
        // An ET_EXEC interpreter runs at its link addresses; AT_BASE is 0 (Linux's load_addr).
        let p = try plan(.dynamicPIE(), .staticExecutable())
        #expect(p.interpreterBias == 0 && p.interpreterBase == 0 && p.startAddress == 0x40_0100)
        // One linked over the program cannot be loaded.
        var program = ElfWriter.staticExecutable()
        program.programHeaders.append(.init(type: ElfProgramHeader.interp, flags: 4, offset: 0x300, vaddr: 0x40_0300,
                                            filesz: 3, memsz: 3, align: 1))
        program.contents.append((0x300, Array("/l\0".utf8)))
        #expect(error { () throws(ExecLoadError) in try plan(program, .staticExecutable()) } == .interpreterOverlapsProgram)
        #expect(ExecLoadError.interpreterOverlapsProgram.errno == .ELIBBAD)
    }

    @Test func hugeSegmentsDoNotFit() {
        // A PIE whose bss runs past the end of user space from ELF_ET_DYN_BASE.
        var big = ElfWriter.dynamicPIE()
        big.programHeaders[3].memsz = 0x3000_0000_0000
        #expect(error { () throws(ExecLoadError) in try plan(big, Self.loader) } == .noRoom)
        #expect(ExecLoadError.noRoom.errno == .ENOMEM)
        // A loader larger than everything below the mmap base.
        var bigLoader = Self.loader
        bigLoader.programHeaders[2].memsz = 0x7fff_0000_0000
        #expect(error { () throws(ExecLoadError) in try plan(.dynamicPIE(), bigLoader) } == .noRoom)
        // A loader that fits neither above nor below an ET_EXEC program filling the middle.
        var wide = ElfWriter.staticExecutable()
        wide.programHeaders[1].memsz = 0x7ffe_0000_0000
        wide.programHeaders.append(.init(type: ElfProgramHeader.interp, flags: 4, offset: 0x300, vaddr: 0x40_0300,
                                         filesz: 3, memsz: 3, align: 1))
        wide.contents.append((0x300, Array("/l\0".utf8)))
        var loader = Self.loader
        loader.programHeaders[2].memsz = 0x1_0000_0000
        #expect(error { () throws(ExecLoadError) in try plan(wide, loader) } == .noRoom)
        // The same loader fits next to a PIE.
        #expect(error { () throws(ExecLoadError) in try plan(.dynamicPIE(), loader) } == nil)
    }

    @Test func badInterpreters() {
        func interp(_ bytes: [UInt8]) -> ExecLoadError? {
            do { _ = try LoadPlan.interpreterImage(bytes: bytes, machine: testMachine); return nil } catch { return error }
        }
        // Linux reads the 64-byte header first; a shorter file is EIO, a longer non-ELF one ELIBBAD.
        #expect(interp([]) == .interpreterTruncated)
        #expect(interp(Array("\u{7f}ELF".utf8)) == .interpreterTruncated)
        #expect(ExecLoadError.interpreterTruncated.errno == .EIO)
        #expect(interp(Array(String(repeating: "#!/bin/sh\n", count: 10).utf8)) == .badInterpreter(.badMagic))
        var foreign = Self.loader
        foreign.machine = 62  // x86-64
        #expect(interp(foreign.build()) == .badInterpreter(.badMachine))
        var core = Self.loader
        core.type = 4
        #expect(interp(core.build()) == .badInterpreter(.badType))
        #expect(ExecLoadError.badInterpreter(.badMagic).errno == .ELIBBAD)
        // An interpreter that wants an interpreter: refused (Linux would run it unrelocated).
        #expect(interp(ElfWriter.dynamicPIE().build()) == .nestedInterpreter)
        #expect(ExecLoadError.nestedInterpreter.errno == .ELIBBAD)
        // Every truncation of a good loader is an error or (past its segments) a loader.
        let good = Self.loader.build()
        for n in 0..<good.count {
            let e = interp(Array(good[0..<n]))
            if n < 64 { #expect(e == .interpreterTruncated) } else if n < 0x1100 { #expect(e != nil && e?.errno == .ELIBBAD) }
        }
        #expect(interp(good) == nil)
    }

    @Test func badInterpreterPaths() {
        func program(_ change: (inout ElfWriter) -> Void) -> ExecLoadError? {
            var w = ElfWriter.dynamicPIE()
            change(&w)
            do { _ = try LoadPlan.programImage(bytes: w.build(), machine: testMachine); return nil } catch { return error }
        }
        // PT_INTERP not NUL-terminated, too short, too long: the program is rejected (ENOEXEC).
        #expect(program { $0.programHeaders[1].filesz -= 1 } == .badProgram(.badInterpreter))
        #expect(program { $0.programHeaders[1].filesz = 1 } == .badProgram(.badInterpreter))
        #expect(program { $0.fileSize = 0x3000; $0.programHeaders[1].filesz = 4097 } == .badProgram(.badInterpreter))
        #expect(ExecLoadError.badProgram(.badInterpreter).errno == .ENOEXEC)
    }

    @Test func interpreterPathEndsAtTheFirstNUL() throws {
        var w = ElfWriter.dynamicPIE()
        w.contents[0].bytes[8] = 0  // "/lib/ld-\0..."
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).interpreter == Array("/lib/ld-".utf8))
        w.contents[0].bytes[0] = 0
        #expect(try ElfImage(bytes: w.build(), machine: testMachine).interpreter == [])  // execve: EACCES (Linux opens the working directory)
    }

    @Test func auxiliaryVectorDescribesTheProgram() throws {
        let p = try plan(.dynamicPIE(), Self.loader)
        let v = p.auxiliaryVector(hardwareCapabilities: 0xff, minimumSignalStackSize: 5120, uid: 1, euid: 2, gid: 3, egid: 4, secure: true)
        #expect(v.value(of: .programHeaders) == 0x5555_5555_0040)
        #expect(v.value(of: .programHeaderSize) == 56)
        #expect(v.value(of: .programHeaderCount) == 5)
        #expect(v.value(of: .entry) == 0x5555_5555_0180)
        #expect(v.value(of: .interpreterBase) == 0x7ffe_fffe_0000)
        #expect(v.value(of: .flags) == 0)
        #expect(v.value(of: .pageSize) == 4096)
        #expect(v.value(of: .hardwareCapabilities) == 0xff)
        #expect(v.value(of: .uid) == 1 && v.value(of: .euid) == 2 && v.value(of: .gid) == 3 && v.value(of: .egid) == 4)
        #expect(v.value(of: .secure) == 1)
        #expect(v.value(of: .vdso) == nil)
        #expect(v.entries.map(\.type.rawValue) == [51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15])
        // On the stack, after argv and envp: the same pairs, then AT_NULL.
        let stack = try InitialStack(top: UserAddr(0x7fff_ffff_f000), arguments: [Array("/dyn".utf8)], environment: [],
                                     executableName: Array("/dyn".utf8), platform: nil,
                                     random: [UInt8](repeating: 7, count: 16), auxiliary: v)
        let words = stride(from: 0, to: stack.bytes.count - 7, by: 8).map { o in
            (0..<8).reduce(UInt64(0)) { $0 | UInt64(stack.bytes[o + $1]) << (8 * UInt64($1)) }
        }
        let auxv = Array(words[4...])  // argc, argv[0], NULL, NULL
        #expect(auxv[0] == 51)
        func pair(_ type: UInt64) -> UInt64? {
            stride(from: 0, to: auxv.count - 1, by: 2).first { auxv[$0] == type }.map { auxv[$0 + 1] }
        }
        #expect(pair(7) == 0x7ffe_fffe_0000 && pair(3) == 0x5555_5555_0040 && pair(9) == 0x5555_5555_0180)
        #expect(pair(31) == stack.executableName.value)
    }

    @Test func segmentPages() throws {
        let image = try ElfImage(bytes: ElfWriter.dynamicPIE().build(), machine: testMachine)
        #expect(LoadPlan.pages(of: image.segments[0], bias: 0x5555_5555_0000) == 0x5555_5555_0000..<0x5555_5555_1000)
        #expect(LoadPlan.pages(of: image.segments[1], bias: 0x5555_5555_0000) == 0x5555_5556_1000..<0x5555_5556_2000)
    }

    /// Random corruption of a program and a loader: a plan either fails or puts both inside user
    /// space, apart, with the start and AT_ENTRY in user space.
    @Test func seededRandomCorruption() {
        var rng = SplitMix64(state: 0x1d_5eed)
        let programs = [ElfWriter.dynamicPIE().build(), ElfWriter.staticExecutable().build()]
        let loaders = [Self.loader.build(), ElfWriter.staticExecutable().build()]
        func corrupt(_ original: [UInt8]) -> [UInt8] {
            var b = original
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                let at = Int.random(in: 0..<min(64 + 56 * 6, b.count), using: &rng)
                if Bool.random(using: &rng) { b[at] = UInt8.random(in: 0...255, using: &rng) }
                else if at + 8 <= b.count { b.setLE(rng.next() >> UInt64.random(in: 0..<64, using: &rng), at: at, size: 8) }
            }
            return b
        }
        var planned = 0
        for i in 0..<4000 {
            let pb = corrupt(programs[i % 2]), lb = corrupt(loaders[(i / 2) % 2])
            guard let program = try? LoadPlan.programImage(bytes: pb, machine: testMachine),
                  let loader = try? LoadPlan.interpreterImage(bytes: lb, machine: testMachine),
                  let p = try? LoadPlan(program: program, interpreter: loader, layout: Self.layout) else { continue }
            planned += 1
            let programPages = program.segments.map { LoadPlan.pages(of: $0, bias: p.programBias) }
            let loaderPages = loader.segments.map { LoadPlan.pages(of: $0, bias: p.interpreterBias ?? 0) }
            for r in programPages + loaderPages { #expect(r.lowerBound >= 0x8000 && r.upperBound <= UserAddr.limit) }
            for a in programPages { for b in loaderPages { #expect(!a.overlaps(b)) } }
            #expect(p.startAddress < UserAddr.limit && p.programEntry < UserAddr.limit)
            #expect(p.programBreak >= (programPages.map(\.upperBound).max() ?? 0))
        }
        #expect(planned > 100)
    }

    /// Debian's own loader, when the cross libc is installed.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1")))
    func debianLoader() throws {
        let bytes = try [UInt8](Data(contentsOf: URL(fileURLWithPath: "/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1")))
        let loader = try LoadPlan.interpreterImage(bytes: bytes, machine: testMachine)
        #expect(loader.kind == .positionIndependent && loader.lowestAddress == 0)
        let program = try LoadPlan.programImage(bytes: ElfRealBinaries.dynamic, machine: testMachine)
        let p = try LoadPlan(program: program, interpreter: loader, layout: Self.layout)
        #expect(p.interpreterBase % 0x1_0000 == 0 && p.interpreterBase + loader.highestAddress <= 0x7fff_0000_0000)
        #expect(p.startAddress == p.interpreterBase + loader.entry)
    }
}
