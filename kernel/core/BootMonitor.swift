import LichenCore
import _Concurrency

/// A tiny command loop on the console until user space exists: shows the kernel is alive, reads input
/// by interrupt, and can power off.
enum BootMonitor {
    static func run(timer: GenericTimer) async -> Never {
        KernelLog.write("Type 'help' for commands.\n")
        while true {
            KernelLog.write("lichen> ")
            let line = await readLine()
            if line.utf8.isEmpty { continue }
            if line.equals("help") {
                KernelLog.write("help, mem, uptime, irqs, log, panic, poweroff, reboot\n")
            } else if line.equals("mem") {
                let frames = PhysicalMemory.stats!
                let heap = Heap.stats
                KernelLog.write("frames: " + Format.decimal(UInt64(frames.freeFrames)) + " free of "
                                + Format.decimal(UInt64(frames.totalFrames)) + "; heap: "
                                + Format.decimal(UInt64(heap.liveAllocations)) + " allocations, "
                                + Format.decimal(UInt64(heap.bytesInUse)) + " bytes, "
                                + Format.decimal(UInt64(heap.pagesHeld)) + " pages\n")
            } else if line.equals("uptime") {
                KernelLog.write(Format.milliseconds(nanoseconds: Clock.uptime) + "\n")
            } else if line.equals("irqs") {
                KernelLog.write("handled " + Format.decimal(UInt64(Interrupts.handled)) + ", unhandled "
                                + Format.decimal(UInt64(Interrupts.unhandled)) + ", console bytes dropped "
                                + Format.decimal(UInt64(ConsoleInput.dropped)) + "\n")
            } else if line.equals("log") {
                KernelLog.replay(below: 8)
            } else if line.equals("panic") {
                Panic.halt("requested from the boot monitor", framePointer: currentFramePointer())
            } else if line.equals("poweroff") {
                PowerOff.now()
            } else if line.equals("reboot") {
                Panic.power?.systemReset()
                KernelLog.write("no PSCI\n")
            } else {
                KernelLog.write(line + ": unknown command\n")
            }
        }
    }

    private static func readLine() async -> String {
        var line: [UInt8] = []
        while true {
            switch await ConsoleInput.next() {
            case 10, 13:
                KernelLog.write("\n")
                return String(decoding: line, as: UTF8.self)
            case 8, 127:
                if !line.isEmpty { line.removeLast(); KernelLog.write("\u{8} \u{8}") }
            case let byte where byte >= 32 && byte < 127:
                line.append(byte)
                KernelLog.write(String(decoding: [byte], as: UTF8.self))
            default:
                continue
            }
        }
    }
}
