/// Hands out bus addresses for BARs from the host bridge's windows, since nothing assigned them
/// (qemu `virt` without UEFI leaves every BAR at 0). A bump allocator per window: BARs are assigned
/// once at boot and never freed. Each BAR is aligned to its size (the BAR's low bits are read-only);
/// memory BARs to at least a page so each maps on its own, I/O starts above the legacy 4 KiB.
public struct PCIWindowAllocator: Sendable {
    public struct Assignment: Equatable, Sendable {
        public let pciAddress: UInt64
        public let cpuAddress: UInt64
    }

    private var windows: [PCIWindow]
    private var used: [UInt64]
    static let pageSize: UInt64 = 4096
    static let firstIO: UInt64 = 0x1000

    public init(windows: [PCIWindow]) {
        self.windows = windows
        used = windows.map { $0.space == .io && $0.pciBase < Self.firstIO ? min(Self.firstIO - $0.pciBase, $0.size) : 0 }
    }

    /// Space for `bar`, from the windows that may hold it, as Linux prefers them: a 64-bit
    /// prefetchable BAR from a 64-bit window first (qemu `virt` does not mark its one prefetchable), any memory BAR from the 32-bit
    /// window (a 64-bit BAR may sit below 4 GiB), a 32-bit BAR never above 4 GiB. nil: no room.
    public mutating func allocate(_ bar: PCIBar) -> Assignment? {
        for pass in 0..<2 {
            for i in windows.indices where Self.fits(bar, in: windows[i], pass: pass) {
                if let a = take(bar, from: i) { return a }
            }
        }
        return nil
    }

    static func fits(_ bar: PCIBar, in window: PCIWindow, pass: Int) -> Bool {
        switch bar.space {
        case .io: return window.space == .io && pass == 0
        case .memory32: return window.space == .memory32 && pass == 0
        case .memory64:
            if pass == 0 { return window.space == .memory64 && bar.prefetchable }
            return window.space == .memory32 || (window.space == .memory64 && window.pciBase + (window.size - 1) <= 0xffff_ffff)
        }
    }

    private mutating func take(_ bar: PCIBar, from i: Int) -> Assignment? {
        let w = windows[i]
        let align = bar.space == .io ? bar.size : max(bar.size, Self.pageSize)
        guard bar.size > 0, align & (align &- 1) == 0 else { return nil }
        let next = w.pciBase + used[i]                         // cannot overflow: used <= size
        guard next <= UInt64.max - (align - 1) else { return nil }
        let start = (next + align - 1) & ~(align - 1)
        let offset = start - w.pciBase
        guard offset <= w.size, bar.size <= w.size - offset else { return nil }
        used[i] = offset + bar.size
        return Assignment(pciAddress: start, cpuAddress: w.cpuBase + offset)
    }
}
