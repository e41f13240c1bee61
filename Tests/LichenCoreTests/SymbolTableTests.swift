import Testing
@testable import LichenCore

private func makeBlob(_ symbols: [(UInt64, String)]) -> [UInt8] {
    var out: [UInt8] = []
    func put32(_ v: UInt32) { for i in 0..<4 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt32(i)))) } }
    func put64(_ v: UInt64) { for i in 0..<8 { out.append(UInt8(truncatingIfNeeded: v >> (8 * UInt64(i)))) } }
    put32(SymbolTable.magic); put32(UInt32(symbols.count))
    var names: [UInt8] = []
    for (addr, name) in symbols {
        put64(addr); put32(UInt32(names.count)); put32(UInt32(name.utf8.count))
        names += Array(name.utf8)
    }
    return out + names
}

@Suite struct SymbolTableTests {
    @Test func lookupFindsContainingSymbol() {
        let blob = makeBlob([(0x1000, "start"), (0x1100, "kernelMain"), (0x2000, "panic")])
        blob.withUnsafeBytes { raw in
            let table = SymbolTable(raw)!
            #expect(table.count == 3)
            #expect(table.lookup(0xfff) == nil)
            let hit = table.lookup(0x1104)!
            #expect(String(decoding: table.name(at: hit.index), as: UTF8.self) == "kernelMain")
            #expect(hit.offset == 4)
            #expect(table.lookup(0x9999)!.index == 2)
            #expect(table.lookup(0x1000)! == (0, 0))
        }
    }
    @Test func rejectsMalformed() {
        var blob = makeBlob([(0x1000, "a")])
        blob.withUnsafeBytes { raw in
            #expect(SymbolTable(UnsafeRawBufferPointer(rebasing: raw[0..<10])) == nil)   // truncated
        }
        blob[0] = 0
        blob.withUnsafeBytes { raw in #expect(SymbolTable(raw) == nil) }                  // bad magic
        #expect([UInt8]().withUnsafeBytes { SymbolTable($0) } == nil)
    }
    @Test func badNameOffsetGivesEmptyName() {
        var blob = makeBlob([(0x1000, "abc")])
        blob[16] = 0xff   // name offset far outside
        blob.withUnsafeBytes { raw in
            #expect(SymbolTable(raw)!.name(at: 0).count == 0)
        }
    }
}
