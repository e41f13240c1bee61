import Testing
@testable import LichenCore

@Suite struct ElfInitialStackTests {
    let random: [UInt8] = Array(0xa0..<0xb0)

    func auxv() -> AuxiliaryVector {
        AuxiliaryVector.linux(programHeaders: 0x40_0040, programHeaderCount: 5, entry: 0x40_0100,
                              hardwareCapabilities: 0xff, hardwareCapabilities2: 0x2, minimumSignalStackSize: 5120)
    }

    func bytes(_ s: String) -> [UInt8] { Array(s.utf8) }

    /// Reads the stack image back the way a C runtime does, starting from sp.
    struct Decoded {
        var argv: [[UInt8]] = [], envp: [[UInt8]] = []
        var auxv: [(UInt64, UInt64)] = []
        var tableEnd: UInt64 = 0
    }

    func decode(_ stack: InitialStack, top: UserAddr) -> Decoded {
        let base = stack.stackPointer.value
        func word(_ address: UInt64) -> UInt64 { stack.bytes.le(at: Int(address - base), size: 8) }
        func string(_ address: UInt64) -> [UInt8] {
            let start = Int(address - base)
            return Array(stack.bytes[start..<stack.bytes[start...].firstIndex(of: 0)!])
        }
        var d = Decoded()
        var p = base
        let argc = word(p); p += 8
        for _ in 0..<argc { d.argv.append(string(word(p))); p += 8 }
        #expect(word(p) == 0); p += 8
        while word(p) != 0 { d.envp.append(string(word(p))); p += 8 }
        p += 8
        while true {
            let type = word(p), value = word(p + 8)
            p += 16
            if type == 0 { #expect(value == 0); break }
            d.auxv.append((type, value))
        }
        d.tableEnd = p
        return d
    }

    /// The layout worked out by hand from fs/exec.c and create_elf_tables for one small program.
    @Test func exactLinuxLayout() throws {
        let top = UserAddr(0x1_0000_0000)
        let s = try InitialStack(top: top, arguments: [bytes("/init")], environment: [bytes("HOME=/"), bytes("TERM=linux")],
                                 executableName: bytes("/init"), platform: bytes("aarch64"), random: random, auxiliary: auxv())
        #expect(s.executableName == UserAddr(0xffff_fff2))
        #expect(s.environment == [UserAddr(0xffff_ffe0), UserAddr(0xffff_ffe7)])
        #expect(s.arguments == [UserAddr(0xffff_ffda)])
        #expect(s.platform == UserAddr(0xffff_ffc8))
        #expect(s.random == UserAddr(0xffff_ffb8))
        // 19 auxv entries + AT_NULL = 40 words, argc + argv + NULL + envp + NULL = 6 words.
        #expect(s.stackPointer == UserAddr(0xffff_fe40))
        #expect(s.bytes.count == 0x1c0)
        #expect(s.argumentArea == 0xffff_ffda..<0xffff_ffe0)
        #expect(s.environmentArea == 0xffff_ffe0..<0xffff_fff2)

        let d = decode(s, top: top)
        #expect(d.argv == [bytes("/init")])
        #expect(d.envp == [bytes("HOME=/"), bytes("TERM=linux")])
        let types = d.auxv.map(\.0)
        #expect(types == [51, 16, 6, 17, 3, 4, 5, 7, 8, 9, 11, 12, 13, 14, 23, 25, 26, 31, 15])
        let aux = Dictionary(d.auxv, uniquingKeysWith: { a, _ in a })
        #expect(aux[3] == 0x40_0040 && aux[4] == 56 && aux[5] == 5 && aux[6] == 4096 && aux[9] == 0x40_0100)
        #expect(aux[16] == 0xff && aux[26] == 2 && aux[17] == 100 && aux[23] == 0 && aux[7] == 0)
        #expect(aux[25] == 0xffff_ffb8 && aux[31] == 0xffff_fff2 && aux[15] == 0xffff_ffc8)
        #expect(d.tableEnd == 0xffff_ffb0)
        // The random bytes, the platform string, and the 8 zero bytes at the very top.
        #expect(Array(s.bytes[0x178..<0x188]) == random)
        #expect(Array(s.bytes[0x188..<0x190]) == bytes("aarch64") + [0])
        #expect(Array(s.bytes[0x1b8..<0x1c0]) == [UInt8](repeating: 0, count: 8))
        #expect(Array(s.bytes[0x1b2..<0x1b8]) == bytes("/init") + [0])
    }

    /// The Linux rules, for many shapes of argv and envp.
    @Test func layoutRules() throws {
        var rng = SplitMix64(state: 7)
        for _ in 0..<200 {
            let top = UserAddr(0x7fff_ffff_f000 - 16 * UInt64.random(in: 0..<100, using: &rng))
            func strings(_ n: Int) -> [[UInt8]] {
                (0..<n).map { _ in (0..<Int.random(in: 0..<40, using: &rng)).map { _ in UInt8.random(in: 1...255, using: &rng) } }
            }
            let argv = strings(Int.random(in: 0..<12, using: &rng)), envp = strings(Int.random(in: 0..<12, using: &rng))
            let name = strings(1)[0]
            let platform: [UInt8]? = Bool.random(using: &rng) ? bytes("aarch64") : nil
            var vector = auxv()
            if platform == nil { vector.entries.removeLast() }
            let s = try InitialStack(top: top, arguments: argv, environment: envp, executableName: name,
                                     platform: platform, random: random, auxiliary: vector)
            #expect(s.stackPointer.value % 16 == 0)
            #expect(s.stackPointer.value + UInt64(s.bytes.count) == top.value)
            let d = decode(s, top: top)
            #expect(d.argv == argv)
            #expect(d.envp == envp)
            #expect(d.auxv.count == vector.entries.count)
            // Strings: argv then envp then execfn, packed, ending 8 bytes below the top.
            var expected = s.arguments.first?.value ?? s.environment.first?.value ?? s.executableName.value
            for (a, str) in zip(s.arguments + s.environment, argv + envp) {
                #expect(a.value == expected)
                expected += UInt64(str.count + 1)
            }
            #expect(s.executableName.value == expected)
            #expect(s.executableName.value + UInt64(name.count + 1) == top.value - 8)
            // Below the strings: 16-byte alignment, platform, random; then the table, padded by < 16.
            let aligned = s.argumentArea.lowerBound & ~15
            if let p = s.platform { #expect(p.value == aligned - 8) }
            #expect(s.random.value == (s.platform?.value ?? aligned) - 16)
            #expect(d.tableEnd <= s.random.value && s.random.value - d.tableEnd < 16)
            #expect(d.auxv.first { $0.0 == 25 }?.1 == s.random.value)
            #expect(d.auxv.first { $0.0 == 31 }?.1 == s.executableName.value)
        }
    }

    @Test func noArguments() throws {
        let s = try InitialStack(top: UserAddr(0x10_0000), arguments: [], environment: [], executableName: [],
                                 platform: nil, random: random, auxiliary: AuxiliaryVector())
        // argc 0, NULL, NULL, AT_NULL pair: 5 words, below 16 random bytes and 16 aligned string bytes.
        #expect(s.bytes.le(at: 0, size: 8) == 0)
        #expect(s.stackPointer.value % 16 == 0)
        #expect(decode(s, top: UserAddr(0x10_0000)).auxv.isEmpty)
    }

    @Test func errors() {
        func error(top: UInt64 = 0x10_0000, argv: [[UInt8]] = [], random: [UInt8]? = nil,
                   limit: Int = InitialStack.defaultLimit) -> InitialStackError? {
            do {
                _ = try InitialStack(top: UserAddr(top), arguments: argv, environment: [], executableName: bytes("/x"),
                                     platform: nil, random: random ?? self.random, auxiliary: auxv(), limit: limit)
                return nil
            } catch { return error }
        }
        #expect(error() == nil)
        #expect(error(top: 0x10_0008) == .badTop)
        #expect(error(top: UserAddr.limit + 16) == .badTop)
        #expect(error(top: UserAddr.limit) == nil)
        #expect(error(top: 0x100) == .tooLarge)
        #expect(error(random: [1, 2, 3]) == .badRandom)
        #expect(error(argv: [[0x41, 0, 0x42]]) == .badString)
        #expect(error(argv: [[UInt8](repeating: 0x41, count: InitialStack.maximumStringLength)]) == .argumentTooLong)
        #expect(error(top: 0x100_0000, argv: [[UInt8](repeating: 0x41, count: InitialStack.maximumStringLength - 1)]) == nil)
        #expect(error(argv: [[UInt8]](repeating: [0x41], count: 100), limit: 1000) == .tooLarge)
        #expect(error(argv: [[UInt8]](repeating: [], count: 10_000), limit: 1000) == .tooLarge)
    }

    @Test func auxiliaryVectorLookup() {
        var v = auxv()
        #expect(v.value(of: .programHeaderCount) == 5)
        #expect(v.value(of: .vdso) == nil)
        v.append(.vdso, 0x1000)
        #expect(v.value(of: .vdso) == 0x1000)
        let withVDSO = AuxiliaryVector.linux(programHeaders: 0, programHeaderCount: 1, entry: 0, hardwareCapabilities: 0,
                                             hardwareCapabilities2: 0, minimumSignalStackSize: 5120, vdso: 0x7000, hasPlatform: false)
        #expect(withVDSO.entries.first == AuxiliaryEntry(.vdso, 0x7000))
        #expect(withVDSO.value(of: .platform) == nil)
    }
}
