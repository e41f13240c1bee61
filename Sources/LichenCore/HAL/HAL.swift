// The hardware abstraction layer: what the architecture-independent kernel asks of a machine.
// An architecture port (kernel/arch/<arch>) and its drivers (kernel/drivers) implement these.

/// A byte-oriented serial console.
public protocol SerialPort: AnyObject {
    /// Sends one byte, waiting for room in the transmit FIFO.
    func write(_ byte: UInt8)
    /// A received byte, if one is waiting. Never blocks.
    func read() -> UInt8?
    /// The port's interrupt line, if the device tree gave one.
    var interrupt: InterruptID? { get }
    /// Raises an interrupt whenever input arrives.
    func enableReceiveInterrupt()
    /// Called from the interrupt handler: hands received bytes to `deliver` until the FIFO is empty.
    /// `deliver` keeps the byte and returns whether it has room for another; when it has not, the
    /// receive interrupt is masked and further bytes wait in the FIFO (holding the sender back)
    /// until `resumeReceiving`.
    func drainReceived(_ deliver: (UInt8) -> Bool)
    /// Unmasks the receive interrupt after `drainReceived` stopped for lack of room.
    func resumeReceiving()
    /// Receive overruns the hardware reported (bytes it lost because the FIFO was full).
    var overruns: Int { get }
}

/// The interrupt controller (GICv2, GICv3, ...).
public protocol InterruptController: AnyObject {
    var name: StaticString { get }
    /// Once per CPU, after the distributor is set up.
    func initializeCPU()
    func enable(_ id: InterruptID)
    func disable(_ id: InterruptID)
    /// The pending interrupt with the highest priority, acknowledged; nil if spurious.
    func acknowledge() -> InterruptID?
    func endOfInterrupt(_ id: InterruptID)
    /// Sends software-generated interrupt `id` (0-15) to one CPU, named by its index and its
    /// hardware ID (MPIDR affinity); each controller uses the one it needs.
    func sendSoftwareInterrupt(_ id: InterruptID, toCPU index: Int, hardwareID: UInt64)
}

/// A per-CPU one-shot timer over a free-running counter.
public protocol EventTimer: AnyObject {
    var frequency: UInt64 { get }
    /// The counter now (ticks since the machine started).
    var now: UInt64 { get }
    /// Fires the timer interrupt once the counter reaches `deadline`.
    func arm(deadline: UInt64)
    func disarm()
    var interrupt: InterruptID { get }
}

/// Machine power control (PSCI on Arm).
public protocol PowerControl: AnyObject {
    func systemOff() -> Never
    func systemReset() -> Never
}
