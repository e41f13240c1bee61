import LichenCore
import LichenAArch64

/// AArch64's side of the architecture contract (kernel/arch/ArchitectureContract.swift): which of
/// this folder's types implements each part. The compiler checks every conformance below.
enum CurrentArchitecture: Architecture {
    static let name: StaticString = "aarch64"
    static func privilegeLevelName(_ level: UInt64) -> String { "EL" + Format.decimal(level) }

    typealias Processor = CPU
    typealias Counter = Clock
    typealias CPUs = PerCPU
    typealias Multiprocessor = SMP
    typealias Timer = GenericTimer
    typealias Power = PSCI
    typealias Context = UserContext
    typealias Exit = UserExit
    typealias Runner = UserMode
    typealias Space = UserAddressSpace
    typealias Layout = KernelLayout
    typealias Registers = MMIORegion
    typealias Unwinder = Backtrace
}

extension CPU: CPUControl {}
extension Clock: CounterClock {}
extension PerCPU: PerCPUIdentity {}
extension SMP: SecondaryCPUs {}
extension UserContext: UserRegisters {}
extension UserExit: UserExitReasons {}
extension UserMode: UserModeEntry {}
extension UserAddressSpace: UserMemoryMapping {}
extension MemoryAttributes: UserPageAttributes {
    init(_ kind: UserPageKind) {
        switch kind {
        case .code: self = .userCode
        case .data: self = .userData
        case .readOnly: self = .userReadOnly
        case .noAccess: self = .userNoAccess
        }
    }
}
extension KernelLayout: KernelMemoryLayout {}
extension MMIORegion: DeviceRegisters {}
extension Backtrace: KernelBacktrace {}
