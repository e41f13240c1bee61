import Testing
@testable import LichenCore

/// Random mmap/munmap/mprotect/mremap/brk sequences checked page by page against a trivial model,
/// plus the map's invariants (sorted, disjoint, page-aligned, fully merged).
@Suite struct ProcessMemoryMapModelTests {
    struct SplitMix {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9e37_79b9_7f4a_7c15
            var z = state
            z = (z ^ (z >> 30)) &* 0xbf58_476d_1ce4_e5b9
            z = (z ^ (z >> 27)) &* 0x94d0_49bb_1331_11eb
            return z ^ (z >> 31)
        }
        mutating func below(_ n: Int) -> Int { Int(next() % UInt64(n)) }
    }

    static let pages = 96
    static let base: UInt64 = 0x100_0000
    static let page = UInt64(pageSize)
    func addr(_ p: Int) -> UserAddr { UserAddr(ProcessMemoryMapModelTests.base + UInt64(p) * ProcessMemoryMapModelTests.page) }

    func check(_ m: VirtualMemoryMap<ProcessTestMappedFile>, _ model: [MemoryProtection?], step: Int) {
        for (i, a) in m.areas.enumerated() {
            #expect(a.start.isPageAligned && a.end.isPageAligned && a.start < a.end, "step \(step)")
            if i > 0 {
                #expect(m.areas[i - 1].end <= a.start, "step \(step): overlap")
                #expect(!m.areas[i - 1].canMerge(with: a), "step \(step): unmerged neighbours")
            }
        }
        for p in 0..<ProcessMemoryMapModelTests.pages {
            let area = m.area(containing: addr(p) + 5)
            #expect(area?.protection == model[p], "step \(step) page \(p)")
        }
    }

    @Test(arguments: [1, 2, 3, 4, 5, 6, 7, 8] as [UInt64])
    func randomOperationsMatchThePageModel(seed: UInt64) throws {
        var rng = SplitMix(state: seed)
        let n = ProcessMemoryMapModelTests.pages
        var m = VirtualMemoryMap<ProcessTestMappedFile>(mmapBase: addr(n), minimumAddress: addr(0), limit: addr(n))
        var model = [MemoryProtection?](repeating: nil, count: n)
        let prots: [MemoryProtection] = [[.read], [.read, .write], [.read, .execute], []]
        for step in 0..<300 {
            let start = rng.below(n)
            let length = 1 + rng.below(min(12, n - start))
            let prot = prots[rng.below(prots.count)]
            switch rng.below(5) {
            case 4:
                // mremap with MREMAP_MAYMOVE of part of one mapping.
                guard let area = m.area(containing: addr(start)) else { continue }
                let areaEnd = Int((area.end.value - ProcessMemoryMapModelTests.base) / ProcessMemoryMapModelTests.page)
                let oldLength = 1 + rng.below(areaEnd - start)
                let newLength = 1 + rng.below(10)
                let pageSize = ProcessMemoryMapModelTests.page
                do {
                    let r = try m.remap(oldAddress: addr(start), oldSize: UInt64(oldLength) * pageSize,
                                        newSize: UInt64(newLength) * pageSize, flags: .mayMove)
                    let kept = area.protection
                    if r.movedFrom == nil {
                        #expect(r.address == addr(start))
                        if newLength <= oldLength {
                            for p in (start + newLength)..<(start + oldLength) { model[p] = nil }
                        } else {
                            for p in (start + oldLength)..<(start + newLength) {
                                #expect(model[p] == nil, "step \(step): grew over a mapping")
                                model[p] = kept
                            }
                        }
                    } else {
                        for p in start..<(start + oldLength) { model[p] = nil }
                        let first = Int((r.address.value - ProcessMemoryMapModelTests.base) / pageSize)
                        for p in first..<(first + newLength) {
                            #expect(model[p] == nil, "step \(step): moved over a mapping")
                            model[p] = kept
                        }
                    }
                } catch {
                    #expect(error == .ENOMEM, "step \(step)")
                }
            case 0:
                _ = try m.map(length: UInt64(length) * ProcessMemoryMapModelTests.page, placement: .fixed(addr(start)), protection: prot)
                for p in start..<(start + length) { model[p] = prot }
            case 1:
                if let r = try? m.map(length: UInt64(length) * ProcessMemoryMapModelTests.page, placement: .anywhere(hint: UserAddr(0)), protection: prot) {
                    let first = Int((r.address.value - ProcessMemoryMapModelTests.base) / ProcessMemoryMapModelTests.page)
                    for p in first..<(first + length) {
                        #expect(model[p] == nil, "step \(step): placed over a mapping")
                        model[p] = prot
                    }
                    // Top-down: nothing free above it that would have fit.
                    var run = 0
                    for p in stride(from: n - 1, through: first + length, by: -1) {
                        run = model[p] == nil ? run + 1 : 0
                        #expect(run < length, "step \(step): a higher gap fits")
                    }
                } else {
                    var run = 0, best = 0
                    for p in 0..<n { run = model[p] == nil ? run + 1 : 0; best = max(best, run) }
                    #expect(best < length, "step \(step): ENOMEM with room")
                }
            case 2:
                _ = try m.unmap(start: addr(start), length: UInt64(length) * ProcessMemoryMapModelTests.page)
                for p in start..<(start + length) { model[p] = nil }
            default:
                do {
                    try m.protect(start: addr(start), length: UInt64(length) * ProcessMemoryMapModelTests.page, protection: prot)
                    for p in start..<(start + length) {
                        #expect(model[p] != nil, "step \(step): mprotect succeeded over a hole")
                        model[p] = prot
                    }
                } catch {
                    #expect(error == .ENOMEM)
                    // Linux semantics: pages up to the first hole changed.
                    var p = start
                    while p < start + length, model[p] != nil { model[p] = prot; p += 1 }
                    #expect(p < start + length, "step \(step): ENOMEM without a hole")
                }
            }
            check(m, model, step: step)
        }
    }
}
