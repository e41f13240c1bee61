import LichenCore
import _Concurrency

/// Kernel self-tests chosen with `lichen.test=<name>` on the command line; used by the qemu boot tests.
/// Each prints its result and powers the machine off. They run in the first task, so they may await.
enum SelfTest {
    static func run(_ name: String, timer: GenericTimer) async -> Never {
        KernelLog.info("selftest " + name + ": start")
        switch SelfTestName(name) {
        case .panic:
            deliberateFault()
            fail(name, "the fault did not fault")
        case .stackOverflow:
            _ = recurseForever(0, nil)
            fail(name, "the recursion returned")
        case .trap:
            deliberateTrap([1, 2, 3])
            fail(name, "no trap")
        case .timer:
            let start = Clock.uptime
            let before = TimerQueue.interrupts
            for _ in 0..<10 { await sleep(for: 10_000_000) }     // 10 x 10 ms, each woken by the timer
            KernelLog.info("selftest timer: " + Format.decimal(UInt64(TimerQueue.interrupts - before)) + " interrupts in "
                           + Format.milliseconds(nanoseconds: Clock.uptime - start))
            pass(name)
        case .uart:
            KernelLog.info("selftest uart: waiting for a line")
            var line: [UInt8] = []
            while true {
                let byte = await ConsoleInput.next()
                if byte == 10 || byte == 13 { break }
                line.append(byte)
            }
            KernelLog.info("selftest uart: received \"" + String(decoding: line, as: UTF8.self) + "\" by interrupt")
            pass(name)
        case .heap:
            heapRoundTrip()
            pass(name)
        case .async:
            await AsyncSelfTest.run()
            pass(name)
        case .syncStress:
            if !(await SyncStressTest.run()) { fail(name, "see above") }
            pass(name)
        case .asyncPanic:
            await AsyncSelfTest.panicInNestedAsyncCall()
            fail(name, "no panic")
        case .asyncBench:
            await AsyncBenchmark.run()
            pass(name)
        case .usermode:
            if !UserModeSelfTest.run(timer: timer) { fail(name, "see above") }
            pass(name)
        case .smp:
            let others = PerCPU.onlineCount - 1
            let delivered = SMP.pingAll()
            KernelLog.info("selftest smp: " + Format.decimal(UInt64(PerCPU.onlineCount)) + " CPUs online, wake IPIs taken by "
                           + Format.decimal(UInt64(delivered)) + " of " + Format.decimal(UInt64(others)))
            if delivered != others { fail(name, "IPIs lost") }
            pass(name)
        case nil:
            KernelLog.error("selftest " + name + ": unknown test")
            PowerOff.now()
        }
    }

    static func pass(_ name: String) -> Never {
        KernelLog.info("selftest " + name + ": PASS")
        PowerOff.now()
    }

    static func fail(_ name: String, _ why: String) -> Never {
        KernelLog.error("selftest " + name + ": FAIL: " + why)
        PowerOff.now()
    }

    @inline(never)
    static func deliberateFault() {
        let pointer = UnsafeMutablePointer<UInt64>(bitPattern: 0x10)!
        pointer.pointee = 0xdead
    }

    @inline(never)
    static func deliberateTrap(_ values: [Int]) {
        var index = values.count
        withUnsafeMutablePointer(to: &index) { opaque($0) }
        _ = values[index]                                // out of range: Swift traps
    }

    @inline(never)
    static func recurseForever(_ depth: UInt64, _ previous: UnsafeMutablePointer<UInt64>?) -> UInt64 {
        var local = depth &+ (previous?.pointee ?? 0)
        let below = withUnsafeMutablePointer(to: &local) { recurseForever(depth + 1, $0) }
        return below &+ local
    }

    @inline(never)
    static func opaque(_ p: UnsafeMutablePointer<Int>) {}

    /// Allocates and frees a few thousand objects and checks the heap returns to where it was.
    static func heapRoundTrip() {
        let before = Heap.stats
        var arrays: [[UInt64]] = []
        for i in 0..<2000 { arrays.append([UInt64](repeating: UInt64(i), count: i % 300 + 1)) }
        for (i, a) in arrays.enumerated() where a.last != UInt64(i) { Panic.halt("selftest heap: data corrupted") }
        let during = Heap.stats
        arrays = []
        let after = Heap.stats
        KernelLog.info("selftest heap: live allocations " + Format.decimal(UInt64(before.liveAllocations)) + " -> "
                       + Format.decimal(UInt64(during.liveAllocations)) + " -> " + Format.decimal(UInt64(after.liveAllocations))
                       + ", bytes in use " + Format.decimal(UInt64(after.bytesInUse)))
        if after.liveAllocations != before.liveAllocations { Panic.halt("selftest heap: leak") }
    }
}

enum SelfTestName {
    case panic, stackOverflow, trap, timer, uart, heap, smp, usermode, async, asyncPanic, asyncBench, syncStress

    init?(_ name: String) {
        for candidate in [(SelfTestName.panic, "panic" as StaticString), (.stackOverflow, "stack-overflow"),
                          (.trap, "trap"), (.timer, "timer"), (.uart, "uart"), (.heap, "heap"), (.smp, "smp"), (.usermode, "usermode"),
                          (.async, "async"), (.asyncPanic, "async-panic"), (.asyncBench, "async-bench"), (.syncStress, "sync-stress")] where name.equals(candidate.1) {
            self = candidate.0
            return
        }
        return nil
    }
}
