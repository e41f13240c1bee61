import Testing
@testable import LichenCore

@Suite struct InflateTests {
    func crc(_ b: [UInt8]) -> UInt32 { b.withUnsafeBytes { CRC32.checksum($0) } }

    @Test func crc32KnownValues() {
        #expect(crc([]) == 0)
        #expect(crc(Array("123456789".utf8)) == 0xcbf4_3926)  // the standard check value
        #expect(crc(Array("The quick brown fox jumps over the lazy dog".utf8)) == 0x414f_a339)
        // Incremental updates at every split agree with one pass (the 4-byte path and the tail).
        let data = Payload.pseudo(37)
        for split in 0...data.count {
            var c = CRC32()
            data[0..<split].withUnsafeBytes { c.update($0) }
            data[split...].withUnsafeBytes { c.update($0) }
            #expect(c.value == crc(data))
        }
    }

    @Test func zlibVectors() throws {
        let cases: [(String, [UInt8], UInt32, Int)] = [
            ("stored", InflateVectors.stored, InflateVectors.storedCRC, 75),
            ("fixed", InflateVectors.fixed, InflateVectors.fixedCRC, 180),
            ("dynamic", InflateVectors.dynamic, InflateVectors.dynamicCRC, 1702),
            ("far", InflateVectors.far, InflateVectors.farCRC, 32600),
            ("multiblock", InflateVectors.multiblock, InflateVectors.multiblockCRC, 880),
            ("empty", InflateVectors.empty, InflateVectors.emptyCRC, 0),
        ]
        for (name, vector, expectedCRC, size) in cases {
            let out = try inflate(vector).get()
            #expect(out.count == size, "\(name)")
            #expect(crc(out) == expectedCRC, "\(name)")
        }
        let fox = Array(String(repeating: "The quick brown fox jumps over the lazy dog. ", count: 4).utf8)
        #expect(try inflate(InflateVectors.stored).get() == Array(String(repeating: "Lichen stored block test\n", count: 3).utf8))
        #expect(try inflate(InflateVectors.fixed).get() == fox)
        #expect(try inflate(InflateVectors.dynamic).get() == Payload.text())
        // 300 bytes, 32000 zeros (length-258 matches at distance 1), then the first 300 again from 32300 back.
        #expect(try inflate(InflateVectors.far).get() == Payload.pseudo(300) + [UInt8](repeating: 0, count: 32000) + Payload.pseudo(300))
        #expect(try inflate(InflateVectors.multiblock).get() == Array(Payload.text()[0..<500]) + Payload.pseudo(200) + fox)
    }

    @Test func reportsTheInputUsed() throws {
        // The stream length is returned, so a container can find what follows.
        for vector in [InflateVectors.stored, InflateVectors.fixed, InflateVectors.dynamic, InflateVectors.multiblock] {
            let padded = vector + [0xde, 0xad, 0xbe, 0xef]
            let used = try padded.withUnsafeBytes { i in
                try Result { () throws(InflateError) -> Int in try Inflate.decompress(i) { _ in } }.get()
            }
            #expect(used == vector.count)
        }
    }

    @Test func storedRoundTripAcrossTheWindow() throws {
        let data = Payload.compressible(300_000, seed: 1)
        for blockSize in [1, 1000, 65535] {
            let input = blockSize == 1 ? Array(data.prefix(3000)) : data
            #expect(try inflate(DeflateEncoder.stored(input, blockSize: blockSize)).get() == input)
        }
        #expect(try inflate(DeflateEncoder.stored([])).get() == [])
    }

    @Test func fixedRoundTripWithFarMatchesAcrossTheWindow() throws {
        // Several MiB in debug builds is slow; 1.5 MiB still slides the 64 KiB window many times.
        let data = Payload.compressible(1_500_000, seed: 2)
        let encoded = DeflateEncoder.fixed(data, blockSize: 200_000)
        #expect(encoded.count < data.count / 2)
        #expect(try inflate(encoded).get() == data)
        // Matches at the maximum distance: a 32 KiB period.
        let periodic = (0..<200_000).map { i in UInt8(truncatingIfNeeded: (i % 32768) * 7 + (i % 32768) / 256) }
        #expect(try inflate(DeflateEncoder.fixed(periodic)).get() == periodic)
    }

    @Test func chunkedOutput() throws {
        let data = Payload.compressible(400_000, seed: 3)
        let encoded = DeflateEncoder.fixed(data)
        var chunks: [Int] = []
        var joined: [UInt8] = []
        _ = try encoded.withUnsafeBytes { i in
            try Result { () throws(InflateError) -> Int in
                try Inflate.decompress(i) { chunk in chunks.append(chunk.count); joined += chunk }
            }.get()
        }
        #expect(joined == data)
        #expect(chunks.allSatisfy { $0 > 0 && $0 <= Inflate.windowCapacity })
        #expect(chunks.count >= 3)
    }
}
