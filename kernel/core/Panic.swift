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
            printBacktrace(from: frame.framePointer, firstNumber: 1)
        } else {
            KernelLog.write("Backtrace:\n")
            printBacktrace(from: framePointer, firstNumber: 0)
        }
        AsyncBacktrace.print(x22: frame?.register(22), framePointer: frame?.framePointer ?? framePointer)
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

    /// Prints the frames, folding runs of the same return address (deep recursion) into one line.
    private static func printBacktrace(from fp: UInt64, firstNumber: Int) {
        var n = firstNumber, previous: UInt64 = 0, repeats = 0
        Backtrace.walk(from: fp) { address in
            if address == previous { repeats += 1; return }
            if repeats > 0 { KernelLog.write("      ... the same frame " + Format.decimal(UInt64(repeats)) + " more times\n") }
            repeats = 0
            previous = address
            printFrame(n, address, isReturnAddress: true)
            n += 1
        }
        if repeats > 0 { KernelLog.write("      ... the same frame " + Format.decimal(UInt64(repeats)) + " more times\n") }
    }

    /// A return address is symbolized as the call before it (after a call to a function that never
    /// returns, the address may already belong to the next function).
    private static func printFrame(_ n: Int, _ address: UInt64, isReturnAddress: Bool = false) {
        let name = isReturnAddress ? Backtrace.symbolize(address - 4).map { $0 + " (call)" } : Backtrace.symbolize(address)
        KernelLog.write("  #" + Format.decimal(UInt64(n), width: 2, pad: UInt8(ascii: "0")) + " " + Format.hex(address)
                        + "  " + (name ?? "?") + "\n")
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
