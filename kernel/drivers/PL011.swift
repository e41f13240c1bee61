import LichenCore

/// Arm PrimeCell PL011 UART: polled transmit, interrupt-driven receive.
final class PL011: SerialPort {
    private enum Reg {
        static let data = 0x00, flags = 0x18, lineControl = 0x2c, control = 0x30
        static let fifoLevel = 0x34, interruptMask = 0x38, interruptClear = 0x44
    }
    private enum Flag { static let rxEmpty: UInt32 = 1 << 4, txFull: UInt32 = 1 << 5 }
    private enum Interrupt { static let receive: UInt32 = 1 << 4, receiveTimeout: UInt32 = 1 << 6 }

    private let regs: MMIORegion
    let interrupt: InterruptID?

    /// Takes the UART as firmware (or qemu) left it: we keep its baud rate and only make sure it is on.
    init(registers: MMIORegion, interrupt: InterruptID?) {
        self.regs = registers
        self.interrupt = interrupt
        regs.write32(Reg.interruptMask, 0)
        regs.write32(Reg.interruptClear, 0x7ff)
        regs.write32(Reg.lineControl, (3 << 5) | (1 << 4))   // 8 bits, FIFOs on
        regs.write32(Reg.fifoLevel, 0)                         // RX interrupt at 1/8 full (or timeout)
        regs.write32(Reg.control, (1 << 0) | (1 << 8) | (1 << 9))  // UARTEN, TXE, RXE
    }

    func write(_ byte: UInt8) {
        while regs.read32(Reg.flags) & Flag.txFull != 0 {}
        regs.write32(Reg.data, UInt32(byte))
    }

    func read() -> UInt8? {
        if regs.read32(Reg.flags) & Flag.rxEmpty != 0 { return nil }
        return UInt8(truncatingIfNeeded: regs.read32(Reg.data))
    }

    func enableReceiveInterrupt() {
        regs.write32(Reg.interruptMask, Interrupt.receive | Interrupt.receiveTimeout)
    }

    func drainReceived(_ deliver: (UInt8) -> Void) {
        while let byte = read() { deliver(byte) }
        regs.write32(Reg.interruptClear, Interrupt.receive | Interrupt.receiveTimeout)
    }
}
