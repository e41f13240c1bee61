import LichenCore

/// A riscv64 Sv39-like descriptor format, test-only: it proves the generic walker, its bulk operations
/// and geometry need nothing of AArch64. Three levels (root = VPN[2]), 39-bit VAs (38-bit halves),
/// leaves at every level (1 GiB, 2 MiB, 4 KiB), 56-bit physical addresses. Bit layout:
///   [0] V  [1] R  [2] W  [3] X  [4] U  [5] G  [6] A  [7] D  [9:8] RSW  [53:10] PPN  [62:61] PBMT
/// A valid entry with R = W = X = 0 points at the next table. Supervisor code never executes user
/// pages, so X means kernel-executable without U and user-executable with it.
struct Sv39Entry: PageTableFormat {
    var rawValue: UInt64
    init(rawValue: UInt64) { self.rawValue = rawValue }

    static let valid: UInt64 = 1 << 0
    static let read: UInt64 = 1 << 1
    static let write: UInt64 = 1 << 2
    static let execute: UInt64 = 1 << 3
    static let user: UInt64 = 1 << 4
    static let global: UInt64 = 1 << 5
    static let accessedDirty: UInt64 = 0b11 << 6
    static let softwareShift: UInt64 = 8
    static let ppnShift: UInt64 = 10
    static let ppnMask: UInt64 = (1 << 44) - 1
    /// Svpbmt: 0 = PMA (normal), 1 = NC, 2 = IO.
    static let pbmtShift: UInt64 = 61

    static var levels: Int { 3 }
    static var canonicalHalfBits: Int { 38 }
    static var physicalAddressLimit: UInt64 { 1 << 56 }
    static func allowsBlock(level: Int) -> Bool { level < 2 }

    func kind(level: Int) -> PageTableEntryKind {
        guard isValid else { return .invalid }
        if rawValue & (Self.read | Self.write | Self.execute) == 0 { return level < 2 ? .table : .invalid }
        return level == 2 ? .page : .block
    }

    var outputAddress: PhysAddr { PhysAddr(((rawValue >> Self.ppnShift) & Self.ppnMask) << 12) }

    static func table(_ next: PhysAddr) -> Sv39Entry { Sv39Entry(rawValue: (next.value >> 12) << ppnShift | valid) }

    static func leafUnchecked(_ output: PhysAddr, level: Int, attributes a: MemoryAttributes) -> Sv39Entry {
        var bits = valid | read | accessedDirty | (UInt64(a.software & 3) << softwareShift)
        if a.writable { bits |= write }
        if a.user { bits |= user }
        if a.global { bits |= global }
        if a.kernelExecutable || a.userExecutable { bits |= execute }
        switch a.memoryType {
        case .normal: break
        case .normalNonCacheable: bits |= 1 << pbmtShift
        case .device, .deviceStrong: bits |= 2 << pbmtShift
        }
        return Sv39Entry(rawValue: bits | (output.value >> 12) << ppnShift)
    }

    var attributes: MemoryAttributes {
        let user = rawValue & Self.user != 0, executable = rawValue & Self.execute != 0
        let types: [MemoryType] = [.normal, .normalNonCacheable, .device, .deviceStrong]
        return MemoryAttributes(
            writable: rawValue & Self.write != 0, kernelExecutable: executable && !user, user: user,
            userExecutable: executable && user, global: rawValue & Self.global != 0,
            memoryType: types[Int((rawValue >> Self.pbmtShift) & 3)],
            software: UInt8((rawValue >> Self.softwareShift) & 3))
    }

    func placing(_ output: PhysAddr) -> Sv39Entry { Sv39Entry(rawValue: rawValue | (output.value >> 12) << Self.ppnShift) }

    func splitPart(_ index: Int, blockLevel: Int) -> Sv39Entry {
        let offset = UInt64(index) << UInt64(PageTableGeometry<Sv39Entry>.shift(level: blockLevel + 1))
        return Sv39Entry(rawValue: rawValue & ~(Self.ppnMask << Self.ppnShift)).placing(outputAddress + offset)
    }

    var readOnly: Sv39Entry { Sv39Entry(rawValue: rawValue & ~Self.write) }
}

typealias Sv39Table = PageTable<Sv39Entry, TestTableMemory>
typealias Sv39Geometry = PageTableGeometry<Sv39Entry>
