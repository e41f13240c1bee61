import LichenCore

/// What boot learned, kept for the rest of the kernel. The architecture's boot path fills it and calls
/// `kernelMain(_:timer:)` on the boot CPU once memory, the console, the interrupt controller and the
/// timer are up (docs/porting.md).
struct BootInfo {
    var machine: MachineDescription
    var commandLine: KernelCommandLine
    /// The privilege level the kernel was entered at, as the architecture numbers it
    /// (`CurrentArchitecture.privilegeLevelName` spells it).
    var entryLevel: UInt64
    /// The counter when the kernel was entered.
    var entryTicks: UInt64
    var deviceTree: PhysRange
    var imageSize: UInt64
    var usableRAM: UInt64 = 0
}
