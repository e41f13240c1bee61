import LichenCore

// Entry points from vectors.S. Each receives the TrapFrame the vector saved.

@_cdecl("lichen_el1_sync")
func lichenEL1Sync(_ raw: UnsafeMutableRawPointer) {
    let frame = TrapFrame(raw)
    if ExceptionFixup.apply(frame) { return }
    Panic.halt(ExceptionReport.title(esr: frame.esr) + " in kernel", frame: frame)
}

@_cdecl("lichen_irq")
func lichenIRQ(_ raw: UnsafeMutableRawPointer) {
    Interrupts.dispatch()
}

@_cdecl("lichen_unexpected_exception")
func lichenUnexpectedException(_ raw: UnsafeMutableRawPointer, _ kind: UInt64) {
    let what: String
    switch kind {
    case 0: what = "exception taken with SP_EL0 at EL1"
    case 1: what = "FIQ or SError at EL1"
    default: what = "FIQ, SError or AArch32 exception from EL0"
    }
    Panic.halt("unexpected " + what, frame: TrapFrame(raw))
}

@_cdecl("lichen_stack_overflow")
func lichenStackOverflow(_ raw: UnsafeMutableRawPointer) {
    let frame = TrapFrame(raw)
    Panic.halt("kernel stack overflow (sp " + Format.hex(frame.sp) + " is in a guard page)", frame: frame)
}
