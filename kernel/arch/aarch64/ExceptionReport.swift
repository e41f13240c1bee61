import LichenCore
import LichenAArch64

/// Human-readable exception causes for panic reports, from ESR_EL1 (decoded by LichenAArch64).
enum ExceptionReport {
    static func title(esr: UInt64) -> String {
        let syndrome = ExceptionSyndrome(esr)
        if syndrome.exceptionClass == .brk64, syndrome.immediate == 1 { return "Swift runtime trap (brk #1)" }
        return string(syndrome.className)
    }

    /// "Data abort (same EL): translation fault, level 0, write at 0x0000000000000000".
    static func describe(esr: UInt64, far: UInt64) -> String {
        let syndrome = ExceptionSyndrome(esr)
        var text = string(syndrome.className)
        if let abort = syndrome.abort {
            let status = abort.faultStatus
            text += ": " + string(status.kind.name)
            if let level = status.level { text += ", level " + Format.decimal(UInt64(level)) }
            if syndrome.exceptionClass?.isDataAbort == true { text += abort.isWrite ? ", write" : ", read" }
            text += abort.farNotValid ? " (address unknown)" : " at " + Format.hex(far)
        } else if let immediate = syndrome.immediate {
            text += " #" + Format.hex(UInt64(immediate), width: 0)
        }
        return text
    }
}
