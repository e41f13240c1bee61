import LichenCore
import LichenAsyncRuntime
import Synchronization
import _Concurrency

/// `lichen.test=async`: the runtime's checks in qemu. Prints one line per check group and what the
/// task allocator and the heap hold before and after (they must match: no leaks).
enum AsyncSelfTest {
    static let taskCount = 2000
    static let yieldCount = Atomic<Int>(0)
    static let handlerRuns = Atomic<Int>(0)
    static let go = Atomic<Int>(0)
    nonisolated(unsafe) static var failures = 0

    static func check(_ ok: Bool, _ what: String) {
        if !ok { failures += 1; KernelLog.error("selftest async: FAIL " + what) }
    }

    static func say(_ line: String) { KernelLog.info("selftest async: " + line) }

    static func run() async {
        TimerQueue.reserve(4 * taskCount)    // the timer heaps' arrays are the only lasting allocation
        let heapBefore = Heap.stats.liveAllocations
        let before = AsyncRuntime.stats

        await abi()
        await clocks()
        await nestedCalls()
        await typedResults()
        await throwingResults()
        await yields()
        await continuations()
        await cancellation()
        await timeouts()
        await manyTasks()

        // On several CPUs a finished task's last release may still be under way on another CPU when
        // its waiter runs here: let the counters settle (bounded) before comparing.
        var after = AsyncRuntime.stats
        var heapAfter = Heap.stats.liveAllocations
        for _ in 0..<100 where after.tasksCreated - before.tasksCreated != after.tasksDestroyed - before.tasksDestroyed
                               || heapAfter != heapBefore {
            await sleep(for: 1_000_000)
            after = AsyncRuntime.stats
            heapAfter = Heap.stats.liveAllocations
        }
        say("runtime " + AsyncRuntime.describe(after))
        say("leaks: tasks created " + Format.decimal(after.tasksCreated - before.tasksCreated) + " destroyed "
            + Format.decimal(after.tasksDestroyed - before.tasksDestroyed) + ", task allocations live "
            + Format.decimal(before.taskAllocLive) + " -> " + Format.decimal(after.taskAllocLive) + ", slabs "
            + Format.decimal(before.slabsLive) + " -> " + Format.decimal(after.slabsLive) + ", heap allocations "
            + Format.decimal(UInt64(heapBefore)) + " -> " + Format.decimal(UInt64(heapAfter)))
        check(after.tasksCreated - before.tasksCreated == after.tasksDestroyed - before.tasksDestroyed, "tasks leaked")
        check(after.taskAllocLive == before.taskAllocLive && after.slabsLive == before.slabsLive, "task allocator leaked")
        check(heapAfter == heapBefore, "heap leaked")
        if failures > 0 { SelfTest.fail("async", Format.decimal(UInt64(failures)) + " check(s) failed") }
    }

    // MARK: ABI offsets, as compiled code uses them

    static func abi() async {
        let probe = Task { () async -> UInt32 in
            let task = lichen_async_check_task()
            let continuation: UInt32 = await withUnsafeContinuation { c in c.resume(returning: lichen_async_check_continuation()) }
            return task | continuation << 8
        }
        let failed = await probe.value
        say("ABI layout checks: " + (failed == 0 ? "ok" : "failed " + Format.hex(UInt64(failed))))
        check(failed == 0, "ABI layout (task bits 0-7, continuation bits 8-15)")
    }

    // MARK: clocks

    static func clocks() async {
        let wall0 = RealtimeClock.now, mono0 = MonotonicClock.now
        await sleep(for: 3_000_000)
        let wall1 = RealtimeClock.now, mono1 = MonotonicClock.now
        let seconds = wall1 / 1_000_000_000
        say("clocks: realtime " + Format.decimal(seconds) + " s since 1970 (RTC " + (RealtimeClock.available ? "PL031" : "missing")
            + "), a 3 ms sleep took " + Format.milliseconds(nanoseconds: mono1 - mono0) + " monotonic, "
            + Format.milliseconds(nanoseconds: wall1 - wall0) + " realtime")
        // After 2020 and advancing with the monotonic clock.
        check(RealtimeClock.available && seconds > 1_577_836_800 && mono1 - mono0 >= 3_000_000
                && max(wall1 - wall0, mono1 - mono0) - min(wall1 - wall0, mono1 - mono0) < 1_000_000,
              "clocks")
    }

    // MARK: nested async calls

    @inline(never) static func level3(_ x: Int) async -> Int { x * 2 }
    @inline(never) static func level2(_ x: Int) async -> Int { await level3(x + 1) + 1 }
    @inline(never) static func level1(_ x: Int) async -> Int { await level2(x + 10) * 3 }
    @inline(never) static func level0(_ x: Int) async -> Int {
        let a = await level1(x)
        let b = await level1(a)
        return a + b
    }

    static func nestedCalls() async {
        let r = await level0(5)
        say("nested async calls: level0(5) = " + Format.decimal(UInt64(r)) + " (expected 762)")
        check(r == 762, "nested async calls")
    }

    // MARK: typed results through swift_task_future_wait

    final class Tag: Sendable {
        static let freed = Atomic<Int>(0)
        let name: String
        init(_ name: String) { self.name = name }
        deinit { _ = Tag.freed.add(1, ordering: .relaxed) }
    }
    struct Report: Sendable { var tag: Tag; var values: [Int]; var sum: Int }

    static func typedResults() async {
        let freedBefore = Tag.freed.load(ordering: .relaxed)
        do {
            let producer = Task { () async -> Report in
                await sleep(for: 2_000_000)
                var values: [Int] = []
                for i in 1...5 { values.append(await level3(i)) }
                return Report(tag: Tag("produced"), values: values, sum: values.reduce(0, +))
            }
            let consumer = Task { () async -> Int in
                let first = await producer.value           // suspends until the producer completes
                let again = await producer.value           // completed: copied without suspending
                return first.sum * 1000 + again.values.count * 10 + (first.tag === again.tag ? 1 : 0)
            }
            let r = await consumer.value
            check(producer == producer && consumer != Task<Int, Never> { 0 }, "task identity")
            say("typed results: consumer got " + Format.decimal(UInt64(r)) + " (expected 30051)")
            check(r == 30051, "typed task results")
        }
        // The producer's last reference (its running one) may still be dropping on another CPU.
        for _ in 0..<100 where Tag.freed.load(ordering: .relaxed) == freedBefore { await sleep(for: 1_000_000) }
        let freed = Tag.freed.load(ordering: .relaxed) - freedBefore
        check(freed == 1, "task result destroyed with its task")
    }

    enum TestError: Error, Equatable { case boom(Int) }

    @inline(never) static func mayThrow(_ x: Int) async throws(TestError) -> Int {
        await Task.yield()
        if x < 0 { throw .boom(-x) }
        return x * 10
    }

    static func throwingResults() async {
        let good = Task { () async throws(TestError) -> Int in try await mayThrow(4) }
        let bad = Task { () async throws(TestError) -> Int in try await mayThrow(-7) }
        var okValue = 0, error: TestError? = nil
        do throws(TestError) { okValue = try await good.value } catch { check(false, "good task threw") }
        do throws(TestError) { _ = try await bad.value } catch let e { error = e }
        say("throwing tasks: value " + Format.decimal(UInt64(okValue)) + ", error " + (error == .boom(7) ? "boom(7)" : "wrong"))
        check(okValue == 40 && error == .boom(7), "typed throwing task results")
    }

    // MARK: yield

    static func yields() async {
        let log = UnsafeMutablePointer<Int>.allocate(capacity: 8)
        let tasks = (0..<2).map { id in
            Task { () async -> Void in
                for _ in 0..<3 {
                    log[yieldCount.add(1, ordering: .relaxed).newValue - 1] = id
                    await Task.yield()
                }
            }
        }
        for t in tasks { await t.value }
        var order = ""
        for i in 0..<6 { order += Format.decimal(UInt64(log[i])) }
        log.deallocate()
        say("yield: order " + order + (PerCPU.onlineCount == 1 ? " (expected 010101)" : ""))
        check(yieldCount.load(ordering: .relaxed) == 6 && (PerCPU.onlineCount > 1 || order.equals("010101")), "yield interleaving")
    }

    // MARK: continuations

    nonisolated(unsafe) static var parked: UnsafeContinuation<Int, Never>? = nil

    static func continuations() async {
        let fastBefore = AsyncRuntime.stats.continuationFastResumes
        let immediate: Int = await withUnsafeContinuation { c in c.resume(returning: 42) }
        let fast = AsyncRuntime.stats.continuationFastResumes - fastBefore

        // Resumed by another task after this one suspended.
        let resumer = Task { () async -> Void in
            while parked == nil { await Task.yield() }
            let c = parked!
            parked = nil
            c.resume(returning: 7)
        }
        let fromTask: Int = await withUnsafeContinuation { c in parked = c }
        await resumer.value

        // Resumed by the timer interrupt handler (a sleep is a continuation in the timer queue).
        let irqBefore = TimerQueue.interrupts
        let outcome = await sleep(for: 1_000_000)
        let irqs = TimerQueue.interrupts - irqBefore
        say("continuations: resumed before await " + Format.decimal(UInt64(immediate)) + " (fast path " + Format.decimal(fast)
            + "), by a task " + Format.decimal(UInt64(fromTask)) + ", from the timer IRQ after " + Format.decimal(UInt64(irqs)) + " interrupt(s)")
        check(immediate == 42 && fast >= 1, "continuation resumed before its await")
        check(fromTask == 7, "continuation resumed by another task")
        check(outcome == .elapsed && irqs >= 1, "continuation resumed by the timer interrupt")
    }

    // MARK: cancellation

    static func cancellation() async {
        // Sleeping tasks, cancelled: each sleep ends early and says so.
        let sleepers = (0..<100).map { _ in Task { () async -> SleepOutcome in await sleep(for: 10_000_000_000) } }
        await sleep(for: 2_000_000)
        let start = MonotonicClock.now
        for s in sleepers { s.cancel() }
        var cancelled = 0
        for s in sleepers where await s.value == .cancelled { cancelled += 1 }
        let took = MonotonicClock.now - start
        say("cancellation: " + Format.decimal(UInt64(cancelled)) + " of 100 sleeping tasks woke cancelled in "
            + Format.milliseconds(nanoseconds: took))
        check(cancelled == 100 && took < 1_000_000_000, "cancel sleeping tasks")

        // Cancelled before its wait began: the flag is set, the handler runs at once, sleep returns at
        // once. (It waits for `go` so that another CPU cannot start it before the cancel.)
        let early = Task { () async -> Bool in
            while AsyncSelfTest.go.load(ordering: .acquiring) == 0 { await Task.yield() }
            let flagged = Task<Never, Never>.isCancelled
            let outcome = await withTaskCancellationHandler {
                await sleep(for: 10_000_000_000)
            } onCancel: { _ = AsyncSelfTest.handlerRuns.add(1, ordering: .relaxed) }
            return flagged && outcome == .cancelled
        }
        early.cancel()
        go.store(1, ordering: .releasing)
        let earlyOK = await early.value

        // Handler runs exactly once, however often the task is cancelled.
        let once = Task { () async -> SleepOutcome in
            await withTaskCancellationHandler { await sleep(for: 10_000_000_000) } onCancel: { _ = AsyncSelfTest.handlerRuns.add(1, ordering: .relaxed) }
        }
        await sleep(for: 1_000_000)
        once.cancel()
        once.cancel()
        let onceOutcome = await once.value
        let runs = AsyncSelfTest.handlerRuns.load(ordering: .relaxed)
        say("cancellation handlers: cancelled-before-start " + (earlyOK ? "ok" : "wrong") + ", handler runs " + Format.decimal(UInt64(runs))
            + " (expected 2), sleep " + (onceOutcome == .cancelled ? "cancelled" : "elapsed"))
        check(earlyOK && onceOutcome == .cancelled && runs == 2 && once.isCancelled, "cancellation handlers")
    }

    // MARK: timeouts

    static func timeouts() async {
        let start = MonotonicClock.now
        let short = await withTimeout(nanoseconds: 5_000_000) { await sleep(for: 1_000_000_000) }
        let took = MonotonicClock.now - start
        let long = await withTimeout(nanoseconds: 200_000_000) { await sleep(for: 1_000_000) }
        let stillRunning = !Task<Never, Never>.isCancelled
        say("timeouts: 1 s sleep under a 5 ms timeout " + (short.timedOut && short.value == .cancelled ? "interrupted" : "NOT interrupted")
            + " after " + Format.milliseconds(nanoseconds: took) + "; 1 ms sleep under 200 ms " + (long.timedOut ? "timed out" : "completed"))
        check(short.timedOut && short.value == .cancelled && took < 500_000_000, "timeout interrupts a sleep")
        check(!long.timedOut && long.value == .elapsed && stillRunning, "timeout that does not expire")

        // The sync primitives' deadlines come from this timer queue (WaitTimeout.after).
        let event = Event(0)
        let waitStart = MonotonicClock.now
        var error: WaitError? = nil
        do throws(WaitError) {
            try await event.wait(until: { $0 == 1 }, timeout: .after(nanoseconds: 5_000_000))
        } catch let e { error = e }
        let waited = MonotonicClock.now - waitStart
        say("wait timeouts: Event wait with a 5 ms WaitTimeout " + (error == .timedOut ? "timed out" : "did not time out")
            + " after " + Format.milliseconds(nanoseconds: waited))
        check(error == .timedOut && waited >= 4_000_000 && waited < 500_000_000, "WaitTimeout from the timer queue")
    }

    // MARK: thousands of tasks

    /// Each task sleeps a little, then awaits its predecessor's result and adds its own number: every
    /// task is woken by the timer interrupt and by another task's completion.
    static func manyTasks() async {
        let start = MonotonicClock.now
        let irqBefore = TimerQueue.interrupts
        let jobsBefore = AsyncRuntime.stats.jobsRun
        var previous: Task<UInt64, Never>? = nil
        for i in 0..<taskCount {
            let before = previous
            previous = Task { () async -> UInt64 in
                await sleep(for: UInt64(i % 17 + 1) * 1_000_000)
                let sum = await before?.value ?? 0
                return sum + UInt64(i)
            }
        }
        let total = await previous!.value
        previous = nil
        let expected = UInt64(taskCount * (taskCount - 1) / 2)
        let s = AsyncRuntime.stats
        say(Format.decimal(UInt64(taskCount)) + " tasks: slept, awaited in a chain, sum " + Format.decimal(total) + " (expected "
            + Format.decimal(expected) + ") in " + Format.milliseconds(nanoseconds: MonotonicClock.now - start) + ", "
            + Format.decimal(UInt64(TimerQueue.interrupts - irqBefore)) + " timer interrupts, "
            + Format.decimal(s.jobsRun - jobsBefore) + " jobs, " + Format.decimal(s.steals) + " steals")
        check(total == expected, "thousands of tasks")
    }

    // MARK: lichen.test=async-panic

    @inline(never) static func panicLevel2(_ values: [Int], _ index: Int) async -> Int {
        await Task.yield()
        return values[index]                      // out of range: a Swift trap inside async code
    }
    @inline(never) static func panicLevel1(_ values: [Int]) async -> Int {
        await sleep(for: 1_000_000)
        return await panicLevel2(values, values.count) + 1
    }

    static func panicInNestedAsyncCall() async {
        let t = Task { () async -> Int in await panicLevel1([1, 2, 3]) * 2 }
        _ = await t.value
    }
}
