import LichenCore
import AArch64Intrinsics

enum CPU {
    /// Runs `body` with IRQs masked, restoring the previous mask afterwards.
    @inline(__always)
    static func withInterruptsDisabled<T>(_ body: () -> T) -> T {
        let saved = read_daif()
        irq_disable()
        defer { if saved & (1 << 7) == 0 { irq_enable() } }
        return body()
    }

    static func enableInterrupts() { irq_enable() }

    /// Hands LichenCore the CPU's CRC32 instructions for CRC-32 (the initramfs's gzip trailer), when
    /// it has them (ID_AA64ISAR0_EL1.CRC32, bits 19:16).
    static func enableChecksumInstructions() {
        guard (read_id_aa64isar0() >> 16) & 0xf != 0 else { return }
        CRC32.accelerated = { crc, bytes in
            guard let base = bytes.baseAddress else { return crc }
            return crc32_update(crc, base.assumingMemoryBound(to: UInt8.self), UInt64(bytes.count))
        }
    }

    /// "Cortex-A72 r0p3" from MIDR_EL1.
    static var modelName: String {
        let midr = read_midr()
        let implementer = (midr >> 24) & 0xff
        let part = (midr >> 4) & 0xfff
        let variant = (midr >> 20) & 0xf
        let revision = midr & 0xf
        var name: String
        switch (implementer, part) {
        case (0x41, 0xd03): name = "Cortex-A53"
        case (0x41, 0xd04): name = "Cortex-A35"
        case (0x41, 0xd05): name = "Cortex-A55"
        case (0x41, 0xd07): name = "Cortex-A57"
        case (0x41, 0xd08): name = "Cortex-A72"
        case (0x41, 0xd09): name = "Cortex-A73"
        case (0x41, 0xd0a): name = "Cortex-A75"
        case (0x41, 0xd0b): name = "Cortex-A76"
        case (0x41, 0xd0c): name = "Neoverse-N1"
        case (0x41, 0xd40): name = "Neoverse-V1"
        case (0x41, 0xd49): name = "Neoverse-N2"
        case (0x00, 0x051): name = "QEMU max"
        default: name = "CPU " + Format.hex(implementer, width: 2) + "/" + Format.hex(part, width: 3)
        }
        return name + " r" + Format.decimal(variant) + "p" + Format.decimal(revision)
    }

    static var exceptionLevel: UInt64 { (read_current_el() >> 2) & 3 }

    /// Cleans the data cache and invalidates the instruction cache over the range (DC CVAU, IC IVAU).
    static func syncInstructionCache(address: UInt64, size: Int) { sync_icache_range(address, UInt64(size)) }
    /// DMB ISHST.
    @inline(__always) static func orderStores() { dmb_ishst() }
    /// DSB ISHST.
    @inline(__always) static func completeStores() { dsb_ishst() }

    /// Sleeps in WFI until `ready()` holds. The check runs with IRQs masked so a wake-up between the
    /// check and the WFI is not lost (a pending IRQ ends WFI even while masked).
    static func sleep(until ready: () -> Bool) {
        while true {
            irq_disable()
            if ready() { break }
            wait_for_interrupt()
            irq_enable()
        }
        irq_enable()
    }
}

/// The caller's frame pointer, for backtraces from code that did not trap.
func currentFramePointer() -> UInt64 { read_fp() }

/// The generic timer's counter: one clock for the whole machine, starting near zero at power-on.
enum Clock {
    static var ticks: UInt64 { read_cntvct() }
    static var frequency: UInt64 { read_cntfrq() }
    static func nanoseconds(ticks t: UInt64) -> UInt64 {
        let f = frequency
        return (t / f) * 1_000_000_000 + (t % f) * 1_000_000_000 / f
    }
    /// Nanoseconds since the machine started.
    static var uptime: UInt64 { nanoseconds(ticks: ticks) }
}
