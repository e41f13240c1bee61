import LichenCore
import LichenAsyncRuntime
import Synchronization
import _Concurrency

/// `lichen.test=async-bench` (make bench): what async costs, as ratios to a plain synchronous call
/// measured in the same run (qemu TCG timing is only meaningful relative to itself). Best of 3 runs.
enum AsyncBenchmark {
    static let calls = 200_000
    static let switches = 20_000
    static let spawns = 5_000
    static let wakeups = 200
    static let counter = Atomic<Int>(0)
    static let flag = Atomic<Int>(0)
    nonisolated(unsafe) static var sink = 0
    nonisolated(unsafe) static var parked: UnsafeContinuation<Void, Never>? = nil

    @inline(never) static func plainAdd(_ x: Int) -> Int { x &+ 1 }
    @inline(never) static func asyncAdd(_ x: Int) async -> Int { x &+ 1 }

    static func run() async {
        KernelLog.info("bench: " + Format.decimal(UInt64(PerCPU.onlineCount)) + " CPU(s), counter at "
                       + Format.decimal(Clock.frequency) + " Hz")
        var sync = UInt64.max, call = UInt64.max, yield = UInt64.max, spawn = UInt64.max
        var heap = UInt64.max
        var irqToTask = UInt64.max, deadlineToTask = UInt64.max, crossCPU = UInt64.max
        for _ in 0..<3 {
            sync = min(sync, measureSync())
            call = min(call, await measureAsyncCall())
            yield = min(yield, await measureYield())
            spawn = min(spawn, await measureSpawn())
            heap = min(heap, measureHeap())
            let (fromIRQ, fromDeadline) = await measureTimerWakeup()
            irqToTask = min(irqToTask, fromIRQ)
            deadlineToTask = min(deadlineToTask, fromDeadline)
            if PerCPU.onlineCount > 1 { crossCPU = min(crossCPU, await measureCrossCPUWakeup()) }
        }
        // Per-operation costs in picoseconds of counter time, so that ratios keep their precision.
        report("sync call+return", sync, per: calls, base: sync, baseCount: calls)
        report("async call+return", call, per: calls, base: sync, baseCount: calls)
        report("task yield/switch", yield, per: 2 * switches, base: sync, baseCount: calls)
        report("spawn+run+destroy", spawn, per: spawns, base: sync, baseCount: calls)
        report("(heap alloc+free, 64 B)", heap, per: spawns, base: sync, baseCount: calls)
        report("wake-up timer IRQ -> task", irqToTask, per: wakeups, base: sync, baseCount: calls)
        report("wake-up deadline -> task", deadlineToTask, per: wakeups, base: sync, baseCount: calls)
        if crossCPU != UInt64.max { report("cross-CPU wake-up", crossCPU, per: wakeups, base: sync, baseCount: calls) }
        else { KernelLog.info("bench: cross-CPU wake-up: n/a (1 CPU)") }
    }

    static func report(_ name: StaticString, _ ticks: UInt64, per count: Int, base: UInt64, baseCount: Int) {
        let ns = Clock.nanoseconds(ticks: ticks) / UInt64(count)
        // ratio = (ticks / count) / (base / baseCount), in tenths
        let tenths = ticks * 10 * UInt64(baseCount) / max(base * UInt64(count), 1)
        KernelLog.info("bench: " + string(name) + ": " + Format.decimal(ns) + " ns/op, "
                       + Format.decimal(tenths / 10) + "." + Format.decimal(tenths % 10) + "x sync call")
    }

    static func measureSync() -> UInt64 {
        var acc = sink
        let start = Clock.ticks
        for _ in 0..<calls { acc = plainAdd(acc) }
        let ticks = Clock.ticks - start
        sink = acc
        return ticks
    }

    static func measureAsyncCall() async -> UInt64 {
        var acc = sink
        let start = Clock.ticks
        for _ in 0..<calls { acc = await asyncAdd(acc) }
        let ticks = Clock.ticks - start
        sink = acc
        return ticks
    }

    /// Two tasks yielding to each other: each yield is a suspension, a queue trip and a resumption.
    static func measureYield() async -> UInt64 {
        let start = Clock.ticks
        let a = Task { for _ in 0..<switches { await Task.yield() } }
        let b = Task { for _ in 0..<switches { await Task.yield() } }
        await a.value
        await b.value
        return Clock.ticks - start
    }

    /// For scale: a spawn is two heap allocations and two frees (task object, closure context).
    static func measureHeap() -> UInt64 {
        let start = Clock.ticks
        for _ in 0..<spawns {
            let p = UnsafeMutableRawPointer.allocate(byteCount: 64, alignment: 16)
            p.storeBytes(of: 1, as: UInt8.self)
            p.deallocate()
        }
        return Clock.ticks - start
    }

    static func measureSpawn() async -> UInt64 {
        counter.store(0, ordering: .relaxed)
        let start = Clock.ticks
        for _ in 0..<spawns { Task { _ = AsyncBenchmark.counter.add(1, ordering: .relaxed) } }
        while counter.load(ordering: .relaxed) < spawns { await Task.yield() }   // one yield on 1 CPU (FIFO)
        return Clock.ticks - start
    }

    /// Sleeps to a deadline; the timer handler stamps when it resumed us. Returns (stamp -> running,
    /// deadline -> running), summed over the iterations.
    static func measureTimerWakeup() async -> (UInt64, UInt64) {
        var fromIRQ: UInt64 = 0, fromDeadline: UInt64 = 0
        let period = Clock.frequency / 5000                      // 200 us
        for _ in 0..<wakeups {
            let deadline = Deadline(ticks: Clock.ticks + period)
            await sleep(until: deadline)
            let now = Clock.ticks
            fromIRQ += now - TimerQueue.lastResumeTicks
            fromDeadline += now - deadline.ticks
        }
        return (fromIRQ, fromDeadline)
    }

    /// A task parked on a continuation is resumed by a task that then keeps its CPU busy, so another
    /// CPU (woken by an IPI) has to steal and run it.
    static func measureCrossCPUWakeup() async -> UInt64 {
        var total: UInt64 = 0
        for _ in 0..<wakeups {
            flag.store(0, ordering: .relaxed)
            parked = nil
            let sleeper = Task { () async -> UInt64 in
                await withUnsafeContinuation { (c: UnsafeContinuation<Void, Never>) in parked = c }
                let ranAt = Clock.ticks
                AsyncBenchmark.flag.store(1, ordering: .releasing)
                return ranAt
            }
            while parked == nil { await Task.yield() }
            let start = Clock.ticks
            parked!.resume()
            let limit = start + Clock.frequency / 10
            while flag.load(ordering: .acquiring) == 0 && Clock.ticks < limit {}
            total += await sleeper.value - start
        }
        return total
    }
}
