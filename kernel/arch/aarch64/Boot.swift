import LichenCore
import LichenAArch64
import AArch64Intrinsics

nonisolated(unsafe) var bootInfo: BootInfo? = nil
/// The firmware interface, when the device tree names one.
nonisolated(unsafe) var psciFirmware: PSCI? = nil

/// Called by boot.S on the boot stack, MMU on with the boot tables: x0 = DTB, x1 = EL we were entered
/// at, x2 = physical load address. Sets up memory and the console, then moves to a guarded stack.
@_cdecl("lichen_boot")
func lichenBoot(_ dtb: UInt64, _ entryLevel: UInt64, _ physicalBase: UInt64) -> Never {
    let entryTicks = Clock.ticks
    installSpinLockHooks()
    KernelLayout.imagePhysicalBase = PhysAddr(physicalBase)
    KernelLog.clock = { Clock.uptime }
    KernelLog.attachRing(VirtAddr(address_of_lichen_log_ring()).pointer.assumingMemoryBound(to: UInt8.self))
    KernelLog.debug("boot: entered the kernel")

    // The device tree, through the boot identity map (VA == PA until the final tables are on).
    guard let dtbPointer = UnsafeRawPointer(bitPattern: UInt(dtb)), dtb & 7 == 0 else { earlyFailure("no device tree in x0") }
    let machine: MachineDescription
    let dtbSize: Int
    let tree: DeviceTree
    do {
        dtbSize = try DeviceTree.totalSize(ofBlobAt: UnsafeRawBufferPointer(start: dtbPointer, count: 40))
        tree = try DeviceTree(UnsafeRawBufferPointer(start: dtbPointer, count: dtbSize))
        KernelLog.debug("boot: device tree validated")
        machine = try MachineDescription(tree)
    } catch {
        earlyFailure("the device tree is malformed")
    }
    KernelLog.debug("boot: device tree parsed (" + Format.decimal(UInt64(dtbSize)) + " bytes)")
    if let conduit = machine.psci {
        psciFirmware = PSCI(conduit: conduit)
        Panic.power = psciFirmware
    }
    let commandLine = KernelCommandLine(machine.bootArguments)
    if let level = commandLine.logLevel { KernelLog.consoleLevel = level }

    // Free RAM: everything the device tree lists minus what is in use.
    let dtbRange = PhysRange(start: PhysAddr(dtb).pageAlignedDown, end: (PhysAddr(dtb) + UInt64(dtbSize)).pageAlignedUp)
    var usable = MemoryMap(machine.memory)
    usable.remove(PhysRange(start: KernelLayout.imagePhysicalBase, size: KernelLayout.imageSize))
    usable.remove(dtbRange)
    if let initrd = machine.initrd { usable.remove(PhysRange(start: initrd.start.pageAlignedDown, end: initrd.end.pageAlignedUp)) }
    for r in machine.reserved { usable.remove(r) }

    do { try KernelAddressSpace.build(ram: machine.memory) } catch { earlyFailure("cannot build the kernel page tables") }
    KernelAddressSpace.activate()
    KernelLog.debug("boot: kernel page tables active")

    // Drivers: one walk over the device tree, now read through the direct map (its pages stay
    // reserved), then the console, so everything from here on is seen.
    DriverRegistry.discover(tree.moved(to: KernelLayout.directMap(PhysAddr(dtb)).pointer))
    DriverRegistry.bind(.console)
    guard let span = MemoryMap(machine.memory).span, PhysicalMemory.initialize(usable: usable, span: span) else {
        Panic.halt("no usable memory for the frame allocator")
    }
    KernelLog.debug("boot: frame allocator ready")
    bootInfo = BootInfo(machine: machine, commandLine: commandLine, entryLevel: entryLevel, entryTicks: entryTicks,
                        deviceTree: dtbRange, imageSize: KernelLayout.imageSize, usableRAM: usable.totalSize)
    guard let stack = KernelStacks.allocate() else { Panic.halt("cannot allocate the boot CPU's kernel stack") }
    lichen_switch_stack(stack.value, 0, lichenBootOnKernelStack)
}

/// Continues boot on the guarded kernel stack: interrupts and timer, then the kernel proper.
@_cdecl("lichen_boot_on_kernel_stack")
func lichenBootOnKernelStack(_ unused: UInt64) {
    guard let info = bootInfo else { haltForever() }
    DriverRegistry.bind(.interruptController)
    guard let controller = Interrupts.controller else { Panic.halt("no supported interrupt controller was bound") }
    controller.initializeCPU()
    DriverRegistry.bind(.timer)
    guard let timer = ArchitectedTimer.bound else { Panic.halt("the device tree describes no virtual timer interrupt") }
    kernelMain(info, timer: timer)
}

/// LichenCore's SpinLock masks IRQs on this CPU while held, and knows which CPU holds it.
private func installSpinLockHooks() {
    InterruptMasking.disable = {
        let saved = read_daif()
        irq_disable()
        return saved
    }
    InterruptMasking.restore = { saved in if saved & (1 << 7) == 0 { irq_enable() } }
    SpinLockDebug.currentCPU = { UInt32(truncatingIfNeeded: read_tpidr_el1()) }
    SpinWait.relax = { cpu_relax() }
}

/// Before the console exists: power off if we can (so tests end), else stop.
func earlyFailure(_ reason: StaticString) -> Never {
    KernelLog.log(.emergency, "early boot failure: " + string(reason))
    Panic.power?.systemOff()
    haltForever()
}
