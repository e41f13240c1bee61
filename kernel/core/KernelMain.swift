import LichenCore
import _Concurrency

let kernelVersion = "0.1.0"

/// The architecture-independent kernel, entered once the boot CPU has memory, a console, an
/// interrupt controller and a timer.
func kernelMain(_ info: BootInfo, timer: SystemTimer) -> Never {
    let machine = info.machine
    ConsoleInput.prepare()
    TimerQueue.start(timer)
    Interrupts.register(timer.interrupt) { TimerQueue.interrupt() }
    if let console = KernelLog.console, let irq = console.interrupt {
        Interrupts.register(irq) { ConsoleInput.interrupt(console) }
        console.enableReceiveInterrupt()
    }
    CPU.enableInterrupts()
    CPU.enableChecksumInstructions()
    let cpusOnline = SMP.startSecondaryCPUs(machine)

    let frames = PhysicalMemory.stats!
    let ram = MemoryMap(machine.memory)
    KernelLog.notice("Lichen " + kernelVersion + " (Embedded Swift) " + string(CurrentArchitecture.name))
    KernelLog.info("Machine: " + (machine.model.isEmpty ? "unknown" : machine.model) + ", entered at "
                   + CurrentArchitecture.privilegeLevelName(info.entryLevel))
    KernelLog.info("CPU: " + CPU.modelName + ", " + Format.decimal(UInt64(cpusOnline)) + " of "
                   + Format.decimal(UInt64(machine.cpuCount)) + " CPU(s) online")
    for range in ram.ranges {
        KernelLog.info("Memory: " + Format.bytes(range.size) + " at " + Format.hex(range.start.value, width: 8)
                       + "-" + Format.hex(range.end.value - 1, width: 8))
    }
    KernelLog.info("Memory: " + Format.bytes(ram.totalSize) + " total, "
                   + Format.decimal(UInt64(frames.freeFrames) * UInt64(pageSize) >> 10) + " KiB free, kernel image "
                   + Format.decimal(info.imageSize >> 10) + " KiB")
    KernelLog.info("Interrupts: " + string(Interrupts.controller!.name) + ", timer " + Format.decimal(timer.frequency)
                   + " Hz (INTID " + Format.decimal(UInt64(timer.interrupt.value)) + ")")
    if let initrd = machine.initrd { KernelLog.info("initramfs: " + Format.bytes(initrd.size) + " at " + Format.hex(initrd.start.value, width: 8)) }
    KernelLog.info("Command line: " + machine.bootArguments)
    let now = Clock.uptime
    KernelLog.notice("Boot took " + Format.milliseconds(nanoseconds: now) + " since power-on ("
                     + Format.milliseconds(nanoseconds: now - Clock.nanoseconds(ticks: info.entryTicks)) + " in the kernel)")

    SyscallTable.install()
    if !Vdso.start() { KernelLog.warning("vdso: no memory for it; programs make syscalls for the time") }
    if !ZeroPage.start() { KernelLog.warning("zero page: no memory for it; read faults allocate") }
    DriverRegistry.bind(.devices)
    RealtimeClock.start(rtc: PL031.bound)

    // From here on the kernel is async: the rest of boot is the first task, and every CPU becomes an
    // executor (it never returns).
    SMP.secondaryMain = { TimerQueue.startOnThisCPU(); Executor.run() }
    for index in 1..<max(PerCPU.onlineCount, 1) { PerCPU.wake(index) }     // they wait in WFI for the hook
    Task {
        if let test = info.commandLine.value(of: "lichen.test") { await SelfTest.run(test, timer: timer) }
        if machine.initrd != nil || info.commandLine.value(of: "root") != nil {
            await startUserSpace(info, initramfs: machine.initrd, timer: timer)
        } else {
            KernelLog.info("no initramfs: starting the boot monitor")
            await BootMonitor.run(timer: timer)
        }
    }
    Executor.run()
}

/// Unpacks the initramfs into the root tmpfs and starts init (`init=`, default /init) as PID 1 when
/// the initramfs has it; otherwise, with root=, mounts the disk root and starts its init (init=,
/// else Linux's /sbin/init, /etc/init, /bin/init, /bin/sh).
func startUserSpace(_ info: BootInfo, initramfs: PhysRange?, timer: SystemTimer) async {
    let image = initramfs.map { UnsafeRawBufferPointer(start: KernelLayout.directMap($0.start).pointer, count: Int($0.size)) }
    let line = info.commandLine
    do throws(Errno) {
        let vfs = try await RootFilesystem.mount(initramfs: image)
        let path = Array(line.initPath.utf8)
        let arguments = line.initArguments.map { Array($0.utf8) }
        let found = (try? await vfs.resolve(path, context: vfs.context())) != nil
        let inInitramfs = image != nil && found
        guard !inInitramfs, line.value(of: "root") != nil else {
            try await ProcessLifecycle.startInit(vfs: vfs, path: path, arguments: [path] + arguments)
            return
        }
        guard let request = line.rootRequest else {
            DiskRoot.invalid(Array((line.value(of: "root") ?? "").utf8),
                             wait: line.parameters.contains { $0.value == nil && $0.key.utf8.elementsEqual("rootwait".utf8) })
        }
        let root = await DiskRoot.mount(request, vfs: vfs)
        if let requested = line.diskInitPath {
            let p = Array(requested.utf8)
            do throws(Errno) {
                try await ProcessLifecycle.startInit(vfs: vfs, path: p, arguments: [p] + arguments, root: root)
            } catch {
                DiskRoot.halt("Requested init " + requested + " failed (error -" + Format.decimal(UInt64(error.rawValue)) + ").")
            }
            return
        }
        for candidate in KernelCommandLine.defaultInitPaths {
            let p = Array(candidate.utf8)
            do throws(Errno) {
                try await ProcessLifecycle.startInit(vfs: vfs, path: p, arguments: [p] + arguments, root: root)
                return
            } catch where error != .ENOENT {
                KernelLog.error("Starting init: " + candidate + " exists but couldn't execute it (error -"
                                + Format.decimal(UInt64(error.rawValue)) + ")")
            } catch {}
        }
        DiskRoot.halt("No working init found.  Try passing init= option to kernel. See Linux Documentation/admin-guide/init.rst for guidance.")
    } catch {
        KernelLog.error("cannot start init " + line.initPath + " (errno " + Format.decimal(UInt64(error.rawValue))
                        + "): starting the boot monitor")
        await BootMonitor.run(timer: timer)
    }
}
