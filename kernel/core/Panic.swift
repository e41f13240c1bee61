import LichenCore

/// Stops the kernel: reports what happened (registers, decoded cause, symbolized backtrace) and powers
/// the machine off, so that a test or a user never waits on a dead kernel.
enum Panic {
    nonisolated(unsafe) static var power: (any PowerControl)? = nil
    nonisolated(unsafe) private static var panicking = false

    static func halt(_ message: String, frame: TrapFrame? = nil, framePointer: UInt64 = 0) -> Never {
        if panicking {
            KernelLog.write("\nKernel panic while panicking: " + message + "\n")
            powerOff()
        }
        panicking = true
        KernelLog.write("\nKernel panic: " + message + "\n")
        if let frame {
            report(frame)
            KernelLog.write("Backtrace:\n")
            printFrame(0, frame.elr)
            var n = 1
            Backtrace.walk(from: frame.framePointer) { printFrame(n, $0); n += 1 }
        } else {
            KernelLog.write("Backtrace:\n")
            var n = 0
            Backtrace.walk(from: framePointer) { printFrame(n, $0); n += 1 }
        }
        KernelLog.write("Powering off.\n")
        powerOff()
    }

    private static func report(_ frame: TrapFrame) {
        KernelLog.write("  cause: " + ExceptionReport.describe(esr: frame.esr, far: frame.far) + "\n")
        KernelLog.write("  ESR " + Format.hex(frame.esr, width: 8) + "  FAR " + Format.hex(frame.far)
                        + "  SPSR " + Format.hex(frame.spsr, width: 8) + "  from EL" + Format.decimal(frame.fromLevel) + "\n")
        KernelLog.write("  pc  " + Format.hex(frame.elr) + "  " + (Backtrace.symbolize(frame.elr) ?? "?") + "\n")
        KernelLog.write("  lr  " + Format.hex(frame.linkRegister) + "  " + (Backtrace.symbolize(frame.linkRegister) ?? "?") + "\n")
        KernelLog.write("  sp  " + Format.hex(frame.sp) + "\n")
        for row in 0..<8 {
            var line = " "
            for column in 0..<4 {
                let n = row * 4 + column
                guard n < 31 else { break }
                line += " x" + Format.decimal(UInt64(n), width: 2, pad: UInt8(ascii: "0")) + " " + Format.hex(frame.register(n))
            }
            KernelLog.write(line + "\n")
        }
    }

    private static func printFrame(_ n: Int, _ address: UInt64) {
        KernelLog.write("  #" + Format.decimal(UInt64(n), width: 2, pad: UInt8(ascii: "0")) + " " + Format.hex(address)
                        + "  " + (Backtrace.symbolize(address) ?? "?") + "\n")
    }

    private static func powerOff() -> Never {
        if let power { power.systemOff() }
        haltForever()
    }
}

/// Panics from C (stack protector, abort).
@_cdecl("lichen_c_panic")
func lichenCPanic(_ message: UnsafePointer<CChar>) -> Never {
    var bytes: [UInt8] = []
    var p = message
    while p.pointee != 0 { bytes.append(UInt8(bitPattern: p.pointee)); p += 1 }
    Panic.halt(String(decoding: bytes, as: UTF8.self), framePointer: currentFramePointer())
}
