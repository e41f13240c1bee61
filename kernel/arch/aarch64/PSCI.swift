import LichenCore
import AArch64Intrinsics

/// Power State Coordination Interface (firmware, or qemu itself), through HVC or SMC as the DT says.
final class PSCI: PowerControl {
    static let systemOffFunction: UInt64 = 0x8400_0008
    static let systemResetFunction: UInt64 = 0x8400_0009
    static let versionFunction: UInt64 = 0x8400_0000
    static let cpuOnFunction: UInt64 = 0xc400_0003

    let conduit: PSCIConduit
    init(conduit: PSCIConduit) { self.conduit = conduit }

    func call(_ function: UInt64, _ a: UInt64 = 0, _ b: UInt64 = 0, _ c: UInt64 = 0) -> UInt64 {
        switch conduit {
        case .hvc: return smccc_hvc(function, a, b, c)
        case .smc: return smccc_smc(function, a, b, c)
        }
    }

    var version: (major: UInt64, minor: UInt64) {
        let v = call(PSCI.versionFunction)
        return (v >> 16, v & 0xffff)
    }

    func systemOff() -> Never {
        _ = call(PSCI.systemOffFunction)
        haltForever()
    }

    func systemReset() -> Never {
        _ = call(PSCI.systemResetFunction)
        haltForever()
    }
}

/// Last resort when power-off is impossible: stop this CPU.
func haltForever() -> Never {
    irq_disable()
    while true { wait_for_interrupt() }
}
