// Continuations: a task suspends in withUnsafeContinuation and anyone (another task, an interrupt
// handler, another CPU) resumes it. The compiler inlines the await side (a CAS of awaitState from
// Pending to Awaited); whichever of the awaiter and the resumer comes second makes the task run.
#include "task.h"

// Called by the suspending function after it filled parent/resumeParent/normalResult. Returns the task:
// that pointer is the continuation the Swift code holds.
SWIFTCALL LichenTask *swift_continuation_init(ContinuationContext *context, size_t flags) {
  LichenTask *task = current_task();
  context->flags = flags;
  context->awaitState = (flags & CONTINUATION_IS_PREAWAITED) ? CONTINUATION_AWAITED : CONTINUATION_PENDING;
  context->errorResult = 0;
  if (!(flags & CONTINUATION_HAS_EXECUTOR_OVERRIDE)) { context->resumeToExecutor[0] = 0; context->resumeToExecutor[1] = 0; }
  task->resumeContext = &context->base;
  task->resumeTask = context->base.resumeParent;
  return task;
}

// The out-of-line await (the compiler normally inlines it).
SWIFTASYNC void swift_continuation_await(ASYNC_CONTEXT ContinuationContext *context) {
  size_t expected = CONTINUATION_PENDING;
  if (__atomic_compare_exchange_n(&context->awaitState, &expected, CONTINUATION_AWAITED, 0,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    STAT_ADD(continuationSuspends, 1);
    return;   // suspended: back to the executor
  }
  return context->base.resumeParent(&context->base);
}

// The value is already stored through normalResult. Safe from interrupt handlers: never allocates.
SWIFTCALL void swift_continuation_resume(LichenTask *task) {
  ContinuationContext *context = (ContinuationContext *)task->resumeContext;
  size_t expected = CONTINUATION_PENDING;
  if (__atomic_compare_exchange_n(&context->awaitState, &expected, CONTINUATION_RESUMED, 0,
                                  __ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
    STAT_ADD(continuationFastResumes, 1);
    return;   // not suspended yet: the awaiter sees Resumed and continues without suspending
  }
  if (expected != CONTINUATION_AWAITED) lichen_c_panic("continuation resumed twice");
  __atomic_store_n(&context->awaitState, CONTINUATION_RESUMED, __ATOMIC_RELEASE);
  STAT_ADD(continuationSuspends, 1);
  lichen_executor_enqueue(task);
}

SWIFTCALL void swift_continuation_throwingResume(LichenTask *task) { swift_continuation_resume(task); }

SWIFTCALL void swift_continuation_throwingResumeWithError(LichenTask *task, void *error) {
  ((ContinuationContext *)task->resumeContext)->errorResult = error;
  swift_continuation_resume(task);
}

// Task.yield(): the task's continuation is resumed only after the current job has returned to the
// executor, which then queues the task behind every other ready task.
SWIFTCALL void lichen_task_defer_resume(LichenTask *task) {
  CPURuntime *cpu = this_cpu();
  task->schedulerNext = cpu->deferred;
  cpu->deferred = task;
}
