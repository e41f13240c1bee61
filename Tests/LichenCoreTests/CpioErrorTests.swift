import Testing
@testable import LichenCore

@Suite struct CpioErrorTests {
    let valid = CpioTests.sample()

    func single(_ change: (inout [UInt8]) -> Void) -> CpioError? {
        var w = CpioWriter()
        w.file("name", "data")
        w.trailer()
        var b = w.bytes
        change(&b)
        return cpioError(b)
    }

    // Header field offsets: magic 0, then field i at 6 + 8 i (filesize 6, namesize 11, check 12).
    func field(_ i: Int) -> Int { 6 + 8 * i }

    @Test func magic() {
        #expect(single { $0[5] = 0x37 } == .badMagic)  // 070707: odc, as Linux refuses
        #expect(single { $0[0] = 0x31 } == .badMagic)
        #expect(cpioError(Array("0707".utf8)) == .truncatedHeader)
        #expect(cpioError(Array("0x".utf8) + [UInt8](repeating: 0, count: 200)) == .badMagic)
    }

    @Test func hexDigits() {
        for i in 0..<13 {
            #expect(single { $0[field(i) + 3] = 0x67 } == .badHexDigit)  // 'g'
            #expect(single { $0[field(i)] = 0x20 } == .badHexDigit)
        }
    }

    @Test func nameSize() {
        #expect(single { $0.replaceSubrange(field(11)..<field(11) + 8, with: CpioWriter.hex(0)) } == .badNameSize)
        #expect(single { $0.replaceSubrange(field(11)..<field(11) + 8, with: CpioWriter.hex(4097)) } == .badNameSize)
        #expect(single { $0.replaceSubrange(field(11)..<field(11) + 8, with: CpioWriter.hex(0xffff_ffff)) } == .badNameSize)
        #expect(single { $0.replaceSubrange(field(11)..<field(11) + 8, with: CpioWriter.hex(4096)) } == .truncatedName)
        #expect(single { $0.replaceSubrange(field(11)..<field(11) + 8, with: CpioWriter.hex(4)) } == .badName)  // "name" without its NUL
        #expect(single { $0[111] = 0 } == .badName)  // NUL inside the name
    }

    @Test func fileSize() {
        #expect(single { $0.replaceSubrange(field(6)..<field(6) + 8, with: CpioWriter.hex(0xffff_ffff)) } == .truncatedData)
        #expect(single { $0.replaceSubrange(field(6)..<field(6) + 8, with: CpioWriter.hex(1000)) } == .truncatedData)
        // A size that lands the next header off its place: whatever is there is not a header.
        #expect(single { $0.replaceSubrange(field(6)..<field(6) + 8, with: CpioWriter.hex(6)) } == .badMagic)
    }

    @Test func missingTrailer() {
        var w = CpioWriter()
        w.file("a", "1")
        #expect(cpioError(w.bytes) == .missingTrailer)
        w.bytes += [0, 0, 0, 0]
        #expect(cpioError(w.bytes) == .badMagic)  // zeros inside an archive are not padding
    }

    @Test func misalignedArchiveAfterPadding() {
        var w = CpioWriter()
        w.trailer()
        w.bytes.append(0)
        var next = CpioWriter()
        next.file("b", "2")
        next.trailer()
        #expect(cpioError(w.bytes + next.bytes) == .badPadding)
    }

    /// Cutting the archive anywhere before the end of the trailer's name is an error; after it,
    /// only the optional final padding is lost.
    @Test func everyTruncation() {
        for archive in [valid, CpioTests.sample(checksummed: true)] {
            let trailerNameEnd = archive.count - 1  // "TRAILER!!!\0" ends at 121 mod 4 == 1: 3 bytes of padding
            for n in 0..<archive.count {
                let e = cpioError(Array(archive[0..<n]))
                if n == 0 || n >= trailerNameEnd - 2 {
                    #expect(e == nil, "length \(n)")
                } else {
                    #expect(e != nil, "length \(n)")
                }
            }
        }
    }

    @Test func seededRandomCorruption() {
        var rng = SplitMix64(state: 0x0707_01)
        var survived = 0
        for _ in 0..<5000 {
            var b = valid
            for _ in 0..<Int.random(in: 1...4, using: &rng) {
                let at = Int.random(in: 0..<b.count, using: &rng)
                switch Int.random(in: 0..<3, using: &rng) {
                case 0: b[at] = UInt8.random(in: 0...255, using: &rng)
                case 1: b[at] = Array("0123456789abcdefABCDEF\0".utf8).randomElement(using: &rng)!
                default: b[at] ^= 1 << UInt8.random(in: 0..<8, using: &rng)
                }
            }
            if case .success(let entries) = readCpio(b) {
                survived += 1
                for e in entries {
                    #expect(e.entry.data.upperBound <= b.count && e.entry.name.upperBound <= e.entry.data.lowerBound)
                    #expect(!e.name.isEmpty || e.entry.name.isEmpty)
                }
            }
        }
        #expect(survived > 50)
    }
}
