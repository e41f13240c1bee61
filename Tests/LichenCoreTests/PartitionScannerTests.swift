import Testing
@testable import LichenCore

/// MBR (with an extended partition's EBR chain) and GPT (CRCs, the backup header), as Linux reads them.
@Suite struct PartitionScannerTests {
    static func scan(_ disk: [UInt8], blockSize: Int = 512) -> PartitionTable {
        var s = PartitionScanner(blockSize: blockSize, blocks: UInt64(disk.count / blockSize))
        var step = s.start()
        for _ in 0..<1000 {
            switch step {
            case .done(let t): return t
            case .read(let block, let count):
                let from = Int(block) * blockSize, to = min(from + count * blockSize, disk.count)
                step = disk.withUnsafeBytes { s.feed(UnsafeRawBufferPointer(rebasing: $0[from..<max(from, to)])) }
            }
        }
        Issue.record("scan does not end")
        return .empty
    }

    static func put32(_ d: inout [UInt8], _ at: Int, _ v: UInt32) { for i in 0..<4 { d[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    static func put64(_ d: inout [UInt8], _ at: Int, _ v: UInt64) { put32(&d, at, UInt32(truncatingIfNeeded: v)); put32(&d, at + 4, UInt32(v >> 32)) }
    static func entry(_ d: inout [UInt8], sector: Int, slot: Int, type: UInt8, start: UInt32, count: UInt32) {
        let at = sector * 512 + 446 + 16 * slot
        d[at + 4] = type
        put32(&d, at + 8, start); put32(&d, at + 12, count)
        d[sector * 512 + 510] = 0x55; d[sector * 512 + 511] = 0xaa
    }

    @Test func mbrWithLogicalPartitions() {
        var d = [UInt8](repeating: 0, count: 4096 * 512)
        Self.entry(&d, sector: 0, slot: 0, type: 0x83, start: 2048, count: 1024)
        Self.entry(&d, sector: 0, slot: 1, type: 0x05, start: 3072, count: 1000)
        Self.entry(&d, sector: 3072, slot: 0, type: 0x83, start: 2, count: 100)        // vda5 at 3074
        Self.entry(&d, sector: 3072, slot: 1, type: 0x05, start: 200, count: 300)      // next EBR at 3272
        Self.entry(&d, sector: 3272, slot: 0, type: 0x83, start: 2, count: 50)         // vda6 at 3274
        Self.put32(&d, 440, 0x6c1b_2e3f)                                               // the disk signature
        let t = Self.scan(d)
        #expect(t.kind == .mbr)
        func u(_ n: Int) -> [UInt8] { Array(("6c1b2e3f-0" + String(n)).utf8) }
        #expect(t.partitions == [Partition(number: 1, start: 2048, sectors: 1024, uuid: u(1)), Partition(number: 2, start: 3072, sectors: 2, uuid: u(2)),
                                 Partition(number: 5, start: 3074, sectors: 100, uuid: u(5)), Partition(number: 6, start: 3274, sectors: 50, uuid: u(6))])
    }

    @Test func loopingChainAndBadFlagsEnd() {
        var d = [UInt8](repeating: 0, count: 4096 * 512)
        Self.entry(&d, sector: 0, slot: 0, type: 0x0f, start: 100, count: 1000)
        Self.entry(&d, sector: 100, slot: 0, type: 0x83, start: 1, count: 1)
        Self.entry(&d, sector: 100, slot: 1, type: 0x05, start: 0, count: 10)         // links to itself
        let t = Self.scan(d)
        #expect(t.partitions.count == 1 + 11 && t.partitions.last?.number == 15)
        d[446] = 0x12                                                                 // not a boot flag
        #expect(Self.scan(d) == .empty)
        #expect(Self.scan([UInt8](repeating: 0, count: 512)) == .empty)
        #expect(Self.scan([]) == .empty)
    }

    static func gptDisk(blocks: Int = 4096, corruptPrimary: Bool = false) -> [UInt8] {
        var d = [UInt8](repeating: 0, count: blocks * 512)
        entry(&d, sector: 0, slot: 0, type: 0xee, start: 1, count: UInt32(blocks - 1))
        var entries = [UInt8](repeating: 0, count: 128 * 128)
        for (i, (first, last)) in [(2048, 2999), (3000, 3099)].enumerated() {
            entries[128 * i] = 0xaf + UInt8(i)                                    // any non-zero type GUID
            for b in 0..<16 { entries[128 * i + 16 + b] = UInt8(b) + 0x10 * UInt8(i + 1) }   // the unique GUID
            put64(&entries, 128 * i + 32, UInt64(first)); put64(&entries, 128 * i + 40, UInt64(last))
        }
        let entriesCRC = entries.withUnsafeBytes { CRC32.checksum($0) }
        func header(lba: Int, alternate: Int, entriesLBA: Int) -> [UInt8] {
            var h = [UInt8](repeating: 0, count: 512)
            put64(&h, 0, GPTHeader.signature); put32(&h, 8, 0x10000); put32(&h, 12, 92)
            put64(&h, 24, UInt64(lba)); put64(&h, 32, UInt64(alternate)); put64(&h, 40, 34); put64(&h, 48, UInt64(blocks - 34))
            put64(&h, 72, UInt64(entriesLBA)); put32(&h, 80, 128); put32(&h, 84, 128); put32(&h, 88, entriesCRC)
            put32(&h, 16, h.withUnsafeBytes { CRC32.checksum(UnsafeRawBufferPointer(rebasing: $0[0..<92])) })
            return h
        }
        d.replaceSubrange(512..<1024, with: header(lba: 1, alternate: blocks - 1, entriesLBA: 2))
        d.replaceSubrange(1024..<(1024 + entries.count), with: entries)
        d.replaceSubrange((blocks - 33) * 512..<((blocks - 33) * 512 + entries.count), with: entries)
        d.replaceSubrange((blocks - 1) * 512..<(blocks * 512), with: header(lba: blocks - 1, alternate: 1, entriesLBA: blocks - 33))
        if corruptPrimary { d[512 + 40] ^= 1 }
        return d
    }

    @Test func gptPrimaryAndBackup() {
        let expected = [Partition(number: 1, start: 2048, sectors: 952, uuid: Array("13121110-1514-1716-1819-1a1b1c1d1e1f".utf8)),
                        Partition(number: 2, start: 3000, sectors: 100, uuid: Array("23222120-2524-2726-2829-2a2b2c2d2e2f".utf8))]
        #expect(Self.scan(Self.gptDisk()) == PartitionTable(kind: .gpt, partitions: expected))
        #expect(Self.scan(Self.gptDisk(corruptPrimary: true)) == PartitionTable(kind: .gpt, partitions: expected))
        var bad = Self.gptDisk()
        bad[1024 + 32] ^= 1                                                       // entry array CRC fails (both copies' CRC is the same)
        bad[(4096 - 33) * 512 + 32] ^= 1
        #expect(Self.scan(bad) == PartitionTable(kind: .gpt, partitions: []))
    }
}
