import LichenCore
import AArch64Intrinsics
import Synchronization

/// What a secondary CPU reads with its MMU off (boot.S `secondary_high`): keep the layout in sync.
struct SecondaryBootArgs {
    var translationTable: UInt64
    var stackTop: UInt64
    var cpuIndex: UInt64
}

/// Secondary-CPU bring-up (PSCI CPU_ON) and inter-processor interrupts.
enum SMP {
    /// The SGI that only wakes a CPU from WFI.
    static let wakeInterrupt = InterruptID(0)

    /// Hardware IDs (MPIDR affinity) by CPU index; index 0 is the boot CPU.
    nonisolated(unsafe) static var hardwareIDs: [UInt64] = []
    static let online = Atomic<Int>(1)
    /// Wake IPIs each CPU has taken (fixed storage: written from interrupt handlers on every CPU).
    nonisolated(unsafe) static var wakeIPIs = UnsafeMutablePointer<Int>.allocate(capacity: PerCPU.maxCPUs)

    /// Hook run by each secondary CPU once it is up (the executor); idles in WFI until set.
    nonisolated(unsafe) static var secondaryMain: (() -> Never)? = nil

    static func sendWakeIPI(to index: Int) {
        guard index < hardwareIDs.count, let controller = Interrupts.controller else { return }
        controller.sendSoftwareInterrupt(wakeInterrupt, toCPU: index, hardwareID: hardwareIDs[index])
    }

    /// Starts every CPU the device tree lists through PSCI (1 without it: only the boot CPU runs).
    static func startSecondaryCPUs(_ machine: MachineDescription) -> Int {
        psciFirmware.map { startSecondaryCPUs(machine, psci: $0) } ?? 1
    }

    /// Starts every CPU the device tree lists, one at a time; returns how many are online.
    static func startSecondaryCPUs(_ machine: MachineDescription, psci: PSCI) -> Int {
        let bootID = read_mpidr() & 0xff_00ff_ffff
        hardwareIDs = [bootID] + machine.cpuIDs.filter { $0 != bootID }.prefix(PerCPU.maxCPUs - 1)
        wakeIPIs.initialize(repeating: 0, count: PerCPU.maxCPUs)
        Interrupts.register(wakeInterrupt) {
            wakeIPIs[PerCPU.currentIndex] += 1
            TimerQueue.rearmIfRequested()       // the wall clock was set (TimerQueue.clockWasSet)
        }
        guard hardwareIDs.count > 1, let argsFrame = PhysicalMemory.allocate() else { return 1 }
        defer { PhysicalMemory.free(argsFrame) }
        let args = KernelLayout.directMap(argsFrame).pointer.assumingMemoryBound(to: SecondaryBootArgs.self)
        let entry = KernelLayout.imagePhysical(VirtAddr(address_of_secondary_entry()))
        for index in 1..<hardwareIDs.count {
            guard let stack = KernelStacks.allocate() else { break }
            args.pointee = SecondaryBootArgs(translationTable: read_ttbr0(), stackTop: stack.value, cpuIndex: UInt64(index))
            clean_dcache_range(UInt64(UInt(bitPattern: args)), UInt64(MemoryLayout<SecondaryBootArgs>.size))
            let before = online.load(ordering: .acquiring)
            let status = psci.call(PSCI.cpuOnFunction, hardwareIDs[index], entry.value, argsFrame.value)
            guard status == 0 else {
                KernelLog.warning("smp: PSCI CPU_ON for CPU " + Format.decimal(UInt64(index)) + " failed ("
                                  + Format.hex(status, width: 0) + ")")
                break
            }
            // The arguments frame is reused, so wait until this CPU has read it and come up.
            let deadline = Clock.ticks + Clock.frequency      // 1 s
            while online.load(ordering: .acquiring) == before && Clock.ticks < deadline {}
            guard online.load(ordering: .acquiring) > before else {
                KernelLog.warning("smp: CPU " + Format.decimal(UInt64(index)) + " did not come up")
                break
            }
        }
        let count = online.load(ordering: .acquiring)
        PerCPU.onlineCount = count
        return count
    }

    /// Sends a wake IPI to every other CPU and waits for each to take it; returns how many did.
    static func pingAll() -> Int {
        var delivered = 0
        for index in 1..<PerCPU.onlineCount {
            let before = wakeIPIs[index]
            sendWakeIPI(to: index)
            let deadline = Clock.ticks + Clock.frequency / 10
            while wakeIPIs[index] == before && Clock.ticks < deadline {}
            if wakeIPIs[index] != before { delivered += 1 }
        }
        return delivered
    }
}

/// A secondary CPU, on its own kernel stack with the kernel's tables and vectors (boot.S).
@_cdecl("lichen_secondary_main")
func lichenSecondaryMain(_ index: UInt64) -> Never {
    Interrupts.controller?.initializeCPU()
    Interrupts.controller?.enable(SMP.wakeInterrupt)
    _ = SMP.online.add(1, ordering: .releasing)
    if let main = SMP.secondaryMain { main() }
    CPU.enableInterrupts()
    while true { CPU.sleep(until: { SMP.secondaryMain != nil }); if let main = SMP.secondaryMain { main() } }
}
