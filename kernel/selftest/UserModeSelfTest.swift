import LichenCore

/// `lichen.test=usermode`: runs the built-in EL0 programs and checks how they come back: a syscall
/// round trip with EFAULT for bad pointers, user FP/SIMD, a fault on reading kernel memory, and
/// preemption of a spinning program by the timer.
enum UserModeSelfTest {
    static let codeAddress = UserAddr(0x40_0000)
    static let stackTop = UserAddr(0x7fff_f000)

    static func run(timer: GenericTimer) -> Bool {
        var ok = true
        ok = check("hello", runHello()) && ok
        ok = check("peek at kernel memory faults", runPeek()) && ok
        ok = check("spinning program preempted by the timer", runSpin(timer: timer)) && ok
        return ok
    }

    private static func check(_ name: StaticString, _ passed: Bool) -> Bool {
        KernelLog.info("selftest usermode: " + string(name) + (passed ? ": ok" : ": FAILED"))
        return passed
    }

    /// A fresh address space with `program` at codeAddress and one stack page.
    private static func load(_ program: BuiltinUserProgram) -> (UserAddressSpace, UserContext, [PhysAddr])? {
        guard let space = UserAddressSpace(),
              let code = space.mapPage(at: codeAddress, contents: program.bytes, attributes: UserMemoryAttributes(.code)),
              let stack = space.mapPage(at: stackTop - UInt64(pageSize), contents: UnsafeRawBufferPointer(start: nil, count: 0),
                                        attributes: UserMemoryAttributes(.data)) else { return nil }
        return (space, UserContext(entry: codeAddress, stack: stackTop), [code, stack])
    }

    /// Frees the pages; the space itself goes once this CPU stops holding it.
    private static func release(_ frames: [PhysAddr]) {
        UserAddressSpace.deactivateCurrent()
        for f in frames { PhysicalMemory.free(f) }
    }

    private static func runHello() -> Bool {
        guard let (space, context, frames) = load(.hello) else { return false }
        defer { release(frames) }
        var output: [UInt8] = []
        while true {
            switch UserMode.run(context, in: space) {
            case .syscall(number: 64):                                  // write(fd, buf, count)
                let count = Int(min(context[register: 2], 4096))
                let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 8)
                defer { buffer.deallocate() }
                let result: Int64
                do throws(UserAccess.Failure) {
                    try UserAccess.copyIn(buffer, from: UserAddr(context[register: 1]), in: space)
                    output += buffer
                    result = Int64(count)
                } catch {
                    result = -14                                        // EFAULT
                }
                context[register: 0] = UInt64(bitPattern: result)
            case .syscall(number: 93):                                  // exit(status)
                KernelLog.info("selftest usermode: EL0 wrote \"" + String(decoding: output.filter { $0 != 10 }, as: UTF8.self)
                               + "\" and exited with " + Format.decimal(context[register: 0]))
                return context[register: 0] == 0 && output.elementsEqual("hello from EL0\n".utf8)
            case .interrupted:
                continue
            default:
                return false
            }
        }
    }

    private static func runPeek() -> Bool {
        guard let (space, context, frames) = load(.peek) else { return false }
        defer { release(frames) }
        while true {
            switch UserMode.run(context, in: space) {
            case .interrupted: continue
            case .pageFault(let address, let write, let instruction, let permission):
                return address.value == 0x0000_ff80_0000_0000 && !write && !instruction && permission
            default: return false
            }
        }
    }

    private static func runSpin(timer: GenericTimer) -> Bool {
        guard let (space, context, frames) = load(.spin) else { return false }
        defer { release(frames) }
        timer.arm(deadline: timer.now + timer.frequency / 100)
        for _ in 0..<1000 {
            if case .interrupted = UserMode.run(context, in: space) {
                return context[register: 0] > 0                          // it did run
            }
        }
        return false
    }
}
