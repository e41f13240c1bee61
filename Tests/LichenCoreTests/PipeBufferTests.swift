import Testing
@testable import LichenCore

/// The sans-IO pipe state: ring wrap-around, PIPE_BUF atomicity, EOF and EPIPE conditions.
@Suite struct PipeBufferTests {
    func write(_ p: inout PipeBuffer, _ bytes: [UInt8], atomic: Bool? = nil) -> PipeBuffer.WriteOutcome {
        bytes.withUnsafeBytes { p.write(from: $0, atomic: atomic ?? (bytes.count <= PipeBuffer.atomicLimit)) }
    }

    func read(_ p: inout PipeBuffer, _ count: Int) -> ([UInt8], PipeBuffer.ReadOutcome) {
        var out = [UInt8](repeating: 0, count: count)
        let r = out.withUnsafeMutableBytes { p.read(into: $0) }
        if case .data(let n) = r { return (Array(out[0..<n]), r) }
        return ([], r)
    }

    func open() -> PipeBuffer {
        var p = PipeBuffer(capacity: 16384)
        p.openEnd(read: true, write: true)
        return p
    }

    @Test func readReturnsWhatIsThere() {
        var p = open()
        #expect(read(&p, 10).1 == .wouldBlock)
        #expect(write(&p, [1, 2, 3]) == .wrote(3))
        let (bytes, r) = read(&p, 10)
        #expect(bytes == [1, 2, 3] && r == .data(3))
        #expect(p.count == 0)
    }

    @Test func wrapsAround() {
        var p = open()
        var expected: [UInt8] = []
        var got: [UInt8] = []
        for round in 0..<50 {
            let chunk = (0..<(1000 + round * 37)).map { UInt8(truncatingIfNeeded: $0 &* 7 &+ round) }
            #expect(write(&p, chunk) == .wrote(chunk.count))
            expected += chunk
            got += read(&p, 700 + round).0
            if p.free < 4000 { got += read(&p, 8000).0 }      // keep room; the ring keeps wrapping
        }
        while p.count > 0 { got += read(&p, 4096).0 }
        let same = got == expected
        #expect(same)
    }

    @Test func atomicWritesGoInWhole() {
        var p = open()
        #expect(write(&p, [UInt8](repeating: 1, count: 16384 - 100)) == .wrote(16384 - 100))
        #expect(write(&p, [UInt8](repeating: 2, count: 200)) == .wouldBlock)   // <= PIPE_BUF: all or nothing
        #expect(write(&p, [UInt8](repeating: 2, count: 100)) == .wrote(100))
        #expect(write(&p, [1]) == .wouldBlock)
        #expect(!p.writable)
    }

    @Test func largeWritesSplit() {
        var p = open()
        #expect(write(&p, [UInt8](repeating: 1, count: 10000)) == .wrote(10000))
        #expect(write(&p, [UInt8](repeating: 2, count: 10000)) == .wrote(6384))   // > PIPE_BUF: what fits
        #expect(p.free == 0)
    }

    @Test func endOfFileAndBrokenPipe() {
        var p = open()
        _ = write(&p, [9])
        p.closeEnd(read: false, write: true)
        #expect(p.hungUp)
        #expect(read(&p, 4).0 == [9])                  // data first, then EOF
        #expect(read(&p, 4).1 == .endOfFile)
        var q = open()
        q.closeEnd(read: true, write: false)
        #expect(q.broken)
        #expect(write(&q, [1]) == .brokenPipe)
        #expect(write(&q, []) == .brokenPipe)
    }

    @Test func defaultsAreLinuxs() {
        #expect(PipeBuffer.defaultCapacity == 65536 && PipeBuffer.atomicLimit == 4096)
        #expect(PipeBuffer().capacity == 65536)
    }
}
