// Tasks: creation (swift_task_create), the first and last funclets every task runs, destruction, and
// awaiting a task's result (swift_task_future_wait).
#include "task.h"

LichenAsyncStats lichen_async_counters;
static uint32_t nextTaskID = 1;

// The first slab of every task's frame allocator lives in the task object, so spawning a small task
// costs one heap allocation.
#define INLINE_SLAB_BYTES 1024

static void task_destroy(void *object);
static const EmbeddedClassMetadata taskMetadata = { 0, task_destroy, 0 };

static size_t round16(size_t n) { return (n + 15) & ~(size_t)15; }

// Installed as the task's first ResumeTask: adapts TaskContinuationFunction to the closure entry ABI.
static SWIFTASYNC void task_start(ASYNC_CONTEXT AsyncContext *context) {
  LichenTask *task = current_task();
  return task->entry(task->result, context, task->closureContext);   // a tail branch (see docs/async.md)
}

// Installed as the initial context's ResumeParent: the task's function has returned (x20 = thrown
// error, always NULL because Task wraps its operation into a non-throwing Result closure).
static SWIFTASYNC void task_complete(ASYNC_CONTEXT AsyncContext *context, SWIFT_CONTEXT void *error) {
  (void)context;
  LichenTask *task = current_task();
  if (error) lichen_c_panic("async task completed with an untyped error");
  if (task->liveAllocations) lichen_c_panic("async task completed with live task-local allocations");
  lichen_task_free_slabs(task);
  if (!(task->createFlags & TASK_CREATE_FUNCTION_CONSUMED) && task->closureContext) swift_release(task->closureContext);
  task->closureContext = 0;

  uint64_t daif = lichen_spin_lock_irqsave(&task->lock);
  __atomic_store_n(&task->state, TASK_COMPLETED, __ATOMIC_RELEASE);
  LichenTask *waiters = task->futureWaiters;
  task->futureWaiters = 0;
  lichen_spin_unlock_irqrestore(&task->lock, daif);

  while (waiters) {   // copy the result into each waiter's frame, then make it runnable
    LichenTask *waiter = waiters;
    waiters = waiter->schedulerNext;
    FutureWaitContext *wait = (FutureWaitContext *)waiter->resumeContext;
    task->resultCopy(wait->successResultPointer, task->result, 0);
    lichen_executor_enqueue(waiter);
  }
  CPU_STAT_ADD(tasksCompleted, 1);
  swift_release(task);   // the running reference; the executor does not touch the task after this
}

uint64_t lichen_task_complete_address(void) { return (uint64_t)task_complete; }

// swift_release calls this when the last reference goes (x0 = x20 = the task).
static void task_destroy(void *object) {
  LichenTask *task = object;
  if (task->state == TASK_COMPLETED && task->resultDestroy) task->resultDestroy(task->result, 0);
  lichen_task_free_slabs(task);
  CPU_STAT_ADD(tasksDestroyed, 1);
  free(task);
}

SWIFTCALL TaskAndContext swift_task_create(size_t flags, TaskOptionRecord *options, const void *resultType,
                                           const AsyncFunctionPointer *function, void *closureContext) {
  (void)resultType;   // always NULL in Embedded: the result's witnesses come as an option record
  const ResultTypeInfoRecord *info = 0;
  for (TaskOptionRecord *option = options; option; option = option->parent) {
    if ((option->flags & 0xff) == TASK_OPTION_RESULT_TYPE_INFO) info = (const ResultTypeInfoRecord *)option;
    else lichen_c_panic("swift_task_create: unsupported task option (task group, executor preference?)");
  }
  if (!info) lichen_c_panic("swift_task_create: no result type information");
  if (info->alignMask > 15) lichen_c_panic("swift_task_create: task result aligned beyond 16 bytes");

  size_t header = round16(sizeof(LichenTask));
  size_t resultBytes = round16(info->size);
  size_t contextBytes = round16(function->expectedContextSize);
  size_t total = header + resultBytes + contextBytes + sizeof(TaskSlab) + INLINE_SLAB_BYTES;
  LichenTask *task = malloc(total);
  if (!task) lichen_c_panic("swift_task_create: out of memory");
  memset(task, 0, header);

  task->metadata = &taskMetadata;
  task->refcount = 2;   // one for the returned handle, one for running (dropped in task_complete)
  task->jobFlags = (uint32_t)(flags & TASK_CREATE_PRIORITY_MASK) << 8;   // JobKind::Task, priority
  task->id = __atomic_fetch_add(&nextTaskID, 1, __ATOMIC_RELAXED);
  task->entry = (TaskEntry *)((const char *)&function->function + function->function);
  task->closureContext = closureContext;
  task->createFlags = (uint32_t)flags;
  task->result = (char *)task + header;
  task->resultSize = info->size;
  task->resultCopy = info->initializeWithCopy;
  task->resultDestroy = info->destroy;
  task->objectSize = total;

  AsyncContext *initial = (AsyncContext *)((char *)task + header + resultBytes);
  initial->parent = 0;
  initial->resumeParent = (ResumeFunction *)task_complete;
  task->initialContext = initial;
  task->resumeTask = task_start;
  task->resumeContext = initial;

  TaskSlab *slab = (TaskSlab *)((char *)initial + contextBytes);
  slab->previous = 0;
  slab->end = (char *)(slab + 1) + INLINE_SLAB_BYTES;
  slab->savedTop = 0;
  task->inlineSlab = task->slab = slab;
  task->top = (char *)(slab + 1);

  CPU_STAT_ADD(tasksCreated, 1);
  if (flags & TASK_CREATE_ENQUEUE_JOB) lichen_executor_enqueue(task);
  return (TaskAndContext){ task, initial };
}

// The current task (+0). Compiled code uses it for Builtin.getCurrentAsyncTask.
SWIFTCALL LichenTask *swift_task_getCurrent(void) { return current_task(); }

// Awaiting a task's value. Special convention: x0 = result buffer in the caller's frame, x22 = the
// CALLER's context, x1 = task, x2 = where to continue (expects x22 = caller's context), x3 = a
// 40-byte call context the caller reserved.
static SWIFTASYNC void future_wait_resume(ASYNC_CONTEXT AsyncContext *context) {
  return context->resumeParent(context->parent);
}

SWIFTASYNC void swift_task_future_wait(void *result, ASYNC_CONTEXT AsyncContext *callerContext, LichenTask *task,
                                       ResumeFunction *resume, AsyncContext *callContext) {
  if (__atomic_load_n(&task->state, __ATOMIC_ACQUIRE) != TASK_COMPLETED) {
    LichenTask *waiter = current_task();
    FutureWaitContext *wait = (FutureWaitContext *)callContext;
    wait->base.parent = callerContext;
    wait->base.resumeParent = resume;
    wait->errorResult = 0;
    wait->successResultPointer = result;
    waiter->resumeTask = future_wait_resume;
    waiter->resumeContext = callContext;
    uint64_t daif = lichen_spin_lock_irqsave(&task->lock);
    if (task->state != TASK_COMPLETED) {
      waiter->schedulerNext = task->futureWaiters;
      task->futureWaiters = waiter;
      lichen_spin_unlock_irqrestore(&task->lock, daif);
      STAT_ADD(futureWaitSuspends, 1);
      return;   // suspended: task_complete copies the result and enqueues us
    }
    lichen_spin_unlock_irqrestore(&task->lock, daif);
  }
  task->resultCopy(result, task->result, 0);
  return resume(callerContext);
}

// ---- diagnostics ----
void *lichen_current_task(void) { return current_task(); }
uint32_t lichen_task_id(void *task) { return task ? ((LichenTask *)task)->id : 0; }
void *lichen_task_resume_context(void *task) { return ((LichenTask *)task)->resumeContext; }

bool lichen_task_owns_address(void *raw, uint64_t address) {
  LichenTask *task = raw;
  if (address >= (uint64_t)task && address < (uint64_t)task + task->objectSize) return true;
  for (TaskSlab *slab = task->slab; slab; slab = slab->previous) {
    if (address >= (uint64_t)(slab + 1) && address < (uint64_t)slab->end) return true;
  }
  return false;
}

void lichen_async_stats(LichenAsyncStats *out) {
  *out = lichen_async_counters;
  for (int i = 0; i < LICHEN_ASYNC_MAX_CPUS; i++) {
    CPURuntime *c = &lichen_cpu_runtime[i];
    out->jobsRun += c->jobsRun;
    out->steals += c->steals;
    out->tasksCreated += c->tasksCreated;
    out->tasksCompleted += c->tasksCompleted;
    out->tasksDestroyed += c->tasksDestroyed;
    out->taskAllocs += c->taskAllocs;
    out->taskAllocLive += c->taskAllocLive;   // per-CPU values wrap; the sum is right
    out->slabsLive += c->slabsLive;
    out->switches += c->switches;
  }
}
