// Run-time checks of what compiled code put where, for `lichen.test=async` (the static asserts in
// async_abi.h only pin our own structs; these confirm the compiler agrees with them).
#include "task.h"

extern char _text[], __text_end[];

static bool in_text(const void *p) { return (const char *)p >= _text && (const char *)p < __text_end; }

// Call from inside a withUnsafeContinuation closure: the task's resume context must be the
// ContinuationAsyncContext the compiler just initialized. Returns a bit per failed check (0 = all good).
uint32_t lichen_async_check_continuation(void) {
  LichenTask *task = current_task();
  if (!task) return 1u << 31;
  ContinuationContext *c = (ContinuationContext *)task->resumeContext;
  uint32_t failed = 0;
  if (c->awaitState != CONTINUATION_PENDING) failed |= 1u << 0;        // +24, CASed by compiled code
  if (c->flags & ~(size_t)7) failed |= 1u << 1;                         // +16
  if (!lichen_task_owns_address(task, (uint64_t)c->normalResult)) failed |= 1u << 2;   // +40
  if (!in_text((void *)c->base.resumeParent)) failed |= 1u << 3;        // +8
  if (task->resumeTask != c->base.resumeParent) failed |= 1u << 4;      // Job.ResumeTask
  if (!lichen_task_owns_address(task, (uint64_t)c->base.parent)) failed |= 1u << 5;    // +0
  if (c->errorResult) failed |= 1u << 6;                                // +32
  return failed;
}

// Call from inside a task whose handle is still held: the object header must be ours and counted.
uint32_t lichen_async_check_task(void) {
  LichenTask *task = current_task();
  if (!task) return 1u << 31;
  uint32_t failed = 0;
  if (task->refcount != 2) failed |= 1u << 0;             // handle + running reference
  if (!task->metadata || task->metadata->destroy == 0) failed |= 1u << 1;
  if (!lichen_task_owns_address(task, (uint64_t)task->initialContext)) failed |= 1u << 2;
  if (task->initialContext->parent != 0) failed |= 1u << 3;
  if ((uint64_t)task->initialContext->resumeParent != lichen_task_complete_address()) failed |= 1u << 4;
  if (!in_text((void *)task->entry)) failed |= 1u << 5;
  return failed;
}
