import Testing
@testable import LichenCore

/// A fixed-seed generator (SplitMix64), so corruption tests are reproducible.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9e37_79b9_7f4a_7c15
        var z = state
        z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
        z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
        return z ^ (z >> 31)
    }
}

@Suite struct DeviceTreeErrorTests {
    let virt: [UInt8] = {
        var builder = FDTBuilder()
        builder.reservations = [(0x4000_0000, 0x1000)]
        return VirtMachine(reservedMemory: true).blob(builder)
    }()

    /// Offsets of the blocks in `virt`, from its header.
    var structOffset: Int { Int(virt.u32(at: FDT.structOffsetField)) }
    var stringsOffset: Int { Int(virt.u32(at: FDT.stringsOffsetField)) }

    func patched(_ field: Int, _ value: UInt32) -> [UInt8] {
        var blob = virt
        blob.setU32(value, at: field)
        return blob
    }

    /// Uses everything a parsed tree offers; must return or throw, never trap.
    func exercise(_ tree: DeviceTree) {
        _ = tree.memoryReservations
        for node in tree.nodes {
            _ = node.nameString
            _ = node.parent
            _ = try? node.registers()
            _ = try? node.interrupt(at: 0)
            for p in node.properties {
                _ = try? p.string()
                _ = try? p.strings()
                _ = try? p.integer()
                _ = p.cell(0)
            }
        }
        _ = tree.node(atPath: "serial0")
        _ = try? MachineDescription(tree)
        _ = try? BootDevices(tree)
    }

    @Test func validBlobParses() throws {
        #expect(parseError(virt) == nil)
        try withDeviceTree(virt) { exercise($0) }
    }

    @Test func badMagic() {
        #expect(parseError(patched(0, 0xedfe_0dd0)) == .badMagic)
        #expect(parseError([UInt8](repeating: 0, count: 64)) == .badMagic)
    }

    @Test func versions() {
        #expect(parseError(patched(FDT.versionField, 16)) == .unsupportedVersion)
        #expect(parseError(patched(FDT.lastCompatibleField, 18)) == .unsupportedVersion)
        #expect(parseError(patched(FDT.versionField, 18)) == nil)  // newer but backward compatible
    }

    @Test func everyTruncationThrows() {
        for length in 0..<virt.count {
            let prefix = Array(virt[0..<length])
            #expect(parseError(prefix) == .truncated, "prefix of \(length) bytes")
            // Also with a header that agrees with the shorter length: the blocks then overrun it.
            if length >= 40 {
                var consistent = prefix
                consistent.setU32(UInt32(length), at: FDT.totalSizeField)
                #expect(parseError(consistent) != nil, "consistent prefix of \(length) bytes")
            }
        }
    }

    @Test func totalSizeLargerThanBuffer() {
        #expect(parseError(patched(FDT.totalSizeField, UInt32(virt.count + 1))) == .truncated)
        #expect(parseError(patched(FDT.totalSizeField, 0xffff_ffff)) == .truncated)
        #expect(parseError(patched(FDT.totalSizeField, 12)) == .badOffset)
    }

    @Test func offsetsOutsideTheBlob() {
        let total = UInt32(virt.count)
        #expect(parseError(patched(FDT.structOffsetField, total + 4)) == .badOffset)
        #expect(parseError(patched(FDT.structOffsetField, 0xffff_fffc)) == .badOffset)
        #expect(parseError(patched(FDT.structOffsetField, 0)) == .badOffset)  // inside the header
        #expect(parseError(patched(FDT.structOffsetField, UInt32(structOffset + 2))) == .badOffset)  // misaligned
        #expect(parseError(patched(FDT.structSizeField, 0xffff_ffff)) == .badOffset)
        #expect(parseError(patched(FDT.structSizeField, total)) == .badOffset)
        #expect(parseError(patched(FDT.stringsOffsetField, total + 1)) == .badOffset)
        #expect(parseError(patched(FDT.stringsSizeField, 0x8000_0000)) == .badOffset)
        #expect(parseError(patched(FDT.reservationsField, total + 8)) == .badOffset)
        #expect(parseError(patched(FDT.reservationsField, 44)) == .badOffset)  // misaligned
        // An empty structure block has no root.
        #expect(parseError(patched(FDT.structSizeField, 0)) == .badStructure)
    }

    @Test func reservationErrors() {
        // A reservation list that runs off the end of the blob before its (0, 0) terminator.
        #expect(parseError(patched(FDT.reservationsField, UInt32((virt.count - 8) & ~7))) == .badReservation)
        var wrapping = FDTBuilder()
        wrapping.reservations = [(0xffff_ffff_ffff_f000, 0x2000)]
        #expect(parseError(wrapping.build(FDTNode(""))) == .badReservation)
    }

    @Test func unterminatedStrings() {
        // Cut the strings block before the last name's NUL.
        #expect(parseError(patched(FDT.stringsSizeField, virt.u32(at: FDT.stringsSizeField) - 1)) == .badString)
        // A node name running to the end of the structure block.
        #expect(parseError(rawBlob([FDT.beginNode, 0x6161_6161])) == .badString)
    }

    /// Builds a blob with a hand-written structure block (cells) and strings "a\0".
    func rawBlob(_ tokens: [UInt32], strings: [UInt8] = Array("a\0".utf8)) -> [UInt8] {
        let structure = tokens.flatMap(FDT.bigEndian)
        let structAt = 56  // header (40) + empty reservation list (16)
        let stringsAt = structAt + structure.count
        let total = stringsAt + strings.count
        let header = [0xd00d_feed, UInt32(total), UInt32(structAt), UInt32(stringsAt), 40, 17, 16, 0,
                      UInt32(strings.count), UInt32(structure.count)].flatMap(FDT.bigEndian)
        return header + [UInt8](repeating: 0, count: 16) + structure + strings
    }

    @Test func handWrittenStructures() throws {
        let begin = FDT.beginNode, end = FDT.endNode, prop = FDT.prop, nop = FDT.nop, fin = FDT.end
        // Minimal valid tree: root with one empty property "a".
        #expect(parseError(rawBlob([nop, begin, 0, prop, 0, 0, end, nop, fin])) == nil)
        // Property length overflowing the block, and the maximum length.
        #expect(parseError(rawBlob([begin, 0, prop, 12, 0, end, fin])) == .badProperty)
        #expect(parseError(rawBlob([begin, 0, prop, 0xffff_ffff, 0, end, fin])) == .badProperty)
        #expect(parseError(rawBlob([begin, 0, prop, 0x7fff_fffc, 0, end, fin])) == .badProperty)
        // Property header cut off by the end of the block.
        #expect(parseError(rawBlob([begin, 0, prop, 0])) == .badStructure)
        // Name offset outside the strings block, or at its unterminated tail.
        #expect(parseError(rawBlob([begin, 0, prop, 0, 2, end, fin])) == .badString)
        #expect(parseError(rawBlob([begin, 0, prop, 0, 0xffff_ffff, end, fin])) == .badString)
        #expect(parseError(rawBlob([begin, 0, prop, 0, 0, end, fin], strings: Array("ab".utf8))) == .badString)
        // Grammar violations.
        #expect(parseError(rawBlob([end, fin])) == .badStructure)                              // end before begin
        #expect(parseError(rawBlob([fin])) == .badStructure)                                   // no root
        #expect(parseError(rawBlob([prop, 0, 0, fin])) == .badStructure)                       // property outside a node
        #expect(parseError(rawBlob([begin, 0, fin])) == .badStructure)                         // unclosed root
        #expect(parseError(rawBlob([begin, 0, end])) == .badStructure)                         // no FDT_END
        #expect(parseError(rawBlob([begin, 0, end, begin, 0, end, fin])) == .badStructure)    // two roots
        #expect(parseError(rawBlob([begin, 0, end, end, fin])) == .badStructure)              // unbalanced
        // A property after a subnode ("b").
        #expect(parseError(rawBlob([begin, 0, begin, 0x6200_0000, end, prop, 0, 0, end, fin])) == .badStructure)
        #expect(parseError(rawBlob([begin, 0, 5, end, fin])) == .badStructure)                // unknown token
        #expect(parseError(rawBlob([begin, 0, end, fin, 0xdead])) == nil)                     // data after FDT_END is ignored
    }

    /// Thousands of deterministic random corruptions of a valid blob: each must parse (and
    /// then survive every accessor) or throw, never trap.
    @Test func randomCorruptionNeverTraps() throws {
        var rng = SplitMix64(state: 0x1ce5_eed)
        var parsed = 0, failed = 0
        for round in 0..<3000 {
            var blob = virt
            let edits = round % 4 + 1
            for _ in 0..<edits {
                if Bool.random(using: &rng) {
                    // Corrupt a whole 32-bit word at a token-aligned spot with an interesting value.
                    let at = Int.random(in: 0..<blob.count / 4, using: &rng) * 4
                    let values: [UInt32] = [0, 1, 2, 3, 4, 9, 0xffff_ffff, 0x7fff_ffff, UInt32(blob.count),
                                            UInt32.random(in: 0...UInt32(blob.count + 16), using: &rng),
                                            UInt32.random(in: 0...UInt32.max, using: &rng)]
                    blob.setU32(values.randomElement(using: &rng)!, at: at)
                } else {
                    blob[Int.random(in: 0..<blob.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng)
                }
            }
            let ok: Bool = blob.withUnsafeBytes { buffer in
                guard let tree = try? DeviceTree(buffer) else { return false }
                exercise(tree)
                return true
            }
            if ok { parsed += 1 } else { failed += 1 }
        }
        // Both outcomes must actually occur for the test to mean anything.
        #expect(parsed > 100 && failed > 100, "parsed \(parsed), failed \(failed)")
    }
}
