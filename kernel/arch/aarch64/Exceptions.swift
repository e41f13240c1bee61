import LichenCore

// Entry points from vectors.S. Each receives the TrapFrame the vector saved.

@_cdecl("lichen_el1_sync")
func lichenEL1Sync(_ raw: UnsafeMutableRawPointer) {
    let frame = TrapFrame(raw)
    // No kernel fault is recoverable yet (user-copy fixups come with user space).
    Panic.halt(ExceptionReport.title(esr: frame.esr) + " in kernel", frame: frame)
}

@_cdecl("lichen_el0_sync")
func lichenEL0Sync(_ raw: UnsafeMutableRawPointer) {
    let frame = TrapFrame(raw)
    Panic.halt(ExceptionReport.title(esr: frame.esr) + " from EL0, but there is no user space yet", frame: frame)
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
