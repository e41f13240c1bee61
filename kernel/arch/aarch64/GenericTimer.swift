import LichenCore
import AArch64Intrinsics

/// The Arm generic timer, virtual timer (CNTV): the counter every CPU shares, one comparator per CPU.
final class GenericTimer: EventTimer {
    let frequency: UInt64
    let interrupt: InterruptID

    init(interrupt: InterruptID) {
        self.frequency = read_cntfrq()
        self.interrupt = interrupt
    }

    var now: UInt64 { read_cntvct() }

    func arm(deadline: UInt64) {
        write_cntv_cval(deadline)
        write_cntv_ctl(1)            // ENABLE, interrupt not masked
        isb()
    }

    func disarm() {
        write_cntv_ctl(2)            // IMASK
        isb()
    }

    func nanoseconds(ticks: UInt64) -> UInt64 {
        // ticks * 1e9 / frequency without overflow for any realistic uptime.
        (ticks / frequency) * 1_000_000_000 + (ticks % frequency) * 1_000_000_000 / frequency
    }

    func ticks(nanoseconds ns: UInt64) -> UInt64 {
        (ns / 1_000_000_000) * frequency + (ns % 1_000_000_000) * frequency / 1_000_000_000
    }
}
