import LichenCore
import LichenAsyncRuntime

/// The per-CPU loop that runs async tasks (the queues and stealing are in executor.c). Every CPU ends
/// its boot here; kernelMain spawns the boot work as a task first.
enum Executor {
    static func run() -> Never {
        // Before any task runs on this CPU: blocking waits reuse their waiters (waiter_keep.c).
        WaiterRecycling.take = { lichen_waiter_take() }
        WaiterRecycling.keep = { lichen_waiter_keep($0) }
        lichen_executor_cpu_online()
        CPU.enableInterrupts()        // secondaries arrive with IRQs masked; tasks run with them on
        while true {
            if lichen_executor_run_next() { continue }
            // Nothing ready: sleep until an interrupt (or an IPI from an enqueuing CPU) makes work.
            lichen_executor_set_idle(true)
            CPU.sleep(until: { lichen_executor_has_work() })
            lichen_executor_set_idle(false)
        }
    }
}

/// Runtime counters, for self-tests, the boot monitor and the benchmark.
enum AsyncRuntime {
    static var stats: LichenAsyncStats {
        var s = LichenAsyncStats()
        lichen_async_stats(&s)
        return s
    }

    static func describe(_ s: LichenAsyncStats) -> String {
        "tasks created " + Format.decimal(s.tasksCreated) + " completed " + Format.decimal(s.tasksCompleted)
            + " destroyed " + Format.decimal(s.tasksDestroyed) + ", jobs " + Format.decimal(s.jobsRun)
            + ", task allocs " + Format.decimal(s.taskAllocs) + " live " + Format.decimal(s.taskAllocLive)
            + " max depth " + Format.decimal(s.taskAllocMaxDepth) + " slabs " + Format.decimal(s.slabsLive)
            + ", suspends " + Format.decimal(s.continuationSuspends) + " fast resumes " + Format.decimal(s.continuationFastResumes)
            + ", cancels " + Format.decimal(s.cancels) + " handlers " + Format.decimal(s.cancelHandlersRun)
    }
}

/// Called by the runtime when it queued work and CPU `index` sleeps in WFI.
@_cdecl("lichen_cpu_wake")
func lichenCPUWake(_ index: Int) {
    PerCPU.wake(index)
}
