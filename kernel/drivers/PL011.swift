import LichenCore

/// Arm PrimeCell PL011 UART: polled transmit, interrupt-driven receive. The first one bound is the
/// console (later ones are left alone for now).
final class PL011: SerialPort {
    static let driver = DriverEntry(name: "PL011", compatible: ["arm,pl011"], stage: .console) { node throws(ProbeFailure) in
        guard KernelLog.console == nil else { throw .notNeeded }
        let device = try DriverRegistry.decode { () throws(DeviceTreeError) in try DeviceRegion(node) }
        KernelLog.console = PL011(registers: try DriverRegistry.map(device.registers), interrupt: device.interrupt)
        ConsoleTTY.line = PL011.terminalLine
        KernelLog.replay()
    }

    /// The console's terminal as Linux names it: AMBA serial port 0 (devices.txt: major 204, minors from 64).
    static let terminalLine = ConsoleLine(name: "ttyAMA0", number: DeviceNumber(major: 204, minor: 64))

    private enum Reg {
        static let data = 0x00, flags = 0x18, lineControl = 0x2c, control = 0x30
        static let fifoLevel = 0x34, interruptMask = 0x38, interruptClear = 0x44
    }
    private enum Flag { static let rxEmpty: UInt32 = 1 << 4, txFull: UInt32 = 1 << 5 }
    private enum Interrupt {
        static let receive: UInt32 = 1 << 4, receiveTimeout: UInt32 = 1 << 6
        static let errors: UInt32 = 0xf << 7                     // framing, parity, break, overrun
    }
    /// Error bits the data register returns next to each received byte.
    private enum DataError { static let overrun: UInt32 = 1 << 11 }

    private let regs: MMIORegion
    let interrupt: InterruptID?
    private(set) var overruns = 0

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
        let data = regs.read32(Reg.data)
        if data & DataError.overrun != 0 { overruns += 1 }
        return UInt8(truncatingIfNeeded: data)
    }

    private static let receiveInterrupts = Interrupt.receive | Interrupt.receiveTimeout

    func enableReceiveInterrupt() {
        regs.write32(Reg.interruptMask, PL011.receiveInterrupts)
    }

    /// RX and RX-timeout are never cleared through ICR: reading the FIFO clears them, and a write to
    /// ICR racing a byte that arrives after the last read would clear the interrupt that byte raised
    /// (qemu raises RX only when its FIFO goes from empty to one byte), so input would stall with
    /// bytes in the FIFO. Linux's amba-pl011 leaves them alone for the same reason.
    func drainReceived(_ deliver: (UInt8) -> Bool) {
        while let byte = read() {
            if !deliver(byte) {
                regs.write32(Reg.interruptMask, 0)             // full: the rest waits in the FIFO
                break
            }
        }
        regs.write32(Reg.interruptClear, Interrupt.errors)
    }

    func resumeReceiving() {
        regs.write32(Reg.interruptMask, PL011.receiveInterrupts)
    }
}
