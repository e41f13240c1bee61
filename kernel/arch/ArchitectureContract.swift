import LichenCore

// The architecture contract: what the architecture-independent kernel uses of the CPU and the
// machine, and nothing more. Each folder kernel/arch/<arch> provides an `Architecture` named
// `CurrentArchitecture` (its Architecture.swift) whose types conform to these protocols, so the
// compiler checks that a port provides all of it; generic code then names the arch's types directly
// (`CPU`, `Clock`, `UserContext`, ...) or through the aliases at the end of this file, and calls
// them statically (no dispatch through the protocols). docs/porting.md lists the files of a port.
//
// The boot path: the arch's entry code sets up memory, the console, the interrupt controller and the
// timer on the boot CPU, fills a BootInfo (kernel/core/BootInfo.swift) and calls
// `kernelMain(_:timer:)`, which never returns.

/// One architecture: its name and the types that implement each part of the contract.
protocol Architecture {
    /// `uname -m` spelling, for logs ("aarch64").
    static var name: StaticString { get }
    /// How the CPU names the privilege level boot entered the kernel at (`BootInfo.entryLevel`): "EL2".
    static func privilegeLevelName(_ level: UInt64) -> String

    associatedtype Processor: CPUControl
    associatedtype Counter: CounterClock
    associatedtype CPUs: PerCPUIdentity
    associatedtype Multiprocessor: SecondaryCPUs
    associatedtype Timer: EventTimer
    associatedtype Power: PowerControl
    associatedtype Context: UserRegisters
    associatedtype Exit: UserExitReasons
    associatedtype Runner: UserModeEntry where Runner.Context == Context, Runner.Exit == Exit,
        Runner.Space == Space
    associatedtype Space: UserMemoryMapping
    associatedtype Layout: KernelMemoryLayout
    associatedtype Registers: DeviceRegisters
    associatedtype Unwinder: KernelBacktrace
}

// Besides these types, an architecture provides two free functions: `haltForever() -> Never` (stop
// this CPU for good, interrupts masked) and `currentFramePointer() -> UInt64` (for backtraces).

/// CPU control on the running CPU.
protocol CPUControl {
    /// Runs `body` with interrupts masked on this CPU, restoring the previous state afterwards.
    static func withInterruptsDisabled<T>(_ body: () -> T) -> T
    static func enableInterrupts()
    /// Sleeps (WFI, WFE, hlt) until `ready()` holds; the check runs with interrupts masked so that a
    /// wake-up between the check and the sleep is not lost.
    static func sleep(until ready: () -> Bool)
    /// Makes `size` bytes of instructions written through the data side at `address` executable.
    static func syncInstructionCache(address: UInt64, size: Int)
    /// Orders earlier stores before later ones, as other CPUs (and user space) see them (smp_wmb).
    static func orderStores()
    /// Waits until earlier stores are visible to every CPU (wmb: before publishing a page).
    static func completeStores()
    /// The CPU's model, read from the CPU ("Cortex-A72 r0p3"), for logs and /proc/cpuinfo.
    static var modelName: String { get }
    /// Hands LichenCore the CPU's optional accelerators it has (CRC-32), as the CPU reports them.
    static func enableChecksumInstructions()
}

/// The machine-wide counter every CPU shares (the monotonic time source).
protocol CounterClock {
    static var ticks: UInt64 { get }
    /// Ticks per second, as the hardware reports it.
    static var frequency: UInt64 { get }
    static func nanoseconds(ticks: UInt64) -> UInt64
    /// Nanoseconds since the machine started.
    static var uptime: UInt64 { get }
}

/// Which CPU is running, and waking another.
protocol PerCPUIdentity {
    static var maxCPUs: Int { get }
    /// Index of the CPU running this code, 0 ..< onlineCount.
    static var currentIndex: Int { get }
    static var onlineCount: Int { get set }
    /// Wakes CPU `index` from its idle sleep (an IPI); safe from interrupt context.
    static func wake(_ index: Int)
}

/// Starting the other CPUs (SMP) and inter-processor interrupts.
protocol SecondaryCPUs {
    /// Starts every CPU the machine description lists, through the firmware; returns how many are online.
    static func startSecondaryCPUs(_ machine: MachineDescription) -> Int
    /// What each secondary CPU runs once it is up (the executor); they idle until it is set.
    static var secondaryMain: (() -> Never)? { get set }
    /// Sends a wake IPI to every other CPU and waits for each; returns how many took it.
    static func pingAll() -> Int
}

/// A user thread's registers in the terms of Linux's syscall and signal ABI: what generic code may
/// read or change, never a register number.
protocol UserRegisters: AnyObject {
    init(entry: UserAddr, stack: UserAddr)
    /// fork/clone: a copy of the registers, TLS and FP/SIMD state.
    func copy() -> Self
    /// execve: fresh registers at `entry` with `stack`.
    func reset(entry: UserAddr, stack: UserAddr)
    var pc: UInt64 { get set }
    var sp: UInt64 { get set }
    /// The thread pointer (TLS register) user space sets with clone's CLONE_SETTLS.
    var tls: UInt64 { get set }
    /// Syscall argument `index` (0 ..< 6) as the trap left it.
    func syscallArgument(_ index: Int) -> UInt64
    func setSyscallArgument(_ index: Int, _ value: UInt64)
    /// The value a syscall returns (a negated errno on failure).
    var syscallReturnValue: UInt64 { get set }
    /// Moves the pc back onto the syscall instruction, so returning to user mode makes the call again.
    func rewindSyscall()
    /// Argument `index` of a function call the kernel makes user space enter (a signal handler).
    func setCallArgument(_ index: Int, _ value: UInt64)
    /// The frame pointer and the return address a call leaves (the frame record a signal frame saves).
    var framePointer: UInt64 { get set }
    var returnAddress: UInt64 { get set }
}

/// Why user code stopped running, without the architecture's syndrome encoding.
protocol UserExitReasons {
    static func syscall(number: UInt64) -> Self
    static func pageFault(address: UserAddr, write: Bool, instruction: Bool, permission: Bool) -> Self
    static func alignmentFault(address: UserAddr) -> Self
    static var illegalInstruction: Self { get }
    static var breakpoint: Self { get }
    static var interrupted: Self { get }
    /// Anything else, with the architecture's code for it (logged only).
    static func unexpected(code: UInt64) -> Self
}

/// Running user code until it traps.
protocol UserModeEntry {
    associatedtype Context
    associatedtype Exit
    associatedtype Space
    /// Runs `context` in user mode on this CPU with `space` active, until the next exception.
    static func run(_ context: Context, in space: Space) -> Exit
}

/// A process's page tables.
protocol UserMemoryMapping: AnyObject {
    associatedtype Attributes: UserPageAttributes
    associatedtype MappingFailure: Error
    init?()
    /// Makes this the address space of the current CPU.
    func activate()
    /// Switches this CPU back to the kernel's own tables.
    static func deactivateCurrent()
    func map(_ address: UserAddr, frame: PhysAddr, size: UInt64, attributes: Attributes) throws(MappingFailure)
    func protect(_ address: UserAddr, size: UInt64, attributes: Attributes) throws(MappingFailure)
    func unmap(_ address: UserAddr, size: UInt64) throws(MappingFailure)
    func translate(_ address: UserAddr) -> PhysAddr?
    func flushTLB()
}

/// What a user page may be used for (ProcessMemory's W^X policy maps MemoryProtection to these).
enum UserPageKind {
    /// Read and execute.
    case code
    /// Read and write, never execute.
    case data
    case readOnly
    /// Mapped but inaccessible (PROT_NONE).
    case noAccess
}

/// The page table attributes of a user page of each kind.
protocol UserPageAttributes {
    init(_ kind: UserPageKind)
}

/// Where things are in the kernel's address space, and the images linked into it.
protocol KernelMemoryLayout {
    /// All RAM is mapped at `directMapBase` + its physical address.
    static var directMapBase: UInt64 { get }
    static func directMap(_ p: PhysAddr) -> VirtAddr
    /// The region kernel stacks (and VirtualBuffer's window, far above them) are carved from.
    static var stackRegionBase: UInt64 { get }
    /// The static arena the kernel heap uses until the frame allocator exists.
    static var bootstrapHeap: UnsafeMutableRawBufferPointer { get }
    /// The vDSO shared object embedded in the image, and its signal-return trampoline's offset in it.
    static var vdsoImage: UnsafeRawBufferPointer { get }
    static var vdsoSigreturnOffset: UInt64 { get }
}

/// Walking the kernel's frame records, for panic reports and the boot monitor.
protocol KernelBacktrace {
    static var maxDepth: Int { get }
    /// Return addresses, innermost first, from frame pointer `fp`; stops at anything implausible.
    static func walk(from fp: UInt64, _ visit: (UInt64) -> Void)
    static func isKernelStack(_ address: UInt64) -> Bool
    /// "function+0x1c" for a kernel text address.
    static func symbolize(_ address: UInt64) -> String?
}

/// A mapped window of device registers (drivers' only way to them).
protocol DeviceRegisters {
    func read32(_ offset: Int) -> UInt32
    func write32(_ offset: Int, _ value: UInt32)
    func read64(_ offset: Int) -> UInt64
    func write64(_ offset: Int, _ value: UInt64)
    func offset(by bytes: UInt64) -> Self
}

/// The timer the kernel schedules with (one comparator per CPU on the shared counter).
typealias SystemTimer = CurrentArchitecture.Timer
/// The page permissions of user mappings.
typealias UserMemoryAttributes = CurrentArchitecture.Space.Attributes
