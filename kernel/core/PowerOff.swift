import LichenCore

/// The orderly end of the machine (reboot(2)'s power-off, the end of init on a test boot, the boot
/// monitor's `poweroff`, a self-test's verdict), unlike `Panic`, which reports a failure first.
enum PowerOff {
    static func now() -> Never {
        KernelLog.notice("Powering off.")
        guard let power = Panic.power else { haltForever() }
        power.systemOff()
    }
}
