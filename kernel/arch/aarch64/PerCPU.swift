import LichenCore
import AArch64Intrinsics

/// Per-CPU identity for schedulers and statistics. TPIDR_EL1 holds the running CPU's index (secondary
/// CPUs set it when they come up; the boot CPU is 0).
enum PerCPU {
    static let maxCPUs = 8

    /// Index of the CPU running this code, 0 ..< onlineCount.
    @inline(__always) static var currentIndex: Int { Int(truncatingIfNeeded: read_tpidr_el1()) }

    /// CPUs that are up and running their executor.
    nonisolated(unsafe) static var onlineCount = 1

    /// Wakes CPU `index` from WFI (an IPI). Safe from interrupt context. No-op for the current CPU.
    static func wake(_ index: Int) {
        guard index != currentIndex else { return }
        SMP.sendWakeIPI(to: index)
    }
}
